//! DRAGAN (Kodali et al. 2017): the NS-GAN losses plus a gradient penalty around the real data,
//!   D minimises −E[log D(x)] − E[log(1 − D(G(z)))] + λ·E[(‖∇D(x̂)‖₂ − 1)²]
//!   G minimises −E[log D(G(z))]
//! The local noise is the one of the authors' code and of the study (compare_gan v1):
//!   x_p = x + 0.5·std(x)·u, u ~ U[0, 1) per pixel, std over the whole real batch (one-sided noise);
//!   x̂ = x + α(x_p − x), α ~ U[0, 1] per sample;
//! and the gradient is taken of D's logit (as compare_gan v3 does; v1 used the sigmoid output).
//! λ = 10, Adam(1e-4, β = (0.5, 0.9)) as in the authors' code.
//! Departure: the penalty is per sample, so D has LayerNorm where DCGAN's D has BatchNorm (the same
//! critic as WGAN-GP); the gradient machinery is WGAN-GP's (`Sequential::input_gradient`), and
//! the penalty's points go through the critic in the same pass as the batches it scores.

use burn::tensor::Tensor;

use super::ns_gan::NsGan;
use super::wgan_gp::{WganGp, penalty_of};
use super::{Knob, Loss, Noise, Optimizer, Variant, noise_at, scores_with_input_gradient};
use crate::loss::{bce_logits_fake, bce_logits_real};
use crate::model::Sizes;
use crate::model::{LayerSpec, Sequential};

pub struct Dragan {
    /// The penalty weight λ.
    pub lambda: f64,
}

impl Default for Dragan {
    fn default() -> Self {
        Self { lambda: 10.0 }
    }
}

impl Variant for Dragan {
    fn id(&self) -> &'static str {
        "dragan"
    }

    fn readouts(&self) -> &'static [&'static str] {
        &["gradient_norm", "penalty"]
    }

    fn optimizer(&self) -> Optimizer {
        Optimizer::Adam { learning_rate: 1e-4, beta1: 0.5, beta2: 0.9 }
    }

    fn critic_layers(&self, model: &Sizes) -> Vec<LayerSpec> {
        WganGp::default().critic_layers(model)
    }

    /// u ~ U[0, 1) per pixel (the perturbation's direction), α ~ U[0, 1] per sample.
    fn knobs(&self) -> Vec<Knob> {
        vec![Knob { name: "lambda", label: "Penalty λ", value: self.lambda, min: 0.0, max: 100.0 }]
    }

    fn knob_mut(&mut self, name: &str) -> Option<&mut f64> {
        (name == "lambda").then_some(&mut self.lambda)
    }

    fn loss_noise(&self, real: [usize; 4], _: usize) -> Vec<Noise> {
        vec![Noise::uniform("perturbation", real), Noise::uniform("alpha", [real[0], 1, 1, 1])]
    }

    fn critic_loss(
        &mut self,
        critic: &Sequential,
        real: Tensor<4>,
        fake: Tensor<4>,
        noise: &[Tensor<4>],
    ) -> Result<Loss, String> {
        let [b, c, h, w] = real.dims();
        let all = real.clone().reshape([b * c * h * w]);
        let std = (all.clone() - all.mean()).square().mean().sqrt().reshape([1, 1, 1, 1]);
        let (u, alpha) = (noise_at(noise, 0, "perturbation")?, noise_at(noise, 1, "alpha")?);
        // x̂ = x + α(x_p − x) = x + α·0.5·std(x)·u
        let x_hat = real.clone() + alpha * u * std.mul_scalar(0.5);
        let (both, gradient) = scores_with_input_gradient(critic, real, fake, x_hat)?;
        let (penalty, mean_norm) = penalty_of(gradient);
        let gan = both.sum_of_means(bce_logits_real, bce_logits_fake);
        Ok(Loss::new(gan + penalty.clone() * self.lambda).with("gradient_norm", mean_norm).with("penalty", penalty))
    }

    fn generator_loss(&mut self, critic: &Sequential, fake: Tensor<4>) -> Result<Loss, String> {
        NsGan.generator_loss(critic, fake)
    }
}
