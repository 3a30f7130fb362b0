//! The VAE, the baseline of "Are GANs Created Equal?" (Lucic et al. 2017), after Kingma & Welling
//! (2013) as the study trains it: the encoder is D's trunk with 2·nz outputs, the mean μ(x) and,
//! through a softplus, the standard deviation σ(x) = 10⁻⁶ + softplus(·) of q(z|x); the decoder is G.
//! One loss, the negative ELBO averaged over the batch, minimised by both networks together:
//!   z = μ + σ·ε, ε ~ N(0, I)                         (the reparameterised sample)
//!   loss = E_x[ −log p(x|z) + KL(q(z|x) ‖ N(0, I)) ]
//!   KL = ½ Σ (μ² + σ² − log σ² − 1)
//! The likelihood is Bernoulli on images, as the study's: G's tanh output y is the probability
//! p = (y + 1)/2 (kept within [10⁻⁶, 1 − 10⁻⁶]) of the pixel x' = (x + 1)/2, and
//!   −log p(x|z) = −Σ [x' log p + (1 − x') log(1 − p)]   (sums over pixels and over z's numbers).
//! On 2-D points, where a Bernoulli means nothing, it is a Gaussian of fixed σ = 0.05, near the
//! ring's and grid's own spread: −log p(x|z) = Σ (x − y)² / (2σ²), constants dropped.
//! Adam(5e-5, β = (0.5, 0.999)): the study's default for the VAE. Its samples are G(z) with z from
//! the prior, as every model's grid.

use burn::tensor::Tensor;

use super::{Loss, Noise, Optimizer, Training, Variant, noise_at};
use crate::loss::softplus;
use crate::model::{LayerSpec, Sequential, Sizes, dcgan28, mlp2d};

pub struct Vae;

/// The smallest standard deviation of q(z|x) (the study's 10⁻⁶ keeps log σ² finite).
const MIN_STD: f64 = 1e-6;
/// How far from 0 and 1 a pixel's probability is kept, so that its logarithm stays finite in f32.
const MIN_PROBABILITY: f64 = 1e-6;
/// The Gaussian likelihood's σ on 2-D points.
const POINT_SIGMA: f64 = 0.05;

/// μ and σ of q(z|x), each [B, nz, 1, 1], from the encoder's 2·nz outputs.
fn posterior(encoder: &Sequential, x: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
    let code = encoder.forward(x);
    let [batch, twice, _, _] = code.dims();
    let nz = twice / 2;
    let mean = code.clone().slice([0..batch, 0..nz]);
    let std = softplus(code.slice([0..batch, nz..twice])).add_scalar(MIN_STD);
    (mean, std)
}

/// The terms of KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ (μ² + σ² − log σ² − 1), before the sum and the ½.
fn kl_terms(mean: Tensor<4>, std: Tensor<4>) -> Tensor<4> {
    let variance = std.square();
    (mean.square() + variance.clone() - variance.log()).sub_scalar(1.0)
}

/// KL(N(μ, σ²) ‖ N(0, I)) of each example, [B].
fn kl_divergence(mean: Tensor<4>, std: Tensor<4>) -> Tensor<1> {
    let batch = mean.dims()[0];
    kl_terms(mean, std).reshape([batch as i32, -1]).sum_dim(1).reshape([batch]).mul_scalar(0.5)
}

/// The terms of −log p(x|z), before the sum over each example's values: Bernoulli on images, a
/// Gaussian on points (module docs).
fn negative_log_likelihood_terms(decoded: Tensor<4>, real: Tensor<4>) -> Tensor<4> {
    let [_, c, h, w] = real.dims();
    if [c, h, w] == mlp2d::POINT {
        (real - decoded).square().div_scalar(2.0 * POINT_SIGMA * POINT_SIGMA)
    } else {
        let target = real.add_scalar(1.0).mul_scalar(0.5);
        let p = decoded.add_scalar(1.0).mul_scalar(0.5).clamp(MIN_PROBABILITY, 1.0 - MIN_PROBABILITY);
        let q = p.clone().neg().add_scalar(1.0);
        (target.clone() * p.log() + target.neg().add_scalar(1.0) * q.log()).neg()
    }
}

/// The mean over the batch of each example's sum of `terms`, as one sum over all of them: one
/// reduction forward and none back, where a sum per example and then a mean take two each way.
fn batch_mean_of_sums(terms: Tensor<4>) -> Tensor<1> {
    let batch = terms.dims()[0];
    terms.sum().div_scalar(batch as f64)
}

impl Variant for Vae {
    fn id(&self) -> &'static str {
        "vae"
    }

    fn training(&self) -> Training {
        Training::Joint
    }

    fn readouts(&self) -> &'static [&'static str] {
        &["reconstruction", "kl"]
    }

    fn optimizer(&self) -> Optimizer {
        Optimizer::Adam { learning_rate: 5e-5, beta1: 0.5, beta2: 0.999 }
    }

    fn critic_layers(&self, model: &Sizes) -> Vec<LayerSpec> {
        dcgan28::encoder(model)
    }

    fn point_critic_layers(&self, model: &Sizes) -> Vec<LayerSpec> {
        mlp2d::encoder(model)
    }

    /// The plane's background for a VAE: −KL(q(z|x) ‖ p(z)), how near the prior the encoder
    /// places x (higher where the encoder has learned to expect data).
    fn critic_opinion(&self, critic: &Sequential, x: Tensor<4>) -> Tensor<1> {
        let (mean, std) = posterior(critic, x);
        kl_divergence(mean, std).neg()
    }

    /// ε ~ N(0, I) for the reparameterised z, one per example.
    fn loss_noise(&self, real: [usize; 4], nz: usize) -> Vec<Noise> {
        vec![Noise::normal("epsilon", [real[0], nz, 1, 1])]
    }

    fn joint_loss(
        &mut self,
        critic: &Sequential,
        generator: &Sequential,
        real: Tensor<4>,
        noise: &[Tensor<4>],
    ) -> Result<Loss, String> {
        let (mean, std) = posterior(critic, real.clone());
        let epsilon = noise_at(noise, 0, "epsilon")?;
        if epsilon.dims() != mean.dims() {
            return Err(format!("the VAE's ε has shape {:?}, its z {:?}", epsilon.dims(), mean.dims()));
        }
        let z = mean.clone() + std.clone() * epsilon;
        let reconstruction = batch_mean_of_sums(negative_log_likelihood_terms(generator.forward(z), real));
        let kl = batch_mean_of_sums(kl_terms(mean, std)).mul_scalar(0.5);
        Ok(Loss::new(reconstruction.clone() + kl.clone()).with("reconstruction", reconstruction).with("kl", kl))
    }
}
