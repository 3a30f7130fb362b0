//! Training BatchNorm with burn's `BatchNorm` holding the weights and running statistics, for
//! one batch or for several side by side, each normalised with its own statistics (`groups`:
//! one pass through the network normalises each as a pass of its own would, see `groups.rs`).
//!
//! On a GPU it is written out over a channels-last view of the activation. burn's GPU
//! convolutions leave their output channels-last in memory (an NCHW view of NHWC data); as rows
//! `[B·H·W, C]` that is a plain view, so each batch statistic is one reduction, where burn's own
//! operation swaps the axes and copies the activation to gather each channel's values, twice
//! forward and twice back. On the CPU backend it is one operation with a closed-form backward
//! (`cpu_batch_norm`), each channel of each group read where it lies.

use burn::nn::BatchNorm;
use burn::tensor::Tensor;

/// The normalised activation, and each group's batch mean and (biased) variance, `[groups, C]`.
pub struct BatchStatistics {
    pub output: Tensor<4>,
    pub mean: Tensor<2>,
    pub variance: Tensor<2>,
}

/// y = γ·(x − μ)/√(σ² + ε) + β, μ and σ² over the batch and the map of each channel, per group
/// of `x.dims()[0] / groups` samples.
pub fn normalise(x: Tensor<4>, groups: usize, gamma: Tensor<1>, beta: Tensor<1>, epsilon: f64) -> BatchStatistics {
    if crate::backend::is_cpu(&x.device()) {
        let (output, mean, variance) = super::cpu_batch_norm::batch_norm_train(x, gamma, beta, groups, epsilon);
        BatchStatistics { output, mean, variance }
    } else {
        channels_last(x, groups, gamma, beta, epsilon)
    }
}

fn channels_last(x: Tensor<4>, groups: usize, gamma: Tensor<1>, beta: Tensor<1>, epsilon: f64) -> BatchStatistics {
    let [n, c, h, w] = x.dims();
    // The parameters' reshapes come first: a reshape between element-wise operations ends a
    // fused kernel.
    let gamma = gamma.reshape([1, 1, c]);
    let beta = beta.reshape([1, 1, c]);
    let rows = x.permute([0, 2, 3, 1]).reshape([groups, n / groups * h * w, c]);
    let mean = rows.clone().mean_dim(1);
    // σ²'s derivative with respect to μ is −2/N·Σ(x − μ) = 0, so μ enters it as a constant: the
    // backward then has no reduction for that path.
    let variance = (rows.clone() - mean.clone().detach()).square().mean_dim(1);
    // y = x·a + (β − μ·a) with a = γ/√(σ² + ε), as PyTorch's CPU kernel computes it: the
    // backward's reductions are then Σ g and Σ g·x, one for each per-channel factor.
    let scale = gamma / variance.clone().add_scalar(epsilon).sqrt();
    let shift = beta - mean.clone() * scale.clone();
    let output = (rows * scale + shift).reshape([n, h, w, c]).permute([0, 3, 1, 2]);
    BatchStatistics { output, mean: mean.reshape([groups, c]), variance: variance.reshape([groups, c]) }
}

/// Training BatchNorm of `x`, `groups` batches one after the other along its first axis, each with
/// its own statistics; the running statistics move towards each group's in turn. The running
/// variance moves towards the unbiased variance (n/(n − 1) times the one that normalises), as
/// PyTorch's does, so that a model trained here runs in PyTorch's eval mode as it would have
/// there (burn's own `BatchNorm` takes the biased one).
pub fn forward_train(bn: &BatchNorm, x: Tensor<4>, groups: usize) -> Tensor<4> {
    let [n, c, h, w] = x.dims();
    let count = (n / groups * h * w) as f64;
    let unbiased = if count > 1.0 { count / (count - 1.0) } else { 1.0 };
    let stats = normalise(x, groups, bn.gamma.val(), bn.beta.val(), bn.epsilon);
    // Each group's statistics as [C] first, then the running ones (reading them divides by the
    // thread count, an element-wise operation): the whole update is then one fused kernel.
    let per_group = |t: &Tensor<2>| -> Vec<Tensor<1>> {
        let t = t.clone().detach();
        match groups {
            1 => vec![t.reshape([c])],
            _ => (0..groups).map(|k| t.clone().narrow(0, k, 1).reshape([c])).collect(),
        }
    };
    let (means, variances) = (per_group(&stats.mean), per_group(&stats.variance));
    let device = stats.output.device();
    let mut running_mean = bn.running_mean.value_sync().to_device(&device);
    let mut running_var = bn.running_var.value_sync().to_device(&device);
    for (mean, variance) in means.into_iter().zip(variances) {
        running_mean = running_mean.mul_scalar(1.0 - bn.momentum).add(mean.mul_scalar(bn.momentum));
        running_var = running_var.mul_scalar(1.0 - bn.momentum).add(variance.mul_scalar(bn.momentum * unbiased));
    }
    bn.running_mean.update(running_mean.detach());
    bn.running_var.update(running_var.detach());
    stats.output
}

#[cfg(test)]
mod tests;
