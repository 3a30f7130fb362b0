//! Scores of a generator against real data: FID-style distance and KID on the MNIST classifier's
//! features, and the classifier's predicted-class histogram of the samples (mode collapse made
//! visible). Features are computed on the device in batches and read back asynchronously.

use burn::module::Module;
use burn::tensor::{Device, Tensor, Transaction};
use serde::Serialize;

use crate::classifier::{CLASSES, Classifier, FEATURES};
use crate::data::ImageDataset;
use crate::data::triangles::Triangle;
use crate::metrics::{Features, frechet_distance, kernel_inception_distance};
use crate::model::Sequential;
use crate::rng::Rng;
use crate::tensor::{latent, to_f32};

/// Images per forward pass.
const BATCH: usize = 100;
/// KID's protocol: subsets of up to 1,000 vectors, averaged over 10 subsets.
const KID_SUBSETS: usize = 10;
const KID_SUBSET_SIZE: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scores {
    /// Samples compared on each side.
    pub n: usize,
    /// Fréchet distance between Gaussians fitted to the classifier features ("FID" on our features).
    pub fid: f64,
    pub kid: f64,
    pub kid_std: f64,
    /// How many generated samples the classifier puts in each class 0–9.
    pub classes: [usize; CLASSES],
    /// How many samples it labels with confidence (top class probability at least [`CONFIDENT`]):
    /// digits a reader would name, where a blot still gets some class.
    pub confident: usize,
}

/// The top class probability from which a sample counts as [`Scores::confident`].
pub const CONFIDENT: f64 = 0.9;

/// What the classifier makes of some images: features, predicted classes, top class probabilities.
pub struct Seen {
    pub features: Vec<f64>,
    pub classes: Vec<usize>,
    pub confidences: Vec<f64>,
}

/// What the classifier makes of `images` (any number, [N, 1, 28, 28]).
pub async fn features_of(classifier: &Classifier, images: Tensor<4>) -> Result<Seen, String> {
    let n = images.dims()[0];
    let mut tx = Transaction::default();
    for start in (0..n).step_by(BATCH) {
        let features = classifier.features(images.clone().slice(start..(start + BATCH).min(n)));
        tx = tx.register(features.clone()).register(classifier.logits_of(features));
    }
    let data = tx.execute_async().await.map_err(|e| format!("reading features from the device failed: {e:?}"))?;
    let mut seen =
        Seen { features: Vec::with_capacity(n * FEATURES), classes: Vec::with_capacity(n), confidences: Vec::new() };
    for (i, d) in data.into_iter().enumerate() {
        if i % 2 == 0 {
            seen.features.extend(to_f32(d)?.into_iter().map(f64::from));
        } else {
            for logits in to_f32(d)?.chunks(CLASSES) {
                let (class, confidence) = top_class(logits);
                seen.classes.push(class);
                seen.confidences.push(confidence);
            }
        }
    }
    Ok(seen)
}

/// The first class of highest logit and its softmax probability.
fn top_class(logits: &[f32]) -> (usize, f64) {
    let (mut class, mut top) = (0, f64::NEG_INFINITY);
    for (c, &l) in logits.iter().enumerate() {
        if f64::from(l) > top {
            (class, top) = (c, f64::from(l));
        }
    }
    let sum: f64 = logits.iter().map(|&l| (f64::from(l) - top).exp()).sum();
    (class, 1.0 / sum)
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
    if real.dims()[1] != 1 || fake.dims()[1] != 1 {
        return Err("the scores use an MNIST classifier: they compare grey images only".into());
    }
    let (n_real, n_fake) = (real.dims()[0], fake.dims()[0]);
    let real_seen = features_of(classifier, real).await?;
    let fake_seen = features_of(classifier, fake).await?;
    let real = Features::new(n_real, FEATURES, real_seen.features)?;
    let fake = Features::new(n_fake, FEATURES, fake_seen.features)?;
    let fid = frechet_distance(&real, &fake)?;
    let (kid, kid_std) = kernel_inception_distance(&real, &fake, KID_SUBSETS, KID_SUBSET_SIZE, seed)?;
    let mut histogram = [0; CLASSES];
    for &c in &fake_seen.classes {
        histogram[c] += 1;
    }
    let confident = fake_seen.confidences.iter().filter(|&&p| p >= CONFIDENT).count();
    Ok(Scores { n: n_fake, fid, kid, kid_std, classes: histogram, confident })
}

/// Precision and recall on the triangles, in the spirit of the study (Lucic et al. 2017, §5.1):
/// - an image's distance to the triangle manifold is its RMS grey-level residual (levels in
///   [0, 1]) to the closest triangle of the dataset: the nearest of [`BANK`] true triangles
///   (seed 7) as a start, then a fit of the three vertex angles
///   ([`crate::data::triangles::fit`]);
/// - the tolerance τ is how far a true triangle is from itself moved by one pixel (the median over
///   200 held-out triangles, [`crate::data::triangles::displacement_distance`]): about 0.15. A
///   sample within it is a triangle give or take a pixel; the median residual is reported too,
///   free of any threshold;
/// - precision: the share of G's samples within τ of the manifold;
/// - recall: the share of held-out triangles G reproduces within τ, each by latent inversion (Adam
///   on z from N(0, I), lr 0.05, z kept in [−3, 3] so that G is asked for what its prior can
///   reach, not for arbitrary latents).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TriangleScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub threshold: f64,
    /// The median distance of the samples to the manifold, and of the held-out triangles to
    /// their inversions (both free of any threshold).
    pub median_residual: f64,
    pub median_inversion: f64,
    /// Samples fitted, held-out triangles inverted.
    pub n: usize,
    pub m: usize,
}

pub const BANK: usize = 5_000;
/// The tolerance: a triangle displaced by this many pixels is just within it (the default).
pub const TOLERANCE_PIXELS: f64 = 1.0;
/// Latent components are kept in [−LATENT_BOUND, LATENT_BOUND] during inversion.
pub const LATENT_BOUND: f64 = 3.0;

/// Index of the nearest row of `bank` for each row of `images` (both [·, 784]).
fn nearest(images: Tensor<2>, bank: Tensor<2>) -> Tensor<2, burn::tensor::Int> {
    let b2 = bank.clone().square().sum_dim(1).transpose(); // [1, B]; ‖x‖² is the same along a row
    (b2 - images.matmul(bank.transpose()).mul_scalar(2.0)).argmin(1)
}

fn unit_rows(images: Tensor<4>) -> Tensor<2> {
    let n = images.dims()[0];
    images.reshape([n, 784]).add_scalar(1.0).div_scalar(2.0).clamp(0.0, 1.0)
}

/// The bank of true triangles that fits start from, made once per process (5,000 renders).
fn bank() -> Result<&'static (ImageDataset, Vec<Triangle>), String> {
    static BANK_TRIANGLES: std::sync::OnceLock<(ImageDataset, Vec<Triangle>)> = std::sync::OnceLock::new();
    if let Some(bank) = BANK_TRIANGLES.get() {
        return Ok(bank);
    }
    let made = crate::data::triangles::triangles(BANK, 7)?;
    Ok(BANK_TRIANGLES.get_or_init(|| made))
}

/// See [`TriangleScores`]. `samples` are G's ([n, 1, 28, 28], e.g. from [`generate`], the ones the
/// other scores rate); `generator` must live on an autodiff device (inversion differentiates it with
/// respect to its `nz` latents, drawn with `seed`); `m` held-out triangles for recall, inverted in
/// `steps` Adam steps; the tolerance is a displacement of `tolerance_pixels` (see
/// [`TOLERANCE_PIXELS`]).
pub async fn triangle_precision_recall(
    generator: &Sequential,
    nz: usize,
    samples: Tensor<4>,
    m: usize,
    steps: usize,
    seed: u64,
    tolerance_pixels: f64,
) -> Result<TriangleScores, String> {
    use crate::data::triangles::{displacement_distance, fit, triangles};
    let n = samples.dims()[0];
    if n == 0 || m == 0 {
        return Err(format!("precision and recall need samples and held-out triangles, got {n} and {m}"));
    }
    let device = generator.devices().first().cloned().ok_or("the generator has no device")?;
    let plain = device.clone().without_autodiff();
    let (bank_data, bank_shapes) = bank()?;
    let bank = unit_rows(bank_data.batch(&(0..BANK).collect::<Vec<_>>(), &plain));
    let (held_out_data, held_out_shapes) = triangles(m.max(200), HELD_OUT_TRIANGLES_SEED)?;
    let fake = unit_rows(samples);
    let starts = nearest(fake.clone(), bank);

    // Latent inversion of m held-out triangles, all at once.
    let target = held_out_data.batch(&(0..m).collect::<Vec<_>>(), &plain);
    let mut z: Tensor<4> = latent(&mut Rng::new(seed ^ 0x1AE5), m, nz, &plain);
    let (mut first, mut second) = (z.zeros_like(), z.zeros_like());
    let (lr, b1, b2, eps): (f64, f64, f64, f64) = (0.05, 0.9, 0.999, 1e-8);
    for t in 1..=steps {
        let zt = z.clone().autodiff().require_grad();
        let out = generator.forward_batch_statistics(zt.clone());
        let loss = (out - target.clone().autodiff()).square().mean();
        let grads = loss.backward();
        let g = zt.grad(&grads).ok_or("no gradient reached z")?;
        first = first.mul_scalar(b1) + g.clone().mul_scalar(1.0 - b1);
        second = second.mul_scalar(b2) + g.square().mul_scalar(1.0 - b2);
        let (c1, c2) = (1.0 - b1.powi(t as i32), 1.0 - b2.powi(t as i32));
        let step = first.clone().div_scalar(c1) / second.clone().div_scalar(c2).sqrt().add_scalar(eps);
        z = (z - step.mul_scalar(lr)).clamp(-LATENT_BOUND, LATENT_BOUND);
    }
    let reproduced = generator.valid().forward_batch_statistics(z);
    let inversion_distance = (unit_rows(reproduced) - unit_rows(target)).square().mean_dim(1).sqrt().reshape([m]);

    let data = Transaction::default()
        .register(fake)
        .register(starts)
        .register(inversion_distance)
        .execute_async()
        .await
        .map_err(|e| format!("reading samples from the device failed: {e:?}"))?;
    let [fake, starts, inverted]: [_; 3] = data.try_into().map_err(|_| "missing read-back".to_string())?;
    let fake = to_f32(fake)?;
    let starts = starts.convert::<i64>().try_to_vec::<i64>().map_err(|e| format!("{e:?}"))?;
    let mut inverted: Vec<f64> = to_f32(inverted)?.into_iter().map(f64::from).collect();
    let mut residuals: Vec<f64> =
        fake.chunks(784).zip(&starts).map(|(image, &start)| fit(image, bank_shapes[start as usize].angles).1).collect();

    let threshold = displacement_distance(&held_out_shapes[..200], tolerance_pixels);
    let share = |d: &mut dyn Iterator<Item = f64>, count: usize| {
        d.filter(|&v| v <= threshold).count() as f64 / count.max(1) as f64
    };
    let precision = share(&mut residuals.iter().copied(), n);
    let recall = share(&mut inverted.iter().copied(), m);
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    let median = |values: &mut Vec<f64>| {
        values.sort_by(|a, b| a.total_cmp(b));
        values[values.len() / 2]
    };
    let (median_residual, median_inversion) = (median(&mut residuals), median(&mut inverted));
    Ok(TriangleScores { precision, recall, f1, threshold, median_residual, median_inversion, n, m })
}

/// Everything a score reports: the classifier's scores and, on triangles, precision and recall.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    #[serde(flatten)]
    pub scores: Scores,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triangles: Option<TriangleScores>,
}

/// How recall is measured on triangles: `m` held-out triangles, each inverted in `steps` steps,
/// within a displacement of `tolerance_pixels`.
#[derive(Clone, Copy, Debug)]
pub struct Recall {
    pub m: usize,
    pub steps: usize,
    pub tolerance_pixels: f64,
}

/// The scores of a generator, the page's and `gan score`'s alike: `n` samples (latents drawn with
/// `seed`) against `n` real images of `dataset` ([`reference_images`]; `data` is its set), and on
/// triangles precision and recall. `generator` lives on an autodiff device (recall inverts it); the
/// samples are drawn from its eval copy onto `device`, the plain device of the scores.
#[allow(clippy::too_many_arguments)]
pub async fn evaluate(
    classifier: &Classifier,
    generator: &Sequential,
    nz: usize,
    dataset: &str,
    data: &ImageDataset,
    (n, seed): (usize, u64),
    recall: Recall,
    device: &Device,
) -> Result<Evaluation, String> {
    let real = reference_images(dataset, data, n, device)?;
    let n = real.dims()[0];
    let fake = generate(&generator.valid(), nz, n, seed, device);
    let scores = score(classifier, real, fake.clone(), seed).await?;
    let triangles = if dataset == "triangles" {
        let Recall { m, steps, tolerance_pixels } = recall;
        Some(triangle_precision_recall(generator, nz, fake, m, steps, seed, tolerance_pixels).await?)
    } else {
        None
    };
    Ok(Evaluation { scores, triangles })
}
