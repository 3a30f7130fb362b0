//! The training loop of one GAN: data → G and D → loss → optimiser steps.
//!
//! Every method that trains only queues device work; nothing here reads the device back except
//! [`Trainer::readout`], which is async and batches all of its reads into one transaction
//! (synchronous reads panic on WebGPU in the browser).

use std::sync::Arc;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData, Transaction};
use serde::{Deserialize, Serialize};

use crate::data::{BatchSampler, ImageDataset};
use crate::gan::{self, Loss, Optimizer, Variant};
use crate::model::dcgan28::Dcgan28;
use crate::model::{
    Layer, LayerSpec, Sequential, activation_len, largest_tensor_len, parameter_count, stored_value_count,
};
use crate::optim::Optim;
use crate::rng::Rng;
use crate::weights;

/// Everything that defines a run; the same config and seed give the same run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    pub model: Dcgan28,
    /// A key of `gan::REGISTRY`.
    pub variant: String,
    /// The name of the training data, recorded in weight files (e.g. "mnist").
    pub dataset: String,
    pub batch_size: usize,
    /// The optimiser of both networks; `None` takes the variant's published default.
    pub optimizer: Option<Optimizer>,
    /// Critic steps per generator step; `None` takes the variant's default.
    pub n_critic: Option<usize>,
    pub seed: u64,
    /// Number of fixed latent vectors shown as the sample grid.
    pub grid_samples: usize,
    /// The variant's knobs that differ from its defaults (e.g. BEGAN's "gamma"), by name.
    pub knobs: std::collections::BTreeMap<String, f64>,
}

impl Default for TrainConfig {
    /// DCGAN: the non-saturating loss at batch 64 with the variant's own optimiser settings.
    fn default() -> Self {
        Self {
            model: Dcgan28::default(),
            variant: gan::REGISTRY[0].id.to_string(),
            dataset: "mnist".to_string(),
            batch_size: 64,
            optimizer: None,
            n_critic: None,
            seed: 1,
            grid_samples: 64,
            knobs: Default::default(),
        }
    }
}

impl TrainConfig {
    /// Rejects settings that would build a broken network or panic inside burn.
    pub fn validate(&self) -> Result<(), String> {
        let in_range = |name: &str, v: usize, lo: usize, hi: usize| {
            if (lo..=hi).contains(&v) { Ok(()) } else { Err(format!("{name} must be between {lo} and {hi}, got {v}")) }
        };
        if !crate::data::DATASETS.contains(&self.dataset.as_str()) {
            return Err(format!("unknown dataset \"{}\" (known: {})", self.dataset, crate::data::DATASETS.join(", ")));
        }
        in_range("batch_size", self.batch_size, 1, 1024)?;
        in_range("nz", self.model.nz, 1, 1024)?;
        in_range("g_width", self.model.g_width, 1, 1024)?;
        in_range("d_width", self.model.d_width, 1, 1024)?;
        if ![1, 3].contains(&self.model.channels) || (self.model.channels == 3 && self.dataset != "images") {
            return Err(format!(
                "channels must be 1, or 3 for your own colour images; got {} for {}",
                self.model.channels, self.dataset
            ));
        }
        in_range("grid_samples", self.grid_samples, 1, 256)?;
        // WebGPU guarantees storage buffers of 128 MiB; keep every tensor of a step below that.
        let variant = gan::variant(&self.variant)?;
        let (generator, critic) = self.layers(variant.as_ref());
        let largest = largest_tensor_len(&generator, [self.model.nz, 1, 1], self.batch_size).max(largest_tensor_len(
            &critic,
            self.data_shape(),
            self.batch_size,
        )) * 4;
        if largest > MAX_TENSOR_BYTES {
            return Err(format!(
                "this batch size and these widths need a {} MiB tensor; the limit is {} MiB (lower the batch size or the widths)",
                largest >> 20,
                MAX_TENSOR_BYTES >> 20
            ));
        }
        let peak = self.peak_bytes(variant.as_ref());
        if peak > MEMORY_BUDGET_BYTES {
            return Err(format!(
                "a training step of this run needs about {} MiB at its peak (weights, gradients, optimiser state and activations); the limit is {} MiB (lower the batch size or the widths)",
                peak >> 20,
                MEMORY_BUDGET_BYTES >> 20
            ));
        }
        let file_bytes = 4 * (stored_value_count(&generator) + stored_value_count(&critic)) as u64;
        if file_bytes > weights::MAX_FILE_BYTES {
            return Err(format!(
                "these widths make a {} MiB weights file; the limit is {} MiB (lower the widths or nz)",
                file_bytes >> 20,
                weights::MAX_FILE_BYTES >> 20
            ));
        }
        if self.seed >= 1 << 53 {
            return Err(format!("seed must be below 2^53 (a JavaScript number holds it exactly), got {}", self.seed));
        }
        if let Some(optimizer) = &self.optimizer {
            optimizer.validate()?;
        }
        if let Some(n) = self.n_critic {
            in_range("n_critic", n, 1, 100)?;
        }
        let mut variant = gan::variant(&self.variant)?;
        for (name, value) in &self.knobs {
            gan::set_knob(variant.as_mut(), name, *value)?;
        }
        Ok(())
    }
}

impl TrainConfig {
    /// The bytes a training step holds at its peak, estimated (f32): every parameter four times
    /// (its value, its gradient and Adam's two moments), and every activation twice (kept for the
    /// backward pass, and its gradient): G's on a batch of z, the critic's on a real and a
    /// generated batch, and on a third for the penalties' interpolated or perturbed examples.
    pub fn peak_bytes(&self, variant: &dyn Variant) -> usize {
        let (generator, critic) = self.layers(variant);
        let parameters = parameter_count(&generator) + parameter_count(&critic);
        let (batch, [c, h, w]) = (self.batch_size, self.data_shape());
        let critic_batches = if variant.critic_noise([batch, c, h, w]).is_empty() { 2 } else { 3 };
        let activations = activation_len(&generator, [self.model.nz, 1, 1], batch)
            + critic_batches * activation_len(&critic, [c, h, w], batch);
        4 * (4 * parameters + 2 * activations)
    }

    /// Whether this run trains on 2-D points (MLPs) rather than images (dcgan28).
    pub fn is_points(&self) -> bool {
        crate::data::toy2d::is_points(&self.dataset)
    }

    /// The shape of one training example: a C×28×28 image, or a point (2×1×1).
    pub fn data_shape(&self) -> [usize; 3] {
        if self.is_points() { crate::model::mlp2d::POINT } else { self.model.image() }
    }

    /// G's and D's layers for this run's data and variant.
    pub fn layers(&self, variant: &dyn Variant) -> (Vec<LayerSpec>, Vec<LayerSpec>) {
        if self.is_points() {
            (crate::model::mlp2d::generator(&self.model), variant.point_critic_layers(&self.model))
        } else {
            (variant.generator_layers(&self.model), variant.critic_layers(&self.model))
        }
    }
}

/// The largest tensor a step may allocate (WebGPU's default `maxStorageBufferBindingSize`).
pub const MAX_TENSOR_BYTES: usize = 128 << 20;

/// The most memory a training step may need ([`TrainConfig::peak_bytes`]): in the browser the CPU
/// backend's wasm32 memory (4 GiB at most) also holds the module, the data and the page's copies,
/// and browsers give a tab's WebGPU device a few GiB. The page's largest run (widths 256, nz 512,
/// batch 256) needs about 1.4 GiB, 1.7 GiB with a gradient penalty.
pub const MEMORY_BUDGET_BYTES: usize = 2 << 30;

/// The most steps a weights file may say it was trained for: JavaScript numbers hold whole
/// numbers exactly up to 2^53, and the page counts steps in them.
pub const MAX_STEPS: u64 = (1 << 53) - 1;

/// What the page shows after some steps, read from the device in one transaction.
#[derive(Clone, Debug, Serialize)]
pub struct Readout {
    pub step: u64,
    pub d_loss: Option<f32>,
    pub g_loss: Option<f32>,
    /// The variant's own read-outs (e.g. WGAN's Wasserstein estimate), latest values.
    pub values: Vec<(String, f32)>,
    /// G(fixed z) in eval mode, [N, C, H, W] flattened, values in [-1, 1].
    #[serde(skip)]
    pub samples: Option<Vec<f32>>,
    /// The critic's convolution weights, binned.
    pub histogram: Option<Histogram>,
}

/// Counts of values in equal bins over [−limit, limit], limit = max |value|.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Histogram {
    pub limit: f32,
    pub counts: Vec<u32>,
}

impl Histogram {
    pub fn of(values: &[f32], bins: usize) -> Self {
        let bins = bins.clamp(1, 1024);
        let limit = values.iter().filter(|v| v.is_finite()).fold(0f32, |m, v| m.max(v.abs()));
        let mut counts = vec![0u32; bins];
        if limit > 0.0 {
            for v in values.iter().filter(|v| v.is_finite()) {
                let at = ((v + limit) / (2.0 * limit) * bins as f32) as usize;
                counts[at.min(bins - 1)] += 1;
            }
        }
        Self { limit, counts }
    }
}

impl Readout {
    /// False when a loss has become NaN or infinite: training has diverged.
    pub fn is_finite(&self) -> bool {
        self.d_loss.is_none_or(f32::is_finite)
            && self.g_loss.is_none_or(f32::is_finite)
            && self.values.iter().all(|(_, v)| v.is_finite())
    }
}

pub struct Trainer {
    pub(crate) config: TrainConfig,
    pub(crate) variant: Box<dyn Variant>,
    optimizer: Optimizer,
    n_critic: usize,
    /// The autodiff device the networks train on.
    pub(crate) device: Device,
    pub(crate) generator: Sequential,
    pub(crate) discriminator: Sequential,
    pub(crate) optim_g: Optim,
    pub(crate) optim_d: Optim,
    pub(crate) data: Arc<ImageDataset>,
    pub(crate) sampler: BatchSampler,
    pub(crate) rng: Rng,
    /// Latent vectors of the sample grid, on the plain (non-autodiff) device.
    pub(crate) fixed_z: Tensor<4>,
    pub(crate) step: u64,
    last_d_loss: Option<Tensor<1>>,
    last_g_loss: Option<Tensor<1>>,
    /// The variant's latest read-outs, by name, on the plain device.
    last_values: Vec<(&'static str, Tensor<1>)>,
}

impl Trainer {
    /// Builds G, D and their optimisers on `device` (a plain device; training uses its autodiff twin).
    pub fn new(mut config: TrainConfig, data: Arc<ImageDataset>, device: &Device) -> Result<Self, String> {
        // Your own images are grey or colour, as the page read them: the networks follow the file.
        if config.dataset == "images" {
            config.model.channels = data.channels;
        }
        config.validate()?;
        let image = [data.channels, data.height, data.width];
        if image != config.data_shape() {
            let wanted = if config.is_points() {
                "2-D points".to_string()
            } else {
                format!("{}×28×28 images", config.model.channels)
            };
            return Err(format!("{} needs {wanted}, the data has examples of shape {image:?}", config.dataset));
        }
        let plain = device.clone().without_autodiff();
        let train_device = plain.clone().autodiff();
        let mut variant = gan::variant(&config.variant)?;
        for (name, value) in &config.knobs {
            gan::set_knob(variant.as_mut(), name, *value)?;
        }
        let optimizer = config.optimizer.unwrap_or_else(|| variant.optimizer());
        let n_critic = config.n_critic.unwrap_or_else(|| variant.n_critic());
        let mut rng = Rng::new(config.seed);
        let (generator_layers, critic_layers) = config.layers(variant.as_ref());
        let generator = Sequential::init(&generator_layers, &mut rng, &train_device);
        let discriminator = Sequential::init(&critic_layers, &mut rng, &train_device);
        let fixed_z = grid_latent_for_seed(config.seed, config.grid_samples, config.model.nz, &plain);
        let sampler = BatchSampler::new(data.len(), &mut rng);
        Ok(Self {
            optim_g: Optim::new(optimizer),
            optim_d: Optim::new(optimizer),
            config,
            variant,
            optimizer,
            n_critic,
            device: train_device,
            generator,
            discriminator,
            data,
            sampler,
            rng,
            fixed_z,
            step: 0,
            last_d_loss: None,
            last_g_loss: None,
            last_values: Vec::new(),
        })
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The optimiser settings in use (the variant's defaults unless the config overrides them).
    pub fn optimizer(&self) -> Optimizer {
        self.optimizer
    }

    pub fn n_critic(&self) -> usize {
        self.n_critic
    }

    /// The variant's knobs with their current values.
    pub fn knobs(&self) -> Vec<gan::Knob> {
        self.variant.knobs()
    }

    /// Changes a knob of the running variant (it applies from the next step) and records it in
    /// the config, so that the config still describes the run.
    pub fn set_knob(&mut self, name: &str, value: f64) -> Result<(), String> {
        gan::set_knob(self.variant.as_mut(), name, value)?;
        self.config.knobs.insert(name.to_string(), value);
        Ok(())
    }

    pub fn step(&self) -> u64 {
        self.step
    }

    /// The training set.
    pub fn data(&self) -> &ImageDataset {
        &self.data
    }

    pub fn generator(&self) -> &Sequential {
        &self.generator
    }

    pub fn discriminator(&self) -> &Sequential {
        &self.discriminator
    }

    /// A batch of z ~ N(0, I) from the trainer's stream, on the training device.
    pub fn random_latent(&mut self, n: usize) -> Tensor<4> {
        latent(&mut self.rng, n, self.config.model.nz, &self.device)
    }

    /// The next batch of real images, on the training device.
    pub fn real_batch(&mut self) -> Tensor<4> {
        let indices = self.sampler.next_batch(self.config.batch_size, &mut self.rng);
        self.data.batch(&indices, &self.device)
    }

    /// G(z) in train mode, on the training device (its graph kept for a G step).
    pub fn fake_batch(&self, z: Tensor<4>) -> Tensor<4> {
        self.generator.forward(z)
    }

    /// One optimiser step of the critic on `real` and on `fake` (detached: G is held fixed), then
    /// the variant's post-step rule (e.g. clipping); returns the critic's loss (device).
    pub fn discriminator_step_on(&mut self, real: Tensor<4>, fake: Tensor<4>) -> Result<Tensor<1>, String> {
        let noise = gan::draw_noise(self.variant.as_ref(), real.dims(), &mut self.rng, &self.device);
        let loss = self.variant.critic_loss(&self.discriminator, real, fake.detach(), &noise)?;
        let grads = GradientsParams::from_grads(loss.value.backward(), &self.discriminator);
        let stepped = self.optim_d.step(self.discriminator.clone(), grads);
        self.discriminator = self.variant.after_critic_step(stepped);
        self.last_d_loss = Some(self.keep_readouts(&loss));
        Ok(loss.value.inner())
    }

    /// One optimiser step of G on `fake` = G(z) (with its graph) against the current critic;
    /// returns G's loss (device).
    pub fn generator_step_on(&mut self, fake: Tensor<4>) -> Tensor<1> {
        let loss = self.variant.generator_loss(&self.discriminator, fake);
        // Gradients reach the critic's weights too, but only G's are kept and stepped.
        let grads = GradientsParams::from_grads(loss.value.backward(), &self.generator);
        self.generator = self.optim_g.step(self.generator.clone(), grads);
        self.last_g_loss = Some(self.keep_readouts(&loss));
        loss.value.inner()
    }

    /// Remembers a loss's read-outs (detached, on the plain device) and returns its value likewise.
    fn keep_readouts(&mut self, loss: &Loss) -> Tensor<1> {
        for (name, value) in &loss.readouts {
            let value = value.clone().inner();
            match self.last_values.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = value,
                None => self.last_values.push((name, value)),
            }
        }
        loss.value.clone().inner()
    }

    /// A D step on a fresh real batch and fresh fakes.
    pub fn discriminator_step(&mut self) -> Result<(), String> {
        let real = self.real_batch();
        let z = self.random_latent(self.config.batch_size);
        let fake = self.fake_batch(z);
        self.discriminator_step_on(real, fake).map(|_| ())
    }

    /// A G step on fresh z.
    pub fn generator_step(&mut self) {
        let z = self.random_latent(self.config.batch_size);
        let fake = self.fake_batch(z);
        self.generator_step_on(fake);
    }

    /// One generator iteration: `n_critic` critic steps, each on a fresh real batch and fresh
    /// fakes, then a G step through the updated critic on the last fakes. With n_critic = 1 this is
    /// exactly pytorch/examples' DCGAN iteration (G(z) computed once, used detached and then not).
    pub fn train_step(&mut self) -> Result<(), String> {
        let mut fake = None;
        for _ in 0..self.n_critic {
            let real = self.real_batch();
            let z = self.random_latent(self.config.batch_size);
            let batch = self.fake_batch(z);
            self.discriminator_step_on(real, batch.clone())?;
            fake = Some(batch);
        }
        if let Some(fake) = fake {
            self.generator_step_on(fake);
        }
        self.step += 1;
        Ok(())
    }

    /// G(z) in eval mode (BatchNorm running statistics), on the plain device.
    pub fn generate(&self, z: Tensor<4>) -> Tensor<4> {
        self.generator.valid().forward(z)
    }

    /// The samples of the fixed grid (device tensor). BatchNorm uses the grid batch's own
    /// statistics, as pytorch/examples' DCGAN draws its fixed-noise samples: early in training the
    /// running statistics lag far behind and would show a flat grey picture.
    pub fn grid(&self) -> Tensor<4> {
        self.generator.valid().forward_batch_statistics(self.fixed_z.clone())
    }

    /// The grid's latent vectors, [N, nz, 1, 1] on the plain device.
    pub fn grid_latent(&self) -> Tensor<4> {
        self.fixed_z.clone()
    }

    /// Replaces the grid's latent vectors with `values` (N·nz numbers, N from 1 to 256): a new z,
    /// or a grid the user composed (pinned samples, interpolations).
    pub fn set_grid_latent(&mut self, values: Vec<f32>) -> Result<(), String> {
        let nz = self.config.model.nz;
        let n = values.len() / nz;
        if !values.len().is_multiple_of(nz) || !(1..=256).contains(&n) {
            return Err(format!("a grid latent holds 1 to 256 vectors of {nz} numbers, got {} numbers", values.len()));
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err("a grid latent must be finite".into());
        }
        self.fixed_z = Tensor::from_data(TensorData::new(values, [n, nz, 1, 1]), &self.fixed_z.device());
        Ok(())
    }

    /// G at the latents `z`, drawn as the grid is drawn: BatchNorm normalises with the statistics of
    /// the grid batch and `z` together, so that a sample taken from the grid (pinned, interpolated
    /// from) looks as it does there, however few vectors `z` holds.
    pub fn generate_like_grid(&self, z: Tensor<4>) -> Tensor<4> {
        let n = self.fixed_z.dims()[0];
        let m = z.dims()[0];
        let out = self.generator.valid().forward_batch_statistics(Tensor::cat(vec![self.fixed_z.clone(), z], 0));
        out.slice(n..n + m)
    }

    /// The critic's opinion of `x` (higher: more real; see [`Variant::critic_opinion`]), on the
    /// plain device: for 2-D points, the page's decision surface.
    pub fn critic_opinion(&self, x: Tensor<4>) -> Tensor<1> {
        self.variant.critic_opinion(&self.discriminator.valid(), x)
    }

    /// Reads the latest losses, and the sample grid if asked, in one device transaction.
    pub async fn readout(&self, with_samples: bool) -> Result<Readout, String> {
        self.readout_with(with_samples, None).await
    }

    /// As [`Trainer::readout`], and with `histogram_bins`, a histogram of the critic's convolution
    /// weights (the view that shows WGAN's clipped weights piling up at ±c), all in one transaction.
    pub async fn readout_with(&self, with_samples: bool, histogram_bins: Option<usize>) -> Result<Readout, String> {
        // What each registered tensor is, in registration order (a variant's read-out may have any name).
        enum Slot {
            D,
            G,
            Value(&'static str),
            Samples,
            Weights,
        }
        let mut tx = Transaction::default();
        let mut slots = Vec::new();
        for (slot, loss) in [(Slot::D, &self.last_d_loss), (Slot::G, &self.last_g_loss)] {
            if let Some(loss) = loss {
                tx = tx.register(loss.clone());
                slots.push(slot);
            }
        }
        for (name, value) in &self.last_values {
            tx = tx.register(value.clone());
            slots.push(Slot::Value(name));
        }
        if with_samples {
            tx = tx.register(self.grid());
            slots.push(Slot::Samples);
        }
        if histogram_bins.is_some() {
            for layer in &self.discriminator.main {
                if let Layer::Conv(conv) = layer {
                    tx = tx.register(conv.weight.val().inner());
                    slots.push(Slot::Weights);
                }
            }
        }
        let data = tx.execute_async().await.map_err(|e| format!("reading from the device failed: {e:?}"))?;
        let mut readout =
            Readout { step: self.step, d_loss: None, g_loss: None, values: Vec::new(), samples: None, histogram: None };
        let mut weights = Vec::new();
        for (slot, data) in slots.into_iter().zip(data) {
            let values = to_f32(data)?;
            match slot {
                Slot::D => readout.d_loss = values.first().copied(),
                Slot::G => readout.g_loss = values.first().copied(),
                Slot::Value(name) => readout.values.extend(values.first().map(|v| (name.to_string(), *v))),
                Slot::Samples => readout.samples = Some(values),
                Slot::Weights => weights.extend(values),
            }
        }
        if let Some(bins) = histogram_bins {
            readout.histogram = Some(Histogram::of(&weights, bins));
        }
        Ok(readout)
    }
}

/// `n` latent vectors z ~ N(0, I) of length `nz`, shaped [n, nz, 1, 1] as DCGAN's G expects.
pub fn latent(rng: &mut Rng, n: usize, nz: usize, device: &Device) -> Tensor<4> {
    Tensor::from_data(TensorData::new(rng.normal_vec(n * nz, 0.0, 1.0), [n, nz, 1, 1]), device)
}

/// The sample grid's latent vectors of a run seeded `seed`. They have their own stream, so that
/// they depend neither on the network sizes nor on the run itself: a pretrained file's grid can be
/// drawn from its generator alone (the page's first samples, before the training module loads).
pub fn grid_latent_for_seed(seed: u64, n: usize, nz: usize, device: &Device) -> Tensor<4> {
    latent(&mut Rng::new(seed ^ 0x5A5A_5A5A), n, nz, device)
}

pub fn to_f32(data: TensorData) -> Result<Vec<f32>, String> {
    data.convert::<f32>().try_into_vec::<f32>().map_err(|e| format!("unexpected tensor data: {e:?}"))
}
