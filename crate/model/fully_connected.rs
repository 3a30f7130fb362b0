//! Convolutions that are fully connected layers, as matrix products with the same weights, on the
//! CPU backend.
//!
//! A convolution whose kernel covers its whole unpadded input maps it to 1×1, and a transposed
//! convolution from a 1×1 map spreads each input value over a k×k kernel: both are one product of
//! the flattened input with the flattened weights (dcgan28's first G and last D layer, BEGAN's
//! code layers, the 2-D toys' MLP layers). burn's CPU convolutions are built for small windows:
//! forward and back, G's first layer takes 18.5 ms at batch 64 and the product 5.8; D's last
//! 4.2 ms at batch 128 and the product 0.8 (widths 128/64, 2 threads). On a GPU burn's
//! convolutions stay: on WebGPU (SwiftShader) the matrix product took a third of an NS-GAN round,
//! more than the direct convolutions it replaced, and saved two dispatches of 156. Weights keep
//! their layout: `[out, in, k, k]` for a convolution, `[in, out, k, k]` for a transposed one.

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::tensor::Tensor;

/// The convolution as a product (where [`conv_is_product`] on `x`).
pub fn conv(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let [batch, ..] = x.dims();
    let [out, inputs, k, _] = conv.weight.dims();
    let weights: Tensor<2> = conv.weight.val().reshape([out, inputs * k * k]);
    let y = x.reshape([batch, inputs * k * k]).matmul(weights.transpose()).reshape([batch, out, 1, 1]);
    with_bias(y, conv.bias.as_ref().map(|b| b.val()))
}

/// The transposed convolution as a product (where [`conv_transpose_is_product`] on `x`).
pub fn conv_transpose(conv: &ConvTranspose2d, x: Tensor<4>) -> Tensor<4> {
    let [batch, inputs, ..] = x.dims();
    let [_, out, k, _] = conv.weight.dims();
    let weights: Tensor<2> = conv.weight.val().reshape([inputs, out * k * k]);
    let y = x.reshape([batch, inputs]).matmul(weights).reshape([batch, out, k, k]);
    with_bias(y, conv.bias.as_ref().map(|b| b.val()))
}

/// [`conv`]'s input gradient: `upstream` `[B, out, 1, 1]` back through the weights to `[B, in, k, k]`.
pub fn conv_input_gradient(conv: &Conv2d, upstream: Tensor<4>) -> Tensor<4> {
    let [out, inputs, k, _] = conv.weight.dims();
    let batch = upstream.dims()[0];
    let weights: Tensor<2> = conv.weight.val().reshape([out, inputs * k * k]);
    upstream.reshape([batch, out]).matmul(weights).reshape([batch, inputs, k, k])
}

/// [`conv_transpose`]'s input gradient: `upstream` `[B, out, k, k]` back to `[B, in, 1, 1]`.
pub fn conv_transpose_input_gradient(conv: &ConvTranspose2d, upstream: Tensor<4>) -> Tensor<4> {
    let [inputs, out, k, _] = conv.weight.dims();
    let batch = upstream.dims()[0];
    let weights: Tensor<2> = conv.weight.val().reshape([inputs, out * k * k]);
    upstream.reshape([batch, out * k * k]).matmul(weights.transpose()).reshape([batch, inputs, 1, 1])
}

/// Whether the convolution is a product here: `x` on the CPU backend, a kernel over its whole
/// unpadded map, one group, no dilation.
pub fn conv_is_product(conv: &Conv2d, x: &Tensor<4>) -> bool {
    let unpadded = match conv.padding {
        PaddingConfig2d::Valid => true,
        PaddingConfig2d::Explicit(top, left, bottom, right) => top + left + bottom + right == 0,
        _ => false,
    };
    let plain = conv.groups == 1 && conv.dilation == [1, 1];
    unpadded && plain && conv.kernel_size[..] == x.dims()[2..] && crate::backend::is_cpu(&x.device())
}

/// Whether the transposed convolution is a product here: `x` a 1×1 map on the CPU backend, no
/// padding on either side, one group, no dilation.
pub fn conv_transpose_is_product(conv: &ConvTranspose2d, x: &Tensor<4>) -> bool {
    let unpadded = conv.padding == [0, 0] && conv.padding_out == [0, 0];
    let plain = conv.groups == 1 && conv.dilation == [1, 1];
    unpadded && plain && x.dims()[2..] == [1, 1] && crate::backend::is_cpu(&x.device())
}

/// `y` plus a bias per channel, if there is one.
pub fn with_bias(y: Tensor<4>, bias: Option<Tensor<1>>) -> Tensor<4> {
    match bias {
        Some(bias) => {
            let channels = bias.dims()[0];
            y + bias.reshape([1, channels, 1, 1])
        }
        None => y,
    }
}
