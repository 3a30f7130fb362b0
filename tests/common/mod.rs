//! Helpers shared by the native and the browser test suites.
#![allow(dead_code)]

use gan_playground::data::ImageDataset;
use gan_playground::model::dcgan28::Dcgan28;
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

/// A narrow dcgan28: same layers and shapes as the reference, fewer channels, small batches.
pub fn small_config(width: usize, batch_size: usize) -> TrainConfig {
    TrainConfig {
        model: Dcgan28 { nz: 100, g_width: width, d_width: width },
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

/// The variants' PyTorch fixtures (made by `scripts/torch_reference.py fixtures`).
pub const GRAD_FIXTURES: &[(&str, &[u8])] = &[
    ("ns-gan", include_bytes!("../fixtures/grads/ns-gan.safetensors")),
    ("mm-gan", include_bytes!("../fixtures/grads/mm-gan.safetensors")),
    ("lsgan", include_bytes!("../fixtures/grads/lsgan.safetensors")),
    ("wgan", include_bytes!("../fixtures/grads/wgan.safetensors")),
    ("wgan-gp", include_bytes!("../fixtures/grads/wgan-gp.safetensors")),
    ("dragan", include_bytes!("../fixtures/grads/dragan.safetensors")),
    ("began", include_bytes!("../fixtures/grads/began.safetensors")),
];

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
