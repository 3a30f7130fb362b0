//! What loading a weights file into a run means (crate/loading.rs), decided from the header alone:
//! PyTorch's own state dicts (the parity fixtures), our files, and a BEGAN generator.

use crate::common;

use std::sync::Arc;

use burn::tensor::{Device, read_sync};
use gan_playground::loading::{FileInfo, Plan, plan};
use gan_playground::safetensors::{Dtype, Header};
use gan_playground::trainer::{TrainConfig, Trainer};

fn info_of(bytes: &[u8]) -> FileInfo {
    FileInfo::of(&Header::parse(bytes, bytes.len()).unwrap())
}

fn fixture(name: &str) -> FileInfo {
    info_of(&std::fs::read(format!("tests/fixtures/forward/{name}")).unwrap())
}

fn current(variant: &str) -> TrainConfig {
    TrainConfig { variant: variant.into(), ..common::small_config(8, 4) }
}

#[test]
fn a_bare_generator_gets_the_current_run_with_its_sizes_and_a_variant_that_trains_its_architecture() {
    let g = fixture("dcgan28-generator.safetensors");
    let arch = g.generator.clone().expect("a generator");
    assert_eq!(arch.model, "dcgan28");
    for (variant, expected) in [("wgan", "wgan"), ("began", "ns-gan")] {
        let Plan::Train { config, target } = plan(&g, &current(variant)).unwrap() else { panic!("{variant}: trains") };
        assert_eq!((config.variant.as_str(), target), (expected, Some("generator")), "{variant}");
        assert_eq!((config.model.nz, config.model.g_width), (arch.nz, arch.width));
        assert_eq!((config.batch_size, config.seed), (current(variant).batch_size, current(variant).seed));
    }
    assert_eq!(plan(&fixture("dcgan64-generator.safetensors"), &current("ns-gan")).unwrap(), Plan::Sample);
    let critic = plan(&fixture("dcgan28-critic.safetensors"), &current("lsgan")).unwrap();
    assert_eq!(critic, Plan::Train { config: current("lsgan"), target: Some("critic") });
}

#[test]
fn our_files_want_their_own_run_and_a_began_generator_wants_began() {
    let mut config = current("began");
    config.seed = 9;
    let t = Trainer::new(config.clone(), Arc::new(common::blobs(16, 1)), &Device::flex()).unwrap();
    let bytes = read_sync(t.save_weights(Dtype::F32)).unwrap();
    let info = info_of(&bytes);
    assert_eq!(info.generator.as_ref().map(|g| g.model.as_str()), Some("began28"));
    let Plan::Train { config: wanted, target: None } = plan(&info, &current("ns-gan")).unwrap() else { panic!() };
    assert_eq!(wanted, *t.config());
    // Without its config, the same generator still asks for BEGAN.
    let mut bare = info.clone();
    bare.metadata.clear();
    let Plan::Train { config: wanted, .. } = plan(&bare, &current("ns-gan")).unwrap() else { panic!() };
    assert_eq!(wanted.variant, "began");
    // A config that is no JSON object is refused with the reason, before any data is read.
    let mut broken = info.clone();
    broken.metadata.insert("config".into(), "[1, 2".into());
    assert_eq!(plan(&broken, &current("ns-gan")).unwrap_err(), "the \"config\" in its metadata is not valid JSON");
    // A value of the wrong kind is named, with what it must be, in words.
    for (edit, said) in [
        (
            ("batch_size", serde_json::json!(-8)),
            "its run config has batch_size = -8, which is not a whole number of 0 or more",
        ),
        (("seed", serde_json::json!(1.5)), "its run config has seed = 1.5, which is not a whole number of 0 or more"),
        (("variant", serde_json::json!(7)), "its run config has variant = 7, which is not text"),
    ] {
        let mut config: serde_json::Value = serde_json::from_str(&info.metadata["config"]).unwrap();
        config[edit.0] = edit.1;
        let mut edited = info.clone();
        edited.metadata.insert("config".into(), config.to_string());
        assert_eq!(plan(&edited, &current("ns-gan")).unwrap_err(), said);
    }
}
