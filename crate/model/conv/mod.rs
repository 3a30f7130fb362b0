//! The networks' convolutions as products, forward and back, on the CPU and on a GPU.
//!
//! A convolution is a product of its weights `[out, in·k·k]` with the image's windows as columns
//! (im2col); its input gradient is the transposed convolution, the weights' transpose times the
//! upstream gradient scattered back onto the image (col2im); its weight gradient is the upstream
//! gradient times the columns' transpose, summed over the batch inside the product. A transposed
//! convolution is the same three products in the other order. burn's own kernels do otherwise:
//! on the CPU one small product per image and tile, on a GPU a direct kernel that hands each
//! weight gradient's few hundred threads tens of thousands of multiply-adds each.
//!
//! burn's backend extension routes the three products to `flex` (the CPU's, in `kernels`) and to
//! the Cube backend (every GPU: WebGPU in the browser, Vulkan, Metal and DX12 natively; in
//! `cube`), through kernel fusion on the way; `autodiff` gives them their backward.

mod autodiff;
#[cfg(feature = "webgpu")]
mod cube;
mod flex;
mod kernels;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
#[cfg(feature = "webgpu")]
use burn::tensor::Shape;
use burn::tensor::Tensor;

use super::fully_connected::with_bias;
pub(super) use flex::values;

/// The convolutions of square kernels, one group, no dilation, the same stride and padding on
/// both axes; weights as burn lays them out. Named apart from burn's own `conv2d` and
/// `conv_transpose2d`, which every backend also has.
#[backend_extension(Flex, Cube: cfg(feature = "webgpu"), Fusion: cfg(feature = "webgpu"), Autodiff)]
pub trait Convolutions: Backend {
    /// `x` `[B, in, H, W]` with `weight` `[out, in, k, k]`: `[B, out, oh, ow]`.
    #[fusion(dtype = x, shape = conv_shape(x, weight, stride, padding))]
    fn product_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        stride: usize,
        padding: usize,
    ) -> FloatTensor<Self>;

    /// `x` `[B, in, h, w]` with `weight` `[in, out, k, k]`; `padding_out` rows and columns added
    /// at the bottom and right of the output.
    #[fusion(dtype = x, shape = conv_transpose_shape(x, weight, stride, padding, padding_out))]
    fn product_conv_transpose2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        stride: usize,
        padding: usize,
        padding_out: [usize; 2],
    ) -> FloatTensor<Self>;

    /// The gradient of a convolution's `k`×`k` weights `[out, in, k, k]`, from the gradient at
    /// its output `out_grad` `[B, out, oh, ow]` and its input `image` `[B, in, H, W]`. (A
    /// transposed convolution's: the same with its input as `out_grad`, its output's gradient as
    /// `image`.)
    #[fusion(dtype = out_grad, shape = weight_gradient_shape(out_grad, image, kernel))]
    fn product_conv_weight_gradient(
        out_grad: FloatTensor<Self>,
        image: FloatTensor<Self>,
        stride: usize,
        padding: usize,
        kernel: usize,
    ) -> FloatTensor<Self>;
}

/// A convolution's output size along an axis of `size`.
fn conv_out(size: usize, kernel: usize, stride: usize, padding: usize) -> usize {
    (size + 2 * padding - kernel) / stride + 1
}

/// A transposed convolution's output size along an axis of `size`.
fn conv_transpose_out(size: usize, kernel: usize, stride: usize, padding: usize, padding_out: usize) -> usize {
    (size - 1) * stride + kernel + padding_out - 2 * padding
}

// Output shapes, for kernel fusion, which records an operation before it runs.
#[cfg(feature = "webgpu")]
fn conv_shape(x: &Shape, weight: &Shape, stride: &usize, padding: &usize) -> Shape {
    let out = |size| conv_out(size, weight[2], *stride, *padding);
    Shape::from([x[0], weight[0], out(x[2]), out(x[3])])
}

#[cfg(feature = "webgpu")]
fn conv_transpose_shape(x: &Shape, weight: &Shape, stride: &usize, padding: &usize, padding_out: &[usize; 2]) -> Shape {
    let out = |size, extra| conv_transpose_out(size, weight[2], *stride, *padding, extra);
    Shape::from([x[0], weight[1], out(x[2], padding_out[0]), out(x[3], padding_out[1])])
}

#[cfg(feature = "webgpu")]
fn weight_gradient_shape(out_grad: &Shape, image: &Shape, kernel: &usize) -> Shape {
    Shape::from([out_grad[1], image[1], *kernel, *kernel])
}

/// Floating-point operations of the products run so far (a multiply-add counts two), for the
/// bench's arithmetic rate.
static FLOPS: AtomicU64 = AtomicU64::new(0);

/// The floating-point operations of the convolutions' products run so far in this process or
/// module (burn's own kernels, where chosen, are not counted).
pub fn flops() -> u64 {
    FLOPS.load(Ordering::Relaxed)
}

/// Counts one product of `outputs` values, each summed over `terms` products.
fn count(outputs: usize, terms: usize) {
    FLOPS.fetch_add(2 * (outputs * terms) as u64, Ordering::Relaxed);
}

/// Whether a GPU runs the convolutions here (`true`, the default) or burn's own kernels (for the
/// bench's comparison of the two).
static ON_GPU: AtomicBool = AtomicBool::new(true);

/// Chooses the kernels of the convolutions on a GPU from now on: these products, or burn's own.
pub fn set_gpu_products(on: bool) {
    ON_GPU.store(on, Ordering::Relaxed);
}

/// Whether `x`'s device runs the convolutions here: the CPU always, a GPU unless told otherwise.
fn runs_on(x: &Tensor<4>) -> bool {
    crate::backend::is_cpu(&x.device()) || (cfg!(feature = "webgpu") && ON_GPU.load(Ordering::Relaxed))
}

/// Whether `conv` on `x` runs here: a device that does and a convolution these products cover.
pub fn runs_conv(conv: &Conv2d, x: &Tensor<4>) -> bool {
    let padding = match conv.padding {
        PaddingConfig2d::Valid => Some(0),
        PaddingConfig2d::Explicit(top, left, bottom, right) => Some(top).filter(|_| [left, bottom, right] == [top; 3]),
        _ => None,
    };
    padding.is_some() && plain(conv.groups, conv.dilation, conv.kernel_size, conv.stride) && runs_on(x)
}

/// Whether `conv` on `x` runs here (as [`runs_conv`]).
pub fn runs_conv_transpose(conv: &ConvTranspose2d, x: &Tensor<4>) -> bool {
    let even = conv.padding[0] == conv.padding[1];
    even && plain(conv.groups, conv.dilation, conv.kernel_size, conv.stride) && runs_on(x)
}

/// `conv`'s padding on every side (where [`runs_conv`]).
pub fn padding(conv: &Conv2d) -> usize {
    match conv.padding {
        PaddingConfig2d::Explicit(top, ..) => top,
        _ => 0,
    }
}

fn plain(groups: usize, dilation: [usize; 2], kernel: [usize; 2], stride: [usize; 2]) -> bool {
    groups == 1 && dilation == [1, 1] && kernel[0] == kernel[1] && stride[0] == stride[1]
}

/// The convolution (where [`runs_conv`]).
pub fn conv(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let y = conv2d(x, conv.weight.val(), conv.stride[0], padding(conv));
    with_bias(y, conv.bias.as_ref().map(|b| b.val()))
}

/// The transposed convolution (where [`runs_conv_transpose`]).
pub fn conv_transpose(conv: &ConvTranspose2d, x: Tensor<4>) -> Tensor<4> {
    let y = conv_transpose2d(x, conv.weight.val(), conv.stride[0], conv.padding[0], conv.padding_out);
    with_bias(y, conv.bias.as_ref().map(|b| b.val()))
}

/// `x` convolved with `weight` `[out, in, k, k]`, differentiably.
pub fn conv2d(x: Tensor<4>, weight: Tensor<4>, stride: usize, padding: usize) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as Convolutions>::product_conv2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        stride,
        padding,
    ))
}

/// `x` through the transposed convolution with `weight` `[in, out, k, k]`, differentiably.
pub fn conv_transpose2d(
    x: Tensor<4>,
    weight: Tensor<4>,
    stride: usize,
    padding: usize,
    padding_out: [usize; 2],
) -> Tensor<4> {
    let y = <Dispatch as Convolutions>::product_conv_transpose2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        stride,
        padding,
        padding_out,
    );
    Tensor::from_dispatch(y)
}

/// The output padding that gives a convolution's input gradient the input's size `[h, w]`, where
/// the stride does not divide it evenly.
pub fn padding_out(size: [usize; 2], kernel: usize, stride: usize, padding: usize) -> [usize; 2] {
    size.map(|n| (n + 2 * padding - kernel) % stride)
}

#[cfg(test)]
mod tests;
