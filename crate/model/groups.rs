//! Several batches through one network in one pass, each as if it went through on its own.
//!
//! Every layer but training BatchNorm treats each sample on its own. BatchNorm here normalises
//! each batch with that batch's statistics and moves the running statistics towards each batch's
//! in turn (`batch_norm::forward_train`): what separate passes in the same order give. One pass
//! instead of several means a convolution's weights are read, and their gradient computed, once
//! (far fewer kernel launches on a GPU).

use burn::tensor::Tensor;

use super::{Layer, Sequential, batch_norm};

impl Sequential {
    /// The network on `x`, `groups` batches of equal size one after the other along the batch
    /// axis, in training mode.
    pub fn forward_in_groups(&self, x: Tensor<4>, groups: usize) -> Tensor<4> {
        self.main.iter().fold(x, |x, layer| match layer {
            Layer::BatchNorm(bn) => batch_norm::forward_train(bn, x, groups),
            layer => layer.forward(x),
        })
    }
}
