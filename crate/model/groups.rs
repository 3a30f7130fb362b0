//! Several batches through one network in one pass, each as if it went through on its own.
//!
//! Every layer but training BatchNorm treats each sample on its own. BatchNorm here normalises
//! each batch with that batch's statistics, through burn's own training BatchNorm over the
//! batches' channels side by side, and moves the running statistics towards each batch's in
//! turn: what separate passes in the same order give. One pass instead of several means a
//! convolution's weights are read, and their gradient computed, once (far fewer kernel launches
//! on a GPU).

use burn::nn::BatchNorm;
use burn::tensor::Tensor;
use burn::tensor::module::batch_norm_train;

use super::{Layer, Sequential};

impl Sequential {
    /// The network on `x`, `groups` batches of equal size one after the other along the batch
    /// axis, in training mode.
    pub fn forward_in_groups(&self, x: Tensor<4>, groups: usize) -> Tensor<4> {
        self.main.iter().fold(x, |x, layer| match layer {
            Layer::BatchNorm(bn) => batch_norm_in_groups(bn, x, groups),
            layer => layer.forward(x),
        })
    }
}

/// Training BatchNorm of each of the `groups` batches of `x` with its own statistics.
fn batch_norm_in_groups(bn: &BatchNorm, x: Tensor<4>, groups: usize) -> Tensor<4> {
    let [n, c, h, w] = x.dims();
    let b = n / groups;
    // [g·b, c, h, w] → [b, g·c, h, w]: batch k's channels become channels k·c..(k+1)·c.
    let side_by_side = x.reshape([groups, b, c, h, w]).swap_dims(0, 1).reshape([b, groups * c, h, w]);
    let gamma = Tensor::cat(vec![bn.gamma.val(); groups], 0);
    let beta = Tensor::cat(vec![bn.beta.val(); groups], 0);
    let out = batch_norm_train(side_by_side, gamma, beta, bn.epsilon);

    let device = out.output.device();
    let (mut mean, mut var) =
        (bn.running_mean.value_sync().to_device(&device), bn.running_var.value_sync().to_device(&device));
    for k in 0..groups {
        let part = |t: &Tensor<1>| t.clone().detach().slice(k * c..(k + 1) * c).mul_scalar(bn.momentum);
        mean = mean.mul_scalar(1.0 - bn.momentum).add(part(&out.mean));
        var = var.mul_scalar(1.0 - bn.momentum).add(part(&out.variance));
    }
    bn.running_mean.update(mean.detach());
    bn.running_var.update(var.detach());

    out.output.reshape([b, groups, c, h, w]).swap_dims(0, 1).reshape([n, c, h, w])
}
