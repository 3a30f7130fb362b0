//! What defines a run ([`TrainConfig`]) and the limits every run is checked against.

use serde::{Deserialize, Serialize};

use crate::gan::{self, Optimizer, Variant};
use crate::model::Sizes;
use crate::model::{LayerSpec, activation_len, largest_tensor_len, parameter_count, stored_value_count};
use crate::weights;

/// Everything that defines a run; the same config and seed give the same run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    pub model: Sizes,
    /// A key of `gan::REGISTRY`.
    pub variant: String,
    /// The name of the training data, recorded in weight files (e.g. "mnist").
    pub dataset: String,
    pub batch_size: usize,
    /// The optimiser of both networks; `None` takes the variant's published default.
    pub optimizer: Option<Optimizer>,
    /// The critic's learning rate where it differs from G's (two time-scale training, TTUR);
    /// `None`: the optimiser's.
    pub d_learning_rate: Option<f64>,
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
            model: Sizes::default(),
            variant: gan::REGISTRY[0].id.to_string(),
            dataset: "mnist".to_string(),
            batch_size: 64,
            optimizer: None,
            d_learning_rate: None,
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
        crate::data::dataset(&self.dataset)?;
        super::settings::check(self)?;
        if ![1, 3].contains(&self.model.channels) || (self.model.channels == 3 && self.dataset != "images") {
            return Err(format!(
                "channels must be 1, or 3 for your own colour images; got {} for {}",
                self.model.channels, self.dataset
            ));
        }
        if !(1..=256).contains(&self.grid_samples) {
            return Err(format!("grid_samples must be a whole number from 1 to 256, got {}", self.grid_samples));
        }
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
        let critic_batches = if variant.loss_noise([batch, c, h, w], self.model.nz).is_empty() { 2 } else { 3 };
        let activations = activation_len(&generator, [self.model.nz, 1, 1], batch)
            + critic_batches * activation_len(&critic, [c, h, w], batch);
        4 * (4 * parameters + 2 * activations)
    }

    /// Whether this run trains on 2-D points (MLPs) rather than images (dcgan28).
    pub fn is_points(&self) -> bool {
        crate::data::dataset(&self.dataset).is_ok_and(|d| d.kind == crate::data::Kind::Points)
    }

    /// The architecture of this run's networks, as its weight files name it: mlp2d on 2-D points,
    /// else the variant's (dcgan28, or began28 for BEGAN).
    pub fn architecture(&self, variant: &dyn Variant) -> &'static str {
        if self.is_points() { crate::model::mlp2d::NAME } else { variant.architecture() }
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
/// and browsers give a tab's WebGPU device a few GiB. Widths 256, nz 512 and batch 256 need about
/// 1.4 GiB, 1.7 GiB with a gradient penalty; the settings' ranges allow more, which this refuses.
pub const MEMORY_BUDGET_BYTES: usize = 2 << 30;

/// The most steps a weights file may say it was trained for: JavaScript numbers hold whole
/// numbers exactly up to 2^53, and the page counts steps in them.
pub const MAX_STEPS: u64 = (1 << 53) - 1;
