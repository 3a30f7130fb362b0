//! Loss building blocks, written from their formulas on the critic's raw outputs (logits);
//! each GAN variant in `crate::gan` combines them.

use burn::tensor::Tensor;

/// softplus(x) = log(1 + eˣ), computed as max(x, 0) + log(1 + e^(−|x|)) so that it never overflows.
pub fn softplus<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    x.clone().clamp_min(0.0) + x.abs().neg().exp().log1p()
}

/// Binary cross-entropy of each logit against the label 1: −log σ(x) = softplus(−x).
pub fn bce_logits_real(logits: Tensor<1>) -> Tensor<1> {
    softplus(logits.neg())
}

/// Binary cross-entropy of each logit against the label 0: −log(1 − σ(x)) = softplus(x).
pub fn bce_logits_fake(logits: Tensor<1>) -> Tensor<1> {
    softplus(logits)
}
