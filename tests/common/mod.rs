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
