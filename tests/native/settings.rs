//! The core's settings table both ways: every setting given reaches the run's config and comes
//! back as given ([`config_of`], [`settings_of`]), and the refusals say why.

use crate::common;

use std::sync::Arc;

use burn::tensor::{Device, read_sync};
use gan_playground::gan::{self, REGISTRY, Training};
use gan_playground::safetensors::Dtype;
use gan_playground::trainer::settings::{RunSettings, SETTINGS, config_of, in_use, settings_of};
use gan_playground::trainer::{TrainConfig, Trainer};

fn settings(variant: &str, dataset: &str, values: &[(&str, f64)]) -> RunSettings {
    RunSettings {
        variant: variant.to_string(),
        dataset: dataset.to_string(),
        values: values.iter().map(|&(name, v)| (name.to_string(), Some(v))).collect(),
        knobs: Default::default(),
    }
}

/// Small networks, so that every config builds quickly and within the memory budget.
const SMALL: &[(&str, f64)] = &[("batch", 4.0), ("g_width", 4.0), ("d_width", 4.0)];

#[test]
fn every_setting_of_every_variant_goes_into_the_config_and_comes_back() {
    let mut checked = 0;
    for registered in REGISTRY {
        let variant = (registered.make)();
        let adam = matches!(variant.optimizer(), gan::Optimizer::Adam { .. });
        let joint = variant.training() == Training::Joint;
        for dataset in ["mnist", "ring"] {
            for setting in SETTINGS {
                if (setting.adam_only && !adam) || (setting.adversarial_only && joint) {
                    continue;
                }
                let value = common::probe_value(setting);
                let mut values = SMALL.to_vec();
                values.retain(|(name, _)| *name != setting.name);
                values.push((setting.name, value));
                let given = settings(registered.id, dataset, &values);
                let config =
                    config_of(&given).unwrap_or_else(|e| panic!("{} {}={value}: {e}", registered.id, setting.name));
                let back = settings_of(&config);
                if setting.images_only && dataset == "ring" {
                    assert!(!back.values.contains_key(setting.name), "{} on points", setting.name);
                    assert_eq!(config.model.nz, 2, "points have a 2-D z");
                    continue;
                }
                assert_eq!(back.value(setting.name), Some(value), "{} {} on {dataset}", registered.id, setting.name);
                assert_eq!(in_use(&config)[setting.name], value, "{} in use", setting.name);
                // And the settings read back make the same config.
                assert_eq!(config_of(&back).unwrap(), config, "{} {}", registered.id, setting.name);
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn a_fresh_run_leaves_the_optimiser_to_its_variant() {
    for registered in REGISTRY {
        let config = config_of(&settings(registered.id, "mnist", &[])).unwrap();
        assert_eq!(config, TrainConfig { variant: registered.id.to_string(), ..TrainConfig::default() });
        let back = settings_of(&config);
        for name in ["lr", "d_lr", "beta1", "beta2", "n_critic"] {
            assert_eq!(back.value(name), None, "{} {name}", registered.id);
        }
        let variant = (registered.make)();
        assert_eq!(in_use(&config)["lr"], variant.optimizer().learning_rate());
        assert_eq!(in_use(&config)["d_lr"], variant.optimizer().learning_rate(), "D's follows G's");
    }
    // A value equal to the variant's published one is the variant's.
    let config = config_of(&settings("ns-gan", "mnist", &[("lr", 2e-4), ("beta1", 0.5)])).unwrap();
    assert_eq!((settings_of(&config).value("lr"), settings_of(&config).value("beta1")), (None, None));
}

#[test]
fn refusals_say_why() {
    let refused = |values: &[(&str, f64)], variant: &str| config_of(&settings(variant, "mnist", values)).unwrap_err();
    assert_eq!(refused(&[("batch", 0.0)], "ns-gan"), "batch must be a whole number from 1 to 1024, got 0");
    assert_eq!(refused(&[("lr", 2.0)], "ns-gan"), "lr must be a number from 0.000001 to 0.1, got 2");
    assert_eq!(refused(&[("beta1", 0.5)], "wgan"), "wgan trains with RMSProp, which has no β₁");
    assert!(refused(&[("n_critic", 2.0)], "vae").contains("vae trains both networks on one loss"));
    assert!(refused(&[("d_lr", 1e-3)], "vae").contains("no setting d_lr"));
    assert!(refused(&[("learning_rate", 1e-3)], "ns-gan").starts_with("there is no setting \"learning_rate\""));
    assert!(config_of(&settings("no-such-gan", "mnist", &[])).is_err());
    // A setting the config never reads, given as null, is the default.
    let mut with_null = settings("ns-gan", "mnist", &[]);
    with_null.values.insert("lr".into(), None);
    assert_eq!(config_of(&with_null).unwrap(), TrainConfig::default());
}

#[test]
fn the_settings_cross_as_the_page_writes_them() {
    // The page sends `{ variant, dataset, lr: null, batch: 32, knobs: {} }`.
    let json = r#"{"variant":"wgan-gp","dataset":"mnist","lr":null,"d_lr":0.0004,"batch":32,"knobs":{"lambda":5}}"#;
    let given: RunSettings = serde_json::from_str(json).unwrap();
    let config = config_of(&given).unwrap();
    assert_eq!((config.d_learning_rate, config.batch_size, config.knobs["lambda"]), (Some(4e-4), 32, 5.0));
    let back = serde_json::to_value(settings_of(&config)).unwrap();
    assert_eq!(back["d_lr"], 4e-4);
    assert_eq!(back["lr"], serde_json::Value::Null);
    assert_eq!(back["knobs"]["lambda"], 5.0);
}

/// D's learning rate trains the critic alone at that rate: the same as G's gives the run without
/// it bit for bit; another gives another critic after one D step, and the same generator.
#[test]
fn the_critics_own_learning_rate_changes_the_critic_only() {
    let device = Device::flex();
    let data = Arc::new(common::blobs(16, 3));
    let after_d_step = |d_lr: Option<f64>| {
        let mut values = SMALL.to_vec();
        values.extend(d_lr.map(|v| ("d_lr", v)));
        let config = config_of(&settings("ns-gan", "images", &values)).unwrap();
        let mut trainer = Trainer::new(config, data.clone(), &device).unwrap();
        trainer.discriminator_step().unwrap();
        // The networks as f32 weight files' bytes.
        let weights = |net: &gan_playground::model::Sequential| {
            let tensors = read_sync(gan_playground::weights::export(net, "", Dtype::F32, 0)).unwrap();
            gan_playground::safetensors::serialize(&tensors, &Default::default()).unwrap()
        };
        (weights(trainer.discriminator()), weights(trainer.generator()))
    };
    let (plain, same, faster) = (after_d_step(None), after_d_step(Some(2e-4)), after_d_step(Some(2e-3)));
    assert_eq!(plain, same);
    assert_ne!(plain.0, faster.0, "the critic moves further");
    assert_eq!(plain.1, faster.1, "G has not stepped");
}
