//! WGAN-GP, the Wasserstein GAN with gradient penalty (Gulrajani et al. 2017, Algorithm 1):
//!   critic minimises E[D(G(z))] − E[D(x)] + λ·E[(‖∇ₓ̂D(x̂)‖₂ − 1)²],
//!     x̂ = εx + (1 − ε)G(z), ε ~ U[0, 1] per sample
//!   G minimises −E[D(G(z))]
//! Defaults from the paper: λ = 10, n_critic = 5, Adam(1e-4, β = (0, 0.9)). The penalty is per
//! sample, so the critic has no BatchNorm: it is DCGAN's D with LayerNorm over the [2w, 7, 7] map in
//! place of main.3, as the paper recommends and the shared model spec fixes.
//!
//! burn has first-order autodiff only, so ∇ₓ̂D cannot come from a nested backward. Instead
//! `Sequential::input_gradient` writes it with ordinary ops (conv → transposed conv with the same
//! weights, LeakyReLU → mask, LayerNorm → its closed form); one backward of the loss then gives the
//! exact gradient of the penalty with respect to the critic's weights. The points x̂ go through
//! the critic in the same forward pass as the real and fake batches
//! (`gan::scores_with_input_gradient`).

use burn::tensor::Tensor;

use super::{Knob, Loss, Noise, Optimizer, Variant, noise_at, scores, scores_with_input_gradient};
use crate::model::Sizes;
use crate::model::{LayerSpec, Sequential};

pub struct WganGp {
    /// The penalty weight λ.
    pub lambda: f64,
}

impl Default for WganGp {
    fn default() -> Self {
        Self { lambda: 10.0 }
    }
}

/// ‖g_b‖₂ for each sample of a `[B, C, H, W]` gradient, as a `[B]` vector.
pub fn per_sample_norm(gradient: Tensor<4>) -> Tensor<1> {
    let [b, c, h, w] = gradient.dims();
    gradient.reshape([b, c * h * w]).square().sum_dim(1).sqrt().reshape([b])
}

/// The penalty E[(‖∇D(x̂)‖₂ − 1)²] at the points `x_hat` (differentiable with respect to the
/// critic's weights), and the mean gradient norm for the read-out.
pub fn gradient_penalty(critic: &Sequential, x_hat: Tensor<4>) -> Result<(Tensor<1>, Tensor<1>), String> {
    Ok(penalty_of(critic.input_gradient(x_hat)?))
}

/// The penalty E[(‖g‖₂ − 1)²] of the critic's input gradients g = ∇D(x̂) and their mean norm.
pub fn penalty_of(gradient: Tensor<4>) -> (Tensor<1>, Tensor<1>) {
    let norms = per_sample_norm(gradient);
    (norms.clone().sub_scalar(1.0).square().mean(), norms.mean())
}

impl Variant for WganGp {
    fn id(&self) -> &'static str {
        "wgan-gp"
    }

    fn readouts(&self) -> &'static [&'static str] {
        &["wasserstein", "gradient_norm", "penalty"]
    }

    fn optimizer(&self) -> Optimizer {
        Optimizer::Adam { learning_rate: 1e-4, beta1: 0.0, beta2: 0.9 }
    }

    fn n_critic(&self) -> usize {
        5
    }

    fn critic_layers(&self, model: &Sizes) -> Vec<LayerSpec> {
        // dcgan28's only BatchNorm normalises the 7×7 map.
        crate::model::dcgan28::discriminator(model)
            .into_iter()
            .map(|layer| match layer {
                LayerSpec::BatchNorm { features } => LayerSpec::LayerNorm { shape: [features, 7, 7] },
                other => other,
            })
            .collect()
    }

    /// ε ~ U[0, 1], one per sample.
    fn knobs(&self) -> Vec<Knob> {
        vec![Knob { name: "lambda", label: "Penalty λ", value: self.lambda, min: 0.0, max: 100.0 }]
    }

    fn knob_mut(&mut self, name: &str) -> Option<&mut f64> {
        (name == "lambda").then_some(&mut self.lambda)
    }

    fn loss_noise(&self, real: [usize; 4], _: usize) -> Vec<Noise> {
        vec![Noise::uniform("epsilon", [real[0], 1, 1, 1])]
    }

    fn critic_loss(
        &mut self,
        critic: &Sequential,
        real: Tensor<4>,
        fake: Tensor<4>,
        noise: &[Tensor<4>],
    ) -> Result<Loss, String> {
        let eps = noise_at(noise, 0, "epsilon")?;
        let x_hat = real.clone() * eps.clone() + fake.clone() * eps.neg().add_scalar(1.0);
        let (both, gradient) = scores_with_input_gradient(critic, real, fake, x_hat)?;
        let (penalty, mean_norm) = penalty_of(gradient);
        let estimate = both.sum_of_means(|s| s, |s| s.neg());
        Ok(Loss::new(estimate.clone().neg() + penalty.clone() * self.lambda)
            .with("wasserstein", estimate)
            .with("gradient_norm", mean_norm)
            .with("penalty", penalty))
    }

    fn generator_loss(&mut self, critic: &Sequential, fake: Tensor<4>) -> Result<Loss, String> {
        Ok(Loss::new(scores(critic, fake).mean().neg()))
    }
}
