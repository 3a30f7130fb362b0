//! Helpers shared by the native and the browser test suites.
#![allow(dead_code)]

use gan_playground::data::ImageDataset;
use gan_playground::model::Sizes;
use gan_playground::rng::Rng;
use gan_playground::trainer::TrainConfig;

/// 28×28 grey images of one bright Gaussian blob at a random place: structured data that
/// needs no file, for the browser tests (the page tests use the real MNIST file).
pub fn blobs(count: usize, seed: u64) -> ImageDataset {
    let mut rng = Rng::new(seed);
    let mut pixels = Vec::with_capacity(count * 784);
    for _ in 0..count {
        let (cx, cy) = (6.0 + 16.0 * rng.uniform(), 6.0 + 16.0 * rng.uniform());
        let r2 = (2.0 + 3.0 * rng.uniform()).powi(2);
        for y in 0..28 {
            for x in 0..28 {
                let d2 = (x as f64 - cx).powi(2) + (y as f64 - cy).powi(2);
                pixels.push((255.0 * (-d2 / (2.0 * r2)).exp()).round() as u8);
            }
        }
    }
    ImageDataset::new(1, 28, 28, pixels, vec![255; count]).expect("valid dataset")
}

/// A copy of an f32 checkpoint with the critic's weights multiplied by `factor`: still finite,
/// so it loads, but with a large factor its next step overflows (a run made to diverge).
pub fn scaled_critic(bytes: &[u8], factor: f32) -> Vec<u8> {
    use gan_playground::safetensors::{Dtype, SafeTensors, TensorOut, serialize};
    let file = SafeTensors::parse(bytes).expect("a valid checkpoint");
    let tensors: Vec<TensorOut> = file
        .tensors
        .iter()
        .map(|t| {
            if t.name.starts_with("critic.") && t.name.ends_with(".weight") {
                let values: Vec<f32> = file.f32_values(t).unwrap().iter().map(|v| v * factor).collect();
                TensorOut::from_f32(&t.name, t.shape.clone(), &values, Dtype::F32).unwrap()
            } else {
                file.copy_of(t)
            }
        })
        .collect();
    serialize(&tensors, &file.metadata).unwrap()
}

/// A narrow dcgan28: same layers and shapes as the reference, fewer channels, small batches.
pub fn small_config(width: usize, batch_size: usize) -> TrainConfig {
    TrainConfig {
        model: Sizes { nz: 100, g_width: width, d_width: width, channels: 1 },
        batch_size,
        grid_samples: 16,
        ..TrainConfig::default()
    }
}

/// max |a − b| / max |b|: the error relative to the reference tensor's scale.
pub fn relative_error(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-12);
    a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs())) / scale
}

/// The variants' PyTorch fixtures (made by `scripts/torch_reference.py fixtures`), embedded for the
/// browser test (tests/native/parity.rs checks that they are the registry's).
pub const GRAD_FIXTURES: &[(&str, &[u8])] = &[
    ("ns-gan", include_bytes!("../fixtures/grads/ns-gan.safetensors")),
    ("mm-gan", include_bytes!("../fixtures/grads/mm-gan.safetensors")),
    ("lsgan", include_bytes!("../fixtures/grads/lsgan.safetensors")),
    ("wgan", include_bytes!("../fixtures/grads/wgan.safetensors")),
    ("wgan-gp", include_bytes!("../fixtures/grads/wgan-gp.safetensors")),
    ("dragan", include_bytes!("../fixtures/grads/dragan.safetensors")),
    ("began", include_bytes!("../fixtures/grads/began.safetensors")),
    ("vae", include_bytes!("../fixtures/grads/vae.safetensors")),
];

/// Losses of one run on two backends agree: to 1e-4 relative, or 1e-5 absolute. WGAN's clipped
/// critic gives losses of 1e-3 and 1e-5 that are differences of sums of thousands of terms 100×
/// larger: summed in another order (SIMD on the CPU), they differ by 1e-6 absolute.
pub fn losses_agree(a: &[f32], b: &[f32]) -> bool {
    let absolute = a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
    relative_error(a, b) <= 1e-4 || absolute <= 1e-5
}

/// Evaluates a variant's losses and gradients on a fixture's inputs on `device` and compares every
/// output with PyTorch's (`expected.<name>`): the same names, the same shapes, and values within
/// `tolerance` relative to each tensor's scale. Returns the worst relative error and its tensor.
pub async fn check_grad_fixture(
    variant: &str,
    bytes: &[u8],
    device: &burn::tensor::Device,
    tolerance: f32,
) -> Result<(f32, String), String> {
    use gan_playground::grads::{GradInputs, evaluate};
    use gan_playground::safetensors::SafeTensors;
    let file = SafeTensors::parse(bytes)?;
    let inputs = GradInputs::from_file(variant, &file, (&file, "generator."), (&file, "critic."), device)?;
    let ours = evaluate(inputs).await?;
    let expected: Vec<&str> = file.tensors.iter().filter_map(|t| t.name.strip_prefix("expected.")).collect();
    let mut names: Vec<&str> = ours.iter().map(|n| n.name.as_str()).collect();
    let mut sorted = expected.clone();
    names.sort();
    sorted.sort();
    if names != sorted {
        return Err(format!("{variant}: outputs {names:?}, PyTorch has {sorted:?}"));
    }
    let mut worst = (0f32, String::new());
    for n in &ours {
        let reference = file.f32_tensor(&format!("expected.{}", n.name), &n.shape)?;
        let error = relative_error(&n.values, &reference);
        if error.is_nan() || error > tolerance {
            return Err(format!("{variant}: {} differs from PyTorch by {error:e} (relative)", n.name));
        }
        if error >= worst.0 {
            worst = (error, n.name.clone());
        }
    }
    Ok(worst)
}

/// PyTorch state dicts (as `save_file(net.state_dict())` writes them) and their eval-mode outputs.
pub mod forward_fixtures {
    pub const DCGAN28_G: &[u8] = include_bytes!("../fixtures/forward/dcgan28-generator.safetensors");
    pub const DCGAN28_D: &[u8] = include_bytes!("../fixtures/forward/dcgan28-critic.safetensors");
    pub const DCGAN28_IO: &[u8] = include_bytes!("../fixtures/forward/dcgan28-io.safetensors");
    pub const DCGAN64_G: &[u8] = include_bytes!("../fixtures/forward/dcgan64-generator.safetensors");
    pub const DCGAN64_IO: &[u8] = include_bytes!("../fixtures/forward/dcgan64-io.safetensors");
}

/// Loads the PyTorch fixtures with no conversion and returns the relative errors of our G(z) and
/// D(G(z)) for dcgan28 and of G(z) for dcgan64, all in eval mode, on `device`.
pub async fn forward_errors(device: &burn::tensor::Device) -> Result<[f32; 3], String> {
    use burn::module::Module;
    use burn::tensor::Transaction;
    use forward_fixtures::*;
    use gan_playground::model::{Sequential, Sizes, dcgan28};
    use gan_playground::safetensors::SafeTensors;
    use gan_playground::sampler;
    use gan_playground::weights;
    let parse = SafeTensors::parse;
    let (g28, d28, io28) = (parse(DCGAN28_G)?, parse(DCGAN28_D)?, parse(DCGAN28_IO)?);
    let (g64, io64) = (parse(DCGAN64_G)?, parse(DCGAN64_IO)?);
    let (g, arch) = sampler::generator_from(&g28, device)?;
    assert_eq!(arch.model, "dcgan28");
    let d_width = d28.get("main.0.weight").ok_or("no main.0.weight")?.shape[0];
    let blank =
        Sequential::init(&dcgan28::discriminator(&Sizes { d_width, ..Sizes::default() }), &mut Rng::new(0), device);
    let d = weights::load(&blank, &d28, "")?.valid();
    let (g_64, arch64) = sampler::generator_from(&g64, device)?;
    assert_eq!((arch64.model, arch64.image), ("dcgan64", [3, 64, 64]));
    let fake = g.forward(sampler::latent_from(&io28, arch.nz, device)?);
    let logits = d.forward(fake.clone());
    let fake64 = g_64.forward(sampler::latent_from(&io64, arch64.nz, device)?);
    let data = Transaction::default().register(fake).register(logits).register(fake64).execute_async().await;
    let data = data.map_err(|e| format!("{e:?}"))?;
    let values: Vec<Vec<f32>> = data.into_iter().map(gan_playground::tensor::to_f32).collect::<Result<_, _>>()?;
    let expect = |file: &SafeTensors, name: &str| file.f32_values(file.get(name).ok_or("missing expected tensor")?);
    Ok([
        relative_error(&values[0], &expect(&io28, "samples")?),
        relative_error(&values[1], &expect(&io28, "critic_logits")?),
        relative_error(&values[2], &expect(&io64, "samples")?),
    ])
}

/// A file of this repository, found at run time: `cargo test` runs tests from the package root
/// and names it in `CARGO_MANIFEST_DIR`. (The compile-time `env!` would bake in the path of
/// whichever checkout built the binary first, and cargo reuses binaries across checkouts that
/// share a target dir.)
pub fn repo_file(relative: &str) -> std::path::PathBuf {
    std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into())).join(relative)
}

/// A value of `setting` that no run takes by default and that keeps a run small: a thousandth of
/// the way up its range (a whole number at least one above its minimum). The page tests use the
/// same rule (tests/e2e/settings.test.mjs).
pub fn probe_value(setting: &gan_playground::trainer::settings::Setting) -> f64 {
    let value = setting.min + (setting.max - setting.min) * 0.001;
    match setting.kind {
        gan_playground::trainer::settings::Kind::Int => value.round().max(setting.min + 1.0),
        gan_playground::trainer::settings::Kind::Number => value,
    }
}

/// The convolutions' products on `device` against the CPU backend's, on awkward shapes (odd
/// sizes, batch 1, 3 channels, output padding, 1×1 and 7×7 kernels, the 64×64 model's layers):
/// each output, input gradient and weight gradient (of a random projection of the output). The
/// worst relative error, and where.
pub async fn conv_products_errors(device: &burn::tensor::Device) -> Result<(f32, String), String> {
    use burn::tensor::{Device, Tensor, TensorData, Transaction};
    use gan_playground::model::conv;
    type Case = (bool, [usize; 4], [usize; 4], usize, usize, [usize; 2]);
    // (transposed, x, weight, stride, padding, output padding)
    // The last two have columns over 128 MiB (WebGPU's default binding size), taken in parts.
    let cases: [Case; 12] = [
        (false, [3, 4, 14, 14], [6, 4, 4, 4], 2, 1, [0; 2]),
        (false, [1, 3, 9, 7], [5, 3, 3, 3], 1, 1, [0; 2]),
        (false, [2, 5, 8, 8], [3, 5, 3, 3], 2, 0, [0; 2]),
        (false, [2, 4, 5, 5], [3, 4, 1, 1], 1, 0, [0; 2]),
        (false, [5, 3, 29, 27], [7, 3, 4, 4], 2, 1, [0; 2]),
        (false, [4, 64, 32, 32], [128, 64, 4, 4], 2, 1, [0; 2]),
        (true, [3, 6, 7, 7], [6, 4, 4, 4], 2, 1, [0; 2]),
        (true, [1, 4, 7, 5], [4, 3, 3, 3], 2, 1, [1, 0]),
        (true, [2, 3, 1, 1], [3, 4, 7, 7], 1, 0, [0; 2]),
        (true, [4, 128, 16, 16], [128, 3, 4, 4], 2, 1, [0; 2]),
        (false, [5, 512, 64, 64], [8, 512, 4, 4], 2, 1, [0; 2]),
        (true, [5, 8, 32, 32], [8, 512, 4, 4], 2, 1, [0; 2]),
    ];
    let mut worst = (0.0f32, String::new());
    for (transposed, x_dims, w_dims, stride, padding, padding_out) in cases {
        let mut rng = Rng::new(5);
        let values = |rng: &mut Rng, dims: [usize; 4]| rng.normal_vec(dims.iter().product(), 0.0, 1.0);
        let (x_values, w_values) = (values(&mut rng, x_dims), values(&mut rng, w_dims));
        let run = |device: &Device| {
            let device = device.clone().autodiff();
            let make = |v: &Vec<f32>, dims| Tensor::<4>::from_data(TensorData::new(v.clone(), dims), &device);
            let (x, w) = (make(&x_values, x_dims).require_grad(), make(&w_values, w_dims).require_grad());
            let y = match transposed {
                true => conv::conv_transpose2d(x.clone(), w.clone(), stride, padding, padding_out),
                false => conv::conv2d(x.clone(), w.clone(), stride, padding),
            };
            let projection = Rng::new(3).normal_vec(y.dims().iter().product(), 0.0, 1.0);
            let grads =
                (y.clone() * Tensor::from_data(TensorData::new(projection, y.dims()), &device)).sum().backward();
            [y.inner(), x.grad(&grads).unwrap(), w.grad(&grads).unwrap()]
        };
        let read = |tensors: [Tensor<4>; 3]| async move {
            let data = tensors.into_iter().fold(Transaction::default(), |t, x| t.register(x)).execute_async().await;
            let data = data.map_err(|e| format!("{e:?}"))?;
            data.into_iter().map(gan_playground::tensor::to_f32).collect::<Result<Vec<_>, _>>()
        };
        let (ours, reference) = (read(run(device)).await?, read(run(&Device::flex())).await?);
        for ((a, b), what) in ours.iter().zip(&reference).zip(["output", "input gradient", "weight gradient"]) {
            let case = format!("{} {x_dims:?} * {w_dims:?}: {what}", if transposed { "transposed" } else { "conv" });
            if a.len() != b.len() {
                return Err(format!("{case}: {} values against {}", a.len(), b.len()));
            }
            let error = relative_error(a, b);
            if error >= worst.0 {
                worst = (error, case);
            }
        }
    }
    Ok(worst)
}
