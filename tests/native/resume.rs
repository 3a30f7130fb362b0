//! A run's whole state in one file: a run restored from it goes on bit for bit as the run that
//! was never interrupted (CPU backend), for every variant; its optimisers follow PyTorch's
//! formulas; a weights file still loads as weights; a hostile run file changes nothing; files of
//! format 1 written by an earlier build (tests/fixtures/format1-*) still resume, and a file of a
//! later format is refused by name.

use crate::common;

use std::sync::Arc;

use burn::tensor::{Device, read_sync};
use gan_playground::gan::{self, Optimizer};
use gan_playground::model::Sequential;
use gan_playground::optim::{EPSILON, Optim, RMSPROP_ALPHA};
use gan_playground::rng::Rng;
use gan_playground::safetensors::{Dtype, SafeTensors, TensorOut, serialize};
use gan_playground::tensor::{latent, to_f32};
use gan_playground::trainer::{Readout, Trainer};
use gan_playground::weights;

fn trainer(variant: &str) -> Trainer {
    let mut config = common::small_config(8, 4);
    config.variant = variant.into();
    config.seed = 5;
    Trainer::new(config, Arc::new(common::blobs(16, 2)), &Device::flex()).unwrap()
}

/// Everything a read-out shows, as bits: losses, read-outs and the grid's samples.
fn bits(r: Readout) -> Vec<u32> {
    let mut out: Vec<u32> = [r.d_loss, r.g_loss].iter().map(|v| v.unwrap_or(f32::NAN).to_bits()).collect();
    out.extend(r.values.iter().map(|(_, v)| v.to_bits()));
    out.extend(r.samples.unwrap_or_default().iter().map(|v| v.to_bits()));
    out
}

#[test]
fn a_resumed_run_goes_on_bit_for_bit_for_every_variant() {
    for registered in gan::REGISTRY {
        let mut a = trainer(registered.id);
        for _ in 0..3 {
            a.train_step().unwrap();
        }
        if a.training() == gan::Training::Adversarial {
            a.discriminator_step().unwrap(); // a lone critic step too: its state is the run's
        }
        let saved = read_sync(a.save_run(Some("{\"chart\":[1,2]}"))).unwrap();
        let (mut b, loaded) = Trainer::resume(&saved, Arc::new(common::blobs(16, 2)), &Device::flex()).unwrap();
        assert!(loaded.resumed && loaded.generator && loaded.critic, "{}", registered.id);
        assert_eq!(loaded.metadata.get("history").map(String::as_str), Some("{\"chart\":[1,2]}"));
        assert_eq!(b.step(), a.step());
        // Enough steps for every variant to draw noise, cross an epoch of the 16 examples and,
        // for BEGAN, move k_t.
        for step in 0..6 {
            a.train_step().unwrap();
            b.train_step().unwrap();
            let (ra, rb) = (read_sync(a.readout(true)).unwrap(), read_sync(b.readout(true)).unwrap());
            assert_eq!(bits(ra), bits(rb), "{} differs {} steps after the resume", registered.id, step + 1);
        }
        let (fa, fb) = (read_sync(a.save_run(None)).unwrap(), read_sync(b.save_run(None)).unwrap());
        assert!(fa == fb, "{}: the two runs' states differ", registered.id);
    }
}

#[test]
fn a_weights_file_loads_as_weights_and_says_so() {
    let mut a = trainer("ns-gan");
    a.train_step().unwrap();
    let weights = read_sync(a.save_weights(Dtype::F32)).unwrap();
    let (b, loaded) = Trainer::resume(&weights, Arc::new(common::blobs(16, 2)), &Device::flex()).unwrap();
    assert!(!loaded.resumed);
    assert_eq!(b.step(), 1);
    assert_eq!(read_sync(b.readout(true)).unwrap().samples, read_sync(a.readout(true)).unwrap().samples);
}

const FIXTURE_RUN: &str = "tests/fixtures/format1-run.safetensors";
const FIXTURE_WEIGHTS: &str = "tests/fixtures/format1-weights.safetensors";
/// The fixtures' run (`fixture_trainer`): BEGAN (Adam, and a variant state k_t), four steps on 16 blobs.
const FIXTURE_STEPS: u64 = 4;

/// Writes the format-1 fixtures (done once; they stay as they were written, so that a later
/// build's test reads an earlier build's files): `cargo test --release --test native resume -- --ignored`.
#[test]
#[ignore]
fn write_the_format1_fixtures() {
    let mut a = fixture_trainer();
    for _ in 0..FIXTURE_STEPS {
        a.train_step().unwrap();
    }
    let history = "{\"points\":[{\"step\":4,\"d\":0.5,\"g\":0.25,\"rate\":null}],\"scores\":[]}";
    std::fs::write(common::repo_file(FIXTURE_RUN), read_sync(a.save_run(Some(history))).unwrap()).unwrap();
    std::fs::write(common::repo_file(FIXTURE_WEIGHTS), read_sync(a.save_weights(Dtype::F16)).unwrap()).unwrap();
}

#[test]
fn files_of_format_1_from_an_earlier_build_still_resume() {
    let bytes = std::fs::read(common::repo_file(FIXTURE_RUN)).unwrap();
    let file = SafeTensors::parse(&bytes).unwrap();
    assert_eq!(file.metadata.get("format").map(String::as_str), Some("gan-playground run 1"));
    let (mut b, loaded) = Trainer::resume(&bytes, Arc::new(common::blobs(16, 2)), &Device::flex()).unwrap();
    assert!(loaded.resumed && loaded.generator && loaded.critic);
    assert_eq!((b.step(), b.config().variant.as_str()), (FIXTURE_STEPS, "began"));
    assert!(loaded.metadata["history"].contains("\"step\":4"));
    // Every tensor of the file is the run's own now: saved again, the run gives them back as they were.
    let again = read_sync(b.save_run(None)).unwrap();
    let again = SafeTensors::parse(&again).unwrap();
    for t in &file.tensors {
        let mine = again.get(&t.name).unwrap_or_else(|| panic!("{} is not in the resumed run", t.name));
        assert_eq!(again.bytes_of(mine), file.bytes_of(t), "{}", t.name);
    }
    b.train_step().unwrap();
    assert_eq!(b.step(), FIXTURE_STEPS + 1);

    let weights = std::fs::read(common::repo_file(FIXTURE_WEIGHTS)).unwrap();
    let (c, loaded) = Trainer::resume(&weights, Arc::new(common::blobs(16, 2)), &Device::flex()).unwrap();
    assert!(!loaded.resumed && loaded.generator);
    assert_eq!(c.step(), FIXTURE_STEPS);
}

#[test]
fn a_file_of_a_later_format_is_refused_by_name() {
    let bytes = std::fs::read(common::repo_file(FIXTURE_RUN)).unwrap();
    let file = SafeTensors::parse(&bytes).unwrap();
    let mut metadata = file.metadata.clone();
    metadata.insert("format".into(), "gan-playground run 2".into());
    let later = edited_metadata(&bytes, metadata);
    let error = Trainer::resume(&later, Arc::new(common::blobs(16, 2)), &Device::flex()).err().unwrap();
    assert!(error.contains("format 2") && error.contains("format 1"), "{error}");
    let mut b = fixture_trainer();
    let before = read_sync(b.save_run(None)).unwrap();
    assert!(b.load_weights(&later, None).unwrap_err().contains("format 2"));
    assert!(read_sync(b.save_run(None)).unwrap() == before, "a refused file changed the run");
}

/// The fixtures' trainer: BEGAN at width 2 with 8 latents (a small file).
fn fixture_trainer() -> Trainer {
    let mut config = common::small_config(2, 4);
    config.model.nz = 8;
    config.variant = "began".into();
    config.seed = 5;
    Trainer::new(config, Arc::new(common::blobs(16, 2)), &Device::flex()).unwrap()
}

/// A copy of a file with other metadata.
fn edited_metadata(bytes: &[u8], metadata: std::collections::BTreeMap<String, String>) -> Vec<u8> {
    let file = SafeTensors::parse(bytes).unwrap();
    let tensors: Vec<TensorOut> = file.tensors.iter().map(|t| file.copy_of(t)).collect();
    serialize(&tensors, &metadata).unwrap()
}

/// A run file with one tensor rewritten by `edit` (name, values).
fn edited(bytes: &[u8], edit: impl Fn(&str, &mut TensorOut)) -> Vec<u8> {
    let file = SafeTensors::parse(bytes).unwrap();
    let tensors: Vec<TensorOut> = file
        .tensors
        .iter()
        .map(|t| {
            let mut out = file.copy_of(t);
            edit(&t.name, &mut out);
            out
        })
        .collect();
    serialize(&tensors, &file.metadata).unwrap()
}

#[test]
fn a_hostile_run_file_is_refused_and_changes_nothing() {
    let mut a = trainer("wgan-gp");
    a.train_step().unwrap();
    let good = read_sync(a.save_run(None)).unwrap();
    let mut b = trainer("wgan-gp");
    let before = read_sync(b.save_run(None)).unwrap();
    let nan = f32::NAN.to_le_bytes();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "not a permutation",
            edited(&good, |n, t| {
                if n == "run.batch_order" {
                    let second = t.bytes[4..8].to_vec();
                    t.bytes[..4].copy_from_slice(&second);
                }
            }),
        ),
        (
            "non-finite",
            edited(&good, |n, t| {
                if n == "optimizer.critic.main.0.weight.exp_avg_sq" {
                    t.bytes[..4].copy_from_slice(&nan);
                }
            }),
        ),
        (
            "step must be",
            edited(&good, |n, t| {
                if n == "optimizer.generator.main.0.weight.step" {
                    t.bytes = 0i64.to_le_bytes().to_vec();
                }
            }),
        ),
        (
            "needs",
            edited(&good, |n, t| {
                if n == "optimizer.generator.main.0.weight.exp_avg" {
                    t.name = "optimizer.generator.main.0.weight.square_avg".into();
                }
            }),
        ),
        (
            "run.grid_latent",
            edited(&good, |n, t| {
                if n == "run.grid_latent" {
                    t.shape = vec![t.shape[0] * t.shape[1], 1, 1, 1];
                }
            }),
        ),
    ];
    for (says, bytes) in cases {
        let e = b.load_weights(&bytes, None).unwrap_err();
        assert!(e.contains(says), "expected {says:?}: {e}");
    }
    // Mutations anywhere: an error or a run that still saves; never a panic.
    let mut rng = Rng::new(4);
    for _ in 0..1500 {
        let mut bytes = good.clone();
        let at = rng.below(bytes.len());
        bytes[at] ^= 1 << rng.below(8);
        if b.load_weights(&bytes, None).is_ok() {
            b = trainer("wgan-gp");
        }
    }
    assert!(read_sync(b.save_run(None)).unwrap() == before, "the run is as it was");
}

/// Our Adam and RMSProp against PyTorch's formulas in f64, on a generator's real gradients over
/// three steps.
#[test]
fn the_optimisers_follow_pytorchs_formulas() {
    let adam = Optimizer::Adam { learning_rate: 0.01, beta1: 0.5, beta2: 0.9 };
    let rmsprop = Optimizer::RmsProp { learning_rate: 0.01 };
    for rule in [adam, rmsprop] {
        let model = common::small_config(4, 4).model;
        let device = Device::flex().autodiff();
        let mut g = Sequential::init(&gan_playground::model::dcgan28::generator(&model), &mut Rng::new(1), &device);
        let mut optim = Optim::new(rule);
        let entries: Vec<_> = weights::entries(&g, "").into_iter().filter(|e| e.trainable).collect();
        let read = |g: &Sequential| read_sync(weights::read(g, &entries)).unwrap();
        let mut expected: Vec<Vec<f64>> = read(&g).iter().map(|v| v.iter().map(|&x| x as f64).collect()).collect();
        let mut m: Vec<Vec<f64>> = expected.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut v = m.clone();
        for t in 1..=3 {
            let z = latent(&mut Rng::new(t), 4, model.nz, &device);
            let loss = g.forward(z).powf_scalar(2.0).mean();
            let grads = loss.backward();
            let gradients: Vec<Vec<f32>> = entries
                .iter()
                .map(|e| to_f32(weights::gradient_of(&g, e, &grads).unwrap().into_data()).unwrap())
                .collect();
            let params = burn::optim::GradientsParams::from_grads(grads, &g);
            g = optim.step(g, params, None);
            for (i, grad) in gradients.iter().enumerate() {
                for (j, &gr) in grad.iter().enumerate() {
                    let gr = gr as f64;
                    expected[i][j] -= match rule {
                        Optimizer::Adam { learning_rate, beta1, beta2 } => {
                            let (b1, b2) = (beta1 as f64, beta2 as f64);
                            m[i][j] = b1 * m[i][j] + (1.0 - b1) * gr;
                            v[i][j] = b2 * v[i][j] + (1.0 - b2) * gr * gr;
                            let (c1, c2) = (1.0 - b1.powi(t as i32), 1.0 - b2.powi(t as i32));
                            learning_rate / c1 * m[i][j] / ((v[i][j] / c2).sqrt() + EPSILON as f64)
                        }
                        Optimizer::RmsProp { learning_rate } => {
                            let alpha = RMSPROP_ALPHA as f64;
                            v[i][j] = alpha * v[i][j] + (1.0 - alpha) * gr * gr;
                            learning_rate * gr / (v[i][j].sqrt() + EPSILON as f64)
                        }
                    };
                }
            }
        }
        for (got, want) in read(&g).iter().zip(&expected) {
            for (&a, &b) in got.iter().zip(want) {
                assert!((a as f64 - b).abs() <= 1e-6 + 1e-5 * b.abs(), "{rule:?}: {a} against {b}");
            }
        }
    }
}

/// The optimisers took over from burn's `AdamConfig` and `RmsPropConfig` (with the same
/// settings): their steps are burn's to the bit, so runs train exactly as before.
#[test]
fn the_optimisers_step_as_burns_did() {
    use burn::optim::{AdamConfig, GradientsParams, RmsPropConfig};
    let adam = Optimizer::Adam { learning_rate: 0.01, beta1: 0.5, beta2: 0.9 };
    for rule in [adam, Optimizer::RmsProp { learning_rate: 0.01 }] {
        let model = common::small_config(4, 4).model;
        let device = Device::flex().autodiff();
        let mut ours = Sequential::init(&gan_playground::model::dcgan28::generator(&model), &mut Rng::new(1), &device);
        let mut theirs = ours.clone();
        let mut optim = Optim::new(rule);
        let mut burns = match rule {
            Optimizer::Adam { beta1, beta2, .. } => {
                AdamConfig::new().with_beta_1(beta1).with_beta_2(beta2).with_epsilon(EPSILON).init()
            }
            Optimizer::RmsProp { .. } => RmsPropConfig::new()
                .with_alpha(RMSPROP_ALPHA)
                .with_momentum(0.0)
                .with_epsilon(EPSILON)
                .with_centered(false)
                .init(),
        };
        for t in 1..=5 {
            let z = latent(&mut Rng::new(t), 4, model.nz, &device);
            let g1 = GradientsParams::from_grads(ours.forward(z.clone()).powf_scalar(2.0).mean().backward(), &ours);
            let g2 = GradientsParams::from_grads(theirs.forward(z).powf_scalar(2.0).mean().backward(), &theirs);
            ours = optim.step(ours, g1, None);
            theirs = burns.step(rule.learning_rate(), theirs, g2);
        }
        let entries = weights::entries(&ours, "");
        let bits = |g: &Sequential| -> Vec<u32> {
            read_sync(weights::read(g, &entries)).unwrap().concat().iter().map(|v| v.to_bits()).collect()
        };
        assert!(bits(&ours) == bits(&theirs), "{rule:?}");
    }
}

/// Natively (the browser has one thread), flex splits large convolutions and products over rayon's threads: a run's bits must
/// not depend on how many there are (each output element is summed by one thread in one order),
/// or a run resumed on another pool would drift. Sizes where flex does split (widths 64, batch 64).
#[cfg(not(target_family = "wasm"))]
#[test]
fn a_run_is_the_same_bits_on_one_thread_and_on_every_core() {
    use gan_playground::backend::on_cpu_threads;
    for variant in ["ns-gan", "wgan-gp"] {
        let run = |one_thread: bool| {
            on_cpu_threads(one_thread, || {
                let mut config = common::small_config(64, 64);
                config.variant = variant.into();
                let mut trainer = Trainer::new(config, Arc::new(common::blobs(128, 3)), &Device::flex()).unwrap();
                trainer.train_step().unwrap();
                trainer.train_step().unwrap();
                read_sync(trainer.save_run(None)).unwrap()
            })
        };
        assert!(run(true) == run(false), "{variant}: one thread and every core train different bits");
    }
}
