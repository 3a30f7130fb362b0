//! GAN losses, written from their formulas on the discriminator's raw outputs (logits).

use burn::tensor::Tensor;

/// softplus(x) = log(1 + eˣ), computed as max(x, 0) + log(1 + e^(−|x|)) so that it never overflows.
pub fn softplus(x: Tensor<1>) -> Tensor<1> {
    x.clone().clamp_min(0.0) + x.abs().neg().exp().log1p()
}

/// Binary cross-entropy of logits against the label 1: −log σ(x) = softplus(−x), averaged.
pub fn bce_logits_real(logits: Tensor<1>) -> Tensor<1> {
    softplus(logits.neg()).mean()
}

/// Binary cross-entropy of logits against the label 0: −log(1 − σ(x)) = softplus(x), averaged.
pub fn bce_logits_fake(logits: Tensor<1>) -> Tensor<1> {
    softplus(logits).mean()
}

/// The non-saturating GAN of Goodfellow et al. (2014), the loss DCGAN trains with:
/// D minimises −E[log D(x)] − E[log(1 − D(G(z)))]; G minimises −E[log D(G(z))].
pub struct NonSaturating;

impl NonSaturating {
    pub fn discriminator_loss(&self, real_logits: Tensor<1>, fake_logits: Tensor<1>) -> Tensor<1> {
        bce_logits_real(real_logits) + bce_logits_fake(fake_logits)
    }

    pub fn generator_loss(&self, fake_logits: Tensor<1>) -> Tensor<1> {
        bce_logits_real(fake_logits)
    }
}
