//! The training loop of one GAN: data → G and D → loss → optimiser steps.
//!
//! Every method that trains only queues device work; nothing here reads the device back except
//! [`Trainer::readout`] (`readout.rs`), which is async and batches all of its reads into one
//! transaction (synchronous reads panic on WebGPU in the browser). [`config`] holds what defines a
//! run and its limits.

use std::sync::Arc;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};

use crate::data::{BatchSampler, ImageDataset};
use crate::gan::{self, Loss, Optimizer, Training, Variant};
use crate::model::Sequential;
use crate::optim::Optim;
use crate::rng::Rng;
use crate::tensor::{grid_latent_for_seed, latent};

pub mod config;
mod pull;
mod readout;
pub mod settings;

pub use config::{MAX_STEPS, MAX_TENSOR_BYTES, MEMORY_BUDGET_BYTES, TrainConfig};
pub use readout::{Histogram, Readout};

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
    pub(crate) last_d_loss: Option<Tensor<1>>,
    pub(crate) last_g_loss: Option<Tensor<1>>,
    /// The variant's latest read-outs, by name, on the plain device.
    pub(crate) last_values: Vec<(&'static str, Tensor<1>)>,
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
            optim_d: Optim::new(config.d_learning_rate.map_or(optimizer, |lr| optimizer.with_learning_rate(lr))),
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

    /// The critic's learning rate in use.
    pub fn d_learning_rate(&self) -> f64 {
        self.config.d_learning_rate.unwrap_or(self.optimizer.learning_rate())
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
        let noise = self.draw_noise(real.dims());
        let mut loss = self.variant.critic_loss(&self.discriminator, real, fake.detach(), &noise)?;
        let grads = loss.value.backward();
        if self.variant.readouts().contains(&gan::CRITIC_GRADIENT_NORM) {
            let norm = gradient_norm(&self.discriminator, &grads);
            loss = loss.with(gan::CRITIC_GRADIENT_NORM, norm);
        }
        let grads = GradientsParams::from_grads(grads, &self.discriminator);
        let stepped = self.optim_d.step(self.discriminator.clone(), grads, self.variant.critic_clip());
        self.discriminator = self.variant.after_critic_step(stepped);
        self.last_d_loss = Some(self.keep_readouts(&loss));
        Ok(loss.value.inner())
    }

    /// One optimiser step of G on `fake` = G(z) (with its graph) against the current critic;
    /// returns G's loss (device).
    pub fn generator_step_on(&mut self, fake: Tensor<4>) -> Result<Tensor<1>, String> {
        // The critic is held fixed: without gradients of its own, the backward pass computes only
        // what flows through it to G (no weight gradients of its layers, which a G step discards).
        // BatchNorm's running statistics are shared with `self.discriminator` and still update.
        let critic = self.discriminator.clone().no_grad();
        let mut loss = self.variant.generator_loss(&critic, fake)?;
        let grads = loss.value.backward();
        if self.variant.readouts().contains(&gan::GENERATOR_GRADIENT_NORM) {
            let norm = gradient_norm(&self.generator, &grads);
            loss = loss.with(gan::GENERATOR_GRADIENT_NORM, norm);
        }
        let grads = GradientsParams::from_grads(grads, &self.generator);
        self.generator = self.optim_g.step(self.generator.clone(), grads, None);
        self.last_g_loss = Some(self.keep_readouts(&loss));
        Ok(loss.value.inner())
    }

    /// One step of a [`Training::Joint`] model on `real`: both networks stepped on the one loss,
    /// which is reported as G's. Two Adams (or RMSProps) of the same settings, one per network, are
    /// one optimiser over both: each parameter's update reads only its own state.
    pub fn joint_step_on(&mut self, real: Tensor<4>) -> Result<Tensor<1>, String> {
        let noise = self.draw_noise(real.dims());
        let loss = self.variant.joint_loss(&self.discriminator, &self.generator, real, &noise)?;
        let mut grads = loss.value.backward();
        let critic_grads = GradientsParams::from_module(&mut grads, &self.discriminator);
        let generator_grads = GradientsParams::from_module(&mut grads, &self.generator);
        self.discriminator = self.optim_d.step(self.discriminator.clone(), critic_grads, None);
        self.generator = self.optim_g.step(self.generator.clone(), generator_grads, None);
        self.last_g_loss = Some(self.keep_readouts(&loss));
        Ok(loss.value.inner())
    }

    /// The noise the variant's loss declares, for a real batch of shape `real`, from the run's stream.
    fn draw_noise(&mut self, real: [usize; 4]) -> Vec<Tensor<4>> {
        gan::draw_noise(self.variant.as_ref(), real, self.config.model.nz, &mut self.rng, &self.device)
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
    pub fn generator_step(&mut self) -> Result<(), String> {
        let z = self.random_latent(self.config.batch_size);
        let fake = self.fake_batch(z);
        self.generator_step_on(fake).map(|_| ())
    }

    /// How this run's networks train (the variant's [`Training`]).
    pub fn training(&self) -> Training {
        self.variant.training()
    }

    /// One iteration: an adversarial one ([`Trainer::adversarial_iteration`]), or one joint step
    /// on a fresh real batch.
    pub fn train_step(&mut self) -> Result<(), String> {
        match self.variant.training() {
            Training::Adversarial => self.adversarial_iteration()?,
            Training::Joint => {
                let real = self.real_batch();
                self.joint_step_on(real)?;
            }
        }
        self.step += 1;
        Ok(())
    }

    /// One generator iteration: `n_critic` critic steps, each on a fresh real batch and fresh
    /// fakes, then a G step through the updated critic on the last fakes. With n_critic = 1 this is
    /// exactly pytorch/examples' DCGAN iteration (G(z) computed once, used detached and then not).
    fn adversarial_iteration(&mut self) -> Result<(), String> {
        let mut fake = None;
        for _ in 0..self.n_critic {
            let real = self.real_batch();
            let z = self.random_latent(self.config.batch_size);
            let batch = self.fake_batch(z);
            self.discriminator_step_on(real, batch.clone())?;
            fake = Some(batch);
        }
        if let Some(fake) = fake {
            self.generator_step_on(fake)?;
        }
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
}

/// ‖∇‖ over every trainable weight of `model` (one number, on the device), in one concatenation
/// and one reduction rather than one per weight (fewer kernel launches on a GPU).
fn gradient_norm(model: &Sequential, grads: &burn::tensor::Gradients) -> Tensor<1> {
    let entries = crate::weights::entries(model, "");
    let flat: Vec<Tensor<1>> =
        entries.iter().filter(|e| e.trainable).filter_map(|e| crate::weights::gradient_of(model, e, grads)).collect();
    Tensor::cat(flat, 0).square().sum().sqrt()
}
