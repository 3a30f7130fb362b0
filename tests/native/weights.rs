//! Weight files: PyTorch state-dict names in safetensors, a bit-exact round trip, and strict,
//! specific errors that leave the model as it was.

use crate::common;

use std::collections::BTreeMap;

use burn::module::Module;
use burn::tensor::{Device, read_sync};
use gan_playground::gan;
use gan_playground::model::Sequential;
use gan_playground::rng::Rng;
use gan_playground::safetensors::{Dtype, SafeTensors, TensorOut, serialize};
use gan_playground::tensor::{latent, to_f32};
use gan_playground::weights;

fn networks(seed: u64) -> (Sequential, Sequential) {
    let model = common::small_config(8, 4).model;
    let device = Device::flex().autodiff();
    let mut rng = Rng::new(seed);
    let g = Sequential::init(&gan_playground::model::dcgan28::generator(&model), &mut rng, &device);
    let critic = gan::variant("wgan-gp").unwrap().critic_layers(&model);
    (g, Sequential::init(&critic, &mut rng, &device))
}

fn save(model: &Sequential, dtype: Dtype) -> Vec<u8> {
    let tensors = read_sync(weights::export(model, "", dtype, 0)).unwrap();
    serialize(&tensors, &BTreeMap::new()).unwrap()
}

fn sample(g: &Sequential) -> Vec<f32> {
    let z = latent(&mut Rng::new(5), 4, 100, &Device::flex());
    to_f32(g.valid().forward(z).into_data()).unwrap()
}

#[test]
fn names_and_shapes_are_pytorchs() {
    let (g, d) = networks(1);
    let names = |m: &Sequential| weights::entries(m, "").into_iter().map(|e| (e.name, e.shape)).collect::<Vec<_>>();
    assert_eq!(
        names(&g)[..5],
        [
            ("main.0.weight".to_string(), vec![100, 16, 7, 7]),
            ("main.1.weight".to_string(), vec![16]),
            ("main.1.bias".to_string(), vec![16]),
            ("main.1.running_mean".to_string(), vec![16]),
            ("main.1.running_var".to_string(), vec![16]),
        ]
    );
    assert_eq!(
        names(&d)[2..],
        [
            ("main.3.weight".to_string(), vec![16, 7, 7]),
            ("main.3.bias".to_string(), vec![16, 7, 7]),
            ("main.5.weight".to_string(), vec![1, 16, 7, 7]),
        ]
    );
    let file = save(&g, Dtype::F32);
    let parsed = SafeTensors::parse(&file).unwrap();
    let counter = parsed.get("main.1.num_batches_tracked").unwrap();
    assert_eq!((counter.dtype, counter.shape.len()), (Dtype::I64, 0));
}

#[test]
fn save_then_load_is_bit_exact() {
    let (g, d) = networks(1);
    let (fresh_g, fresh_d) = networks(2);
    for (model, fresh) in [(&g, &fresh_g), (&d, &fresh_d)] {
        let bytes = save(model, Dtype::F32);
        let loaded = weights::load(fresh, &SafeTensors::parse(&bytes).unwrap(), "").unwrap();
        assert_eq!(save(&loaded, Dtype::F32), bytes);
    }
    let loaded = weights::load(&fresh_g, &SafeTensors::parse(&save(&g, Dtype::F32)).unwrap(), "").unwrap();
    assert_eq!(sample(&loaded), sample(&g), "the same z must give the same samples");
}

#[test]
fn f16_and_bf16_files_load_close_to_the_original() {
    let (g, _) = networks(1);
    let (fresh, _) = networks(2);
    for (dtype, tolerance) in [(Dtype::F16, 2e-3), (Dtype::BF16, 2e-2)] {
        let bytes = save(&g, dtype);
        let loaded = weights::load(&fresh, &SafeTensors::parse(&bytes).unwrap(), "").unwrap();
        let error = common::relative_error(&sample(&loaded), &sample(&g));
        assert!(error < tolerance, "{dtype:?}: samples moved by {error}");
    }
}

#[test]
fn mismatched_files_give_specific_errors_and_change_nothing() {
    let (g, _) = networks(1);
    let before = save(&g, Dtype::F32);
    let file = SafeTensors::parse(&before).unwrap();
    let rewrite = |edit: &dyn Fn(&mut Vec<TensorOut>)| {
        let mut tensors: Vec<TensorOut> = file.tensors.iter().map(|t| file.copy_of(t)).collect();
        edit(&mut tensors);
        serialize(&tensors, &BTreeMap::new()).unwrap()
    };
    let error = |bytes: Vec<u8>| weights::load(&g, &SafeTensors::parse(&bytes).unwrap(), "").unwrap_err();
    let missing = error(rewrite(&|t| t.retain(|t| t.name != "main.4.running_var")));
    assert_eq!(missing, "missing tensor \"main.4.running_var\"");
    let extra = error(rewrite(&|t| t.push(TensorOut::from_f32("main.9.weight", vec![1], &[0.0], Dtype::F32).unwrap())));
    assert!(extra.contains("unexpected tensor \"main.9.weight\""), "{extra}");
    let shape = error(rewrite(&|t| {
        t[0] = TensorOut::from_f32("main.0.weight", vec![100, 8, 7, 7], &vec![0.0; 39200], Dtype::F32).unwrap()
    }));
    assert!(shape.contains("\"main.0.weight\" has shape [100, 8, 7, 7]; the model expects [100, 16, 7, 7]"), "{shape}");
    let dtype = error(rewrite(&|t| t[0].dtype = Dtype::I32));
    assert!(dtype.contains("has dtype I32; weights must be F32, F16 or BF16"), "{dtype}");
    let nan = error(rewrite(&|t| t[0].bytes[..4].copy_from_slice(&f32::NAN.to_le_bytes())));
    assert!(nan.contains("non-finite"), "{nan}");
    assert_eq!(save(&g, Dtype::F32), before, "a failed load must leave the model as it was");
}

mod trainer_files {
    use std::sync::Arc;

    use burn::tensor::{Device, read_sync};
    use gan_playground::safetensors::{Dtype, SafeTensors};
    use gan_playground::trainer::Trainer;

    use super::common;

    fn trainer(variant: &str, seed: u64) -> Trainer {
        let mut config = common::small_config(8, 4);
        config.variant = variant.into();
        config.seed = seed;
        Trainer::new(config, Arc::new(common::blobs(16, seed)), &Device::flex()).unwrap()
    }

    fn grid(t: &Trainer) -> Vec<f32> {
        read_sync(t.readout(true)).unwrap().samples.unwrap()
    }

    #[test]
    fn a_saved_run_loads_into_another_with_the_same_samples_and_metadata() {
        let mut a = trainer("began", 1);
        for _ in 0..3 {
            a.train_step().unwrap();
        }
        let mut bytes = read_sync(a.save_weights(Dtype::F32)).unwrap();
        let file = SafeTensors::parse(&bytes).unwrap();
        for (key, value) in
            [("model", "began28"), ("variant", "began"), ("steps", "3"), ("g_width", "8"), ("dataset", "mnist")]
        {
            assert_eq!(file.metadata.get(key).map(String::as_str), Some(value), "{key}");
        }
        // BEGAN's k_t is saved. Three steps may leave it at 0 (k_0), so the file gets another value
        // to see it come back.
        let k = file.bytes_of(file.get("state.k").expect("state.k is saved"));
        let k_at = k.as_ptr() as usize - bytes.as_ptr() as usize;
        bytes[k_at..k_at + 4].copy_from_slice(&0.25f32.to_le_bytes());

        // The same seed, so the same fixed z, but untrained.
        let mut b = trainer("began", 1);
        assert!(grid(&a) != grid(&b));
        let loaded = b.load_weights(&bytes, None).unwrap();
        assert!(loaded.generator && loaded.critic);
        assert!(grid(&a) == grid(&b), "the same weights and z give the same samples");
        let saved = read_sync(b.save_weights(Dtype::F32)).unwrap();
        assert_eq!(saved.len(), bytes.len());
        assert_eq!(SafeTensors::parse(&saved).unwrap().f32_tensor("state.k", &[1]).unwrap(), [0.25]);
        b.train_step().unwrap(); // and training goes on from there
    }

    /// The page's first samples: a saved run's generator alone, without the run, draws the grid
    /// the run shows (the CPU module does this while the full module loads).
    #[test]
    fn a_files_generator_alone_draws_its_runs_grid() {
        let mut a = trainer("ns-gan", 3);
        a.train_step().unwrap();
        let bytes = read_sync(a.save_weights(Dtype::F32)).unwrap();
        let device = Device::flex();
        let (g, arch) = gan_playground::sampler::generator_from(&SafeTensors::parse(&bytes).unwrap(), &device).unwrap();
        let config = a.config();
        let alone = gan_playground::sampler::run_grid(&g, config.seed, config.grid_samples, arch.nz, &device);
        let alone = gan_playground::tensor::to_f32(alone.into_data()).unwrap();
        assert_eq!(alone, grid(&a));
    }

    /// Random and mutated checkpoints through the whole load path: errors, never a panic, and the
    /// run unchanged after every failed load.
    #[test]
    fn mutated_checkpoints_never_panic_the_loader() {
        let a = trainer("wgan-gp", 1);
        let good = read_sync(a.save_weights(Dtype::F16)).unwrap();
        let mut b = trainer("wgan-gp", 1);
        let before = grid(&b);
        let mut rng = gan_playground::rng::Rng::new(99);
        let mut failures = 0;
        for i in 0..3000 {
            let mut bytes = good.clone();
            let r = rng.next_u64();
            match i % 3 {
                0 => bytes.truncate(r as usize % bytes.len()),
                1 => {
                    for _ in 0..1 + r % 4 {
                        let at = rng.next_u64() as usize % bytes.len();
                        bytes[at] ^= 1 << (rng.next_u64() % 8);
                    }
                }
                _ => {
                    // Corrupt the header's text, where the structure lives.
                    let header = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
                    let at = 8 + r as usize % header;
                    bytes[at] = b"{}[]\",:0123456789-eE."[(r >> 40) as usize % 21];
                }
            }
            if b.load_weights(&bytes, None).is_err() {
                failures += 1;
            } else {
                b = trainer("wgan-gp", 1); // a mutation that still loads (e.g. a changed weight)
            }
        }
        assert!(failures > 1000, "most mutations must be refused ({failures})");
        assert!(grid(&b) == before);
    }

    #[test]
    fn a_bare_state_dict_needs_a_target_and_a_bad_file_changes_nothing() {
        let mut a = trainer("ns-gan", 1);
        a.train_step().unwrap();
        let mut b = trainer("ns-gan", 1);
        let before = grid(&b);
        let g_only = {
            let tensors = read_sync(gan_playground::weights::export(a.generator(), "", Dtype::F16, 0)).unwrap();
            gan_playground::safetensors::serialize(&tensors, &Default::default()).unwrap()
        };
        let err = b.load_weights(&g_only, None).unwrap_err();
        assert!(err.contains("say whether it is the generator or the critic"), "{err}");
        let err = b.load_weights(&g_only, Some("critic")).unwrap_err();
        assert!(err.starts_with("critic: unexpected tensor \"main.1.bias\""), "{err}");
        let mut truncated = read_sync(a.save_weights(Dtype::F32)).unwrap();
        truncated.truncate(truncated.len() - 10);
        assert!(b.load_weights(&truncated, None).unwrap_err().contains("out of range"));
        assert!(grid(&b) == before, "failed loads leave the run as it was");
        let loaded = b.load_weights(&g_only, Some("generator")).unwrap();
        assert!(loaded.generator && !loaded.critic);
        let error = common::relative_error(&grid(&b), &grid(&a));
        assert!(error < 2e-3, "f16 weights give nearly the same samples ({error})");
    }

    /// A file names its networks' real architecture: dcgan28, began28 for BEGAN, mlp2d on points.
    #[test]
    fn a_file_says_which_architecture_its_networks_have() {
        for (variant, dataset, expected) in
            [("ns-gan", "mnist", "dcgan28"), ("began", "mnist", "began28"), ("wgan-gp", "ring", "mlp2d")]
        {
            let mut config = common::small_config(8, 4);
            (config.variant, config.dataset) = (variant.into(), dataset.into());
            let data = if dataset == "mnist" {
                common::blobs(16, 1)
            } else {
                config.model.nz = 2;
                gan_playground::data::training_set(dataset, None).unwrap()
            };
            let t = Trainer::new(config, Arc::new(data), &Device::flex()).unwrap();
            let bytes = read_sync(t.save_weights(Dtype::F32)).unwrap();
            let file = SafeTensors::parse(&bytes).unwrap();
            assert_eq!(file.metadata.get("model").map(String::as_str), Some(expected), "{variant} on {dataset}");
        }
    }
}

/// A pretrained run's first samples on the page are its opening grid (www/pretrained/*.opening.u8,
/// drawn by `npm run pretrain` with `gan sample --opening`), shown before any module has loaded:
/// they must be the grid the run itself draws from its file, pixel for pixel.
#[test]
fn pretrained_opening_grids_are_what_their_runs_draw() {
    use gan_playground::image::to_u8;
    use gan_playground::sampler;
    use gan_playground::trainer::Trainer;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/pretrained");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let manifest: serde_json::Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    let device = Device::flex();
    for entry in manifest["models"].as_array().unwrap() {
        let name = entry["file"].as_str().unwrap();
        if entry["variant"] == manifest["default"] {
            assert!(entry.get("opening").is_some(), "the default generator {name} has an opening grid");
        }
        let Some(opening) = entry.get("opening") else { continue };
        let bytes = read(name);
        let config = Trainer::config_of(&bytes).unwrap();
        let (g, arch) = sampler::generator_from(&SafeTensors::parse(&bytes).unwrap(), &device).unwrap();
        let grid = sampler::run_grid(&g, config.seed, config.grid_samples, arch.nz, &device);
        let shape: Vec<usize> =
            opening["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
        assert_eq!(grid.dims().to_vec(), shape, "{name}: the manifest's shape of its opening grid");
        let drawn: Vec<u8> =
            to_f32(read_sync(grid.into_data_async()).unwrap()).unwrap().into_iter().map(to_u8).collect();
        assert!(drawn == read(opening["file"].as_str().unwrap()), "{name}: its opening grid is the one its run draws");
    }
}
