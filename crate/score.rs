//! Scores of a generator against real data: FID-style distance and KID on the MNIST classifier's
//! features, and the classifier's predicted-class histogram of the samples (mode collapse made
//! visible). Features are computed on the device in batches and read back asynchronously.

use burn::module::Module;
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
pub fn reference_images(
    dataset_name: &str,
    data: &crate::data::ImageDataset,
    n: usize,
    device: &Device,
) -> Result<Tensor<4>, String> {
    Ok(match dataset_name {
        "triangles" => {
            crate::data::triangles::triangles(n, HELD_OUT_TRIANGLES_SEED)?.0.batch(&(0..n).collect::<Vec<_>>(), device)
        }
        _ => {
            // Spread over the whole held-out set: the digits come grouped by class.
            let all = crate::classifier::held_out(data.len());
            let n = n.min(all.len());
            let indices: Vec<usize> = (0..n).map(|i| all[i * all.len() / n]).collect();
            data.batch(&indices, device)
        }
    })
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

/// Precision and recall on the triangles, in the spirit of the study (Lucic et al. 2017, §5.1):
/// - the distance of an image to the triangle manifold is the RMS pixel difference (grey levels in
///   [0, 1]) to its nearest neighbour in a bank of [`BANK`] true triangles (seed 7): a fitted
///   triangle found by search over the manifold's samples;
/// - the threshold τ is the 99th percentile of that distance for held-out true triangles, so a
///   true triangle counts as close 99 % of the time;
/// - precision: the share of G's samples within τ of the manifold;
/// - recall: the share of held-out triangles G can reproduce within τ, each by latent inversion
///   (Adam on z, [`INVERSION_STEPS`] steps, lr 0.05, from N(0, I)).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TriangleScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub threshold: f64,
}

pub const BANK: usize = 20_000;
pub const INVERSION_STEPS: usize = 150;

/// RMS distance of each row of `images` [n, 784] (grey levels in [0, 1]) to its nearest row of `bank`.
fn nearest_rms(images: Tensor<2>, bank: Tensor<2>) -> Tensor<1> {
    let n = images.dims()[0];
    let dim = images.dims()[1] as f64;
    let x2 = images.clone().square().sum_dim(1); // [n, 1]
    let b2 = bank.clone().square().sum_dim(1).transpose(); // [1, B]
    let d2 = x2 + b2 - images.matmul(bank.transpose()).mul_scalar(2.0);
    d2.min_dim(1).clamp_min(0.0).div_scalar(dim).sqrt().reshape([n])
}

fn unit_rows(images: Tensor<4>) -> Tensor<2> {
    let n = images.dims()[0];
    images.reshape([n, 784]).add_scalar(1.0).div_scalar(2.0).clamp(0.0, 1.0)
}

/// See [`TriangleScores`]. `generator` must live on an autodiff device (inversion differentiates it
/// with respect to z); `n` samples for precision, `m` held-out triangles for recall.
pub async fn triangle_precision_recall(
    generator: &Sequential,
    nz: usize,
    n: usize,
    m: usize,
    seed: u64,
) -> Result<TriangleScores, String> {
    use crate::data::triangles::triangles;
    let device = generator.devices().first().cloned().ok_or("the generator has no device")?;
    let plain = device.clone().without_autodiff();
    let all = |count: usize, s: u64| -> Result<Tensor<4>, String> {
        Ok(triangles(count, s)?.0.batch(&(0..count).collect::<Vec<_>>(), &plain))
    };
    let bank = unit_rows(all(BANK, 7)?);
    let held_out = all(m.max(100), HELD_OUT_TRIANGLES_SEED)?;
    let real_distance = nearest_rms(unit_rows(held_out.clone()), bank.clone());
    let fake = generate(&generator.valid(), nz, n, seed, &plain);
    let fake_distance = nearest_rms(unit_rows(fake), bank);

    // Latent inversion of the first m held-out triangles, all at once.
    let target = held_out.slice(0..m).detach();
    let mut z: Tensor<4> = latent(&mut Rng::new(seed ^ 0x1AE5), m, nz, &plain);
    let (mut first, mut second) = (z.zeros_like(), z.zeros_like());
    let (lr, b1, b2, eps): (f64, f64, f64, f64) = (0.05, 0.9, 0.999, 1e-8);
    for t in 1..=INVERSION_STEPS {
        let zt = z.clone().autodiff().require_grad();
        let out = generator.forward_batch_statistics(zt.clone());
        let loss = (out - target.clone().autodiff()).square().mean();
        let grads = loss.backward();
        let g = zt.grad(&grads).ok_or("no gradient reached z")?;
        first = first.mul_scalar(b1) + g.clone().mul_scalar(1.0 - b1);
        second = second.mul_scalar(b2) + g.square().mul_scalar(1.0 - b2);
        let (c1, c2) = (1.0 - b1.powi(t as i32), 1.0 - b2.powi(t as i32));
        let step = first.clone().div_scalar(c1) / second.clone().div_scalar(c2).sqrt().add_scalar(eps);
        z = z - step.mul_scalar(lr);
    }
    let reproduced = generator.valid().forward_batch_statistics(z);
    let inversion_distance = (unit_rows(reproduced) - unit_rows(target)).square().mean_dim(1).sqrt().reshape([m]);

    let data = Transaction::default()
        .register(real_distance)
        .register(fake_distance)
        .register(inversion_distance)
        .execute_async()
        .await
        .map_err(|e| format!("reading distances from the device failed: {e:?}"))?;
    let mut values = data.into_iter().map(to_f32);
    let mut next = || values.next().ok_or_else(|| "missing read-back".to_string()).and_then(|v| v);
    let (mut real, fake, inverted) = (next()?, next()?, next()?);
    real.sort_by(|a, b| a.total_cmp(b));
    let threshold = f64::from(real[((real.len() as f64 * 0.99).ceil() as usize).min(real.len()) - 1]);
    let share = |d: &[f32]| d.iter().filter(|&&v| f64::from(v) <= threshold).count() as f64 / d.len().max(1) as f64;
    let (precision, recall) = (share(&fake), share(&inverted));
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    Ok(TriangleScores { precision, recall, f1, threshold })
}
