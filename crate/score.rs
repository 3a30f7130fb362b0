//! Scores of a generator against real data: FID-style distance and KID on the MNIST classifier's
//! features, and the classifier's predicted-class histogram of the samples (mode collapse made
//! visible). Features are computed on the device in batches and read back asynchronously.

use burn::tensor::{Device, Tensor, Transaction};
use serde::Serialize;

use crate::classifier::{CLASSES, Classifier, FEATURES, predict};
use crate::metrics::{Features, frechet_distance, kernel_inception_distance};
use crate::model::Sequential;
use crate::rng::Rng;
use crate::trainer::{latent, to_f32};

/// Images per forward pass.
const BATCH: usize = 100;
/// KID's protocol: subsets of up to 1,000 vectors, averaged over 10 subsets.
const KID_SUBSETS: usize = 10;
const KID_SUBSET_SIZE: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scores {
    /// Samples compared on each side.
    pub n: usize,
    /// Fréchet distance between Gaussians fitted to the classifier features ("FID" on our features).
    pub fid: f64,
    pub kid: f64,
    pub kid_std: f64,
    /// How many generated samples the classifier puts in each class 0–9.
    pub classes: [usize; CLASSES],
}

/// Features and predicted classes of `images` (any number, [N, 1, 28, 28]).
pub async fn features_of(classifier: &Classifier, images: Tensor<4>) -> Result<(Vec<f64>, Vec<usize>), String> {
    let n = images.dims()[0];
    let mut tx = Transaction::default();
    for start in (0..n).step_by(BATCH) {
        let batch = images.clone().slice(start..(start + BATCH).min(n));
        tx = tx.register(classifier.features(batch.clone())).register(predict(classifier, batch));
    }
    let data = tx.execute_async().await.map_err(|e| format!("reading features from the device failed: {e:?}"))?;
    let (mut features, mut classes) = (Vec::with_capacity(n * FEATURES), Vec::with_capacity(n));
    for (i, d) in data.into_iter().enumerate() {
        if i % 2 == 0 {
            features.extend(to_f32(d)?.into_iter().map(f64::from));
        } else {
            classes.extend(
                d.convert::<i64>().try_to_vec::<i64>().map_err(|e| format!("{e:?}"))?.into_iter().map(|c| c as usize),
            );
        }
    }
    Ok((features, classes))
}

/// `n` samples of G (eval-free: BatchNorm with each batch's statistics, as the page's grid) from
/// latents drawn with `seed`.
pub fn generate(generator: &Sequential, nz: usize, n: usize, seed: u64, device: &Device) -> Tensor<4> {
    let mut rng = Rng::new(seed);
    let batches: Vec<Tensor<4>> = (0..n)
        .step_by(BATCH)
        .map(|start| {
            let z = latent(&mut rng, BATCH.min(n - start), nz, device);
            generator.forward_batch_statistics(z)
        })
        .collect();
    Tensor::cat(batches, 0)
}

/// The real images a run's samples are scored against: MNIST's held-out digits (every fifth, see
/// [`crate::classifier::held_out`]), or `n` triangles from a seed the training set does not use.
pub fn reference_images(dataset_name: &str, data: &crate::data::ImageDataset, n: usize, device: &Device) -> Tensor<4> {
    match dataset_name {
        "triangles" => {
            crate::data::triangles::triangles(n, HELD_OUT_TRIANGLES_SEED).0.batch(&(0..n).collect::<Vec<_>>(), device)
        }
        _ => {
            // Spread over the whole held-out set: the digits come grouped by class.
            let all = crate::classifier::held_out(data.len());
            let n = n.min(all.len());
            let indices: Vec<usize> = (0..n).map(|i| all[i * all.len() / n]).collect();
            data.batch(&indices, device)
        }
    }
}

/// The seed of the held-out triangles (the training set uses [`crate::data::TRIANGLES_TRAINING`]'s).
pub const HELD_OUT_TRIANGLES_SEED: u64 = 4242;

/// Scores `fake` against `real` (equal counts recommended; both [N, 1, 28, 28] in [-1, 1]).
pub async fn score(classifier: &Classifier, real: Tensor<4>, fake: Tensor<4>, seed: u64) -> Result<Scores, String> {
    let (n_real, n_fake) = (real.dims()[0], fake.dims()[0]);
    let (real_features, _) = features_of(classifier, real).await?;
    let (fake_features, classes) = features_of(classifier, fake).await?;
    let real = Features::new(n_real, FEATURES, real_features)?;
    let fake = Features::new(n_fake, FEATURES, fake_features)?;
    let fid = frechet_distance(&real, &fake)?;
    let (kid, kid_std) = kernel_inception_distance(&real, &fake, KID_SUBSETS, KID_SUBSET_SIZE, seed)?;
    let mut histogram = [0; CLASSES];
    for c in classes {
        histogram[c.min(CLASSES - 1)] += 1;
    }
    Ok(Scores { n: n_fake, fid, kid, kid_std, classes: histogram })
}
