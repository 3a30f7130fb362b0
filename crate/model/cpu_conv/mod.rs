//! Convolutions on the CPU backend as whole-batch products, forward and back.
//!
//! burn's CPU convolution runs one product per image and tile, and its weight gradient, burn's
//! generic one, convolves the batch as channels: products with k·k = 16 rows, which were a third
//! of an NS-GAN iteration at the reference size. Here a convolution is one product of the weights
//! with the batch's windows as columns (`kernels`), its weight gradient one product summed over
//! the batch, and the transposed convolution the same three products in the other order. burn's
//! backend extension routes the two operations to flex, and `autodiff` gives them their
//! backward. On a GPU burn's own kernels stay.

mod autodiff;
mod kernels;

use burn::backend::TensorMetadata;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Flex, backend_extension};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::tensor::Tensor;
use burn_flex::{FlexTensor, Layout};
use burn_std::{Bytes, DType, Shape};

use super::fully_connected::with_bias;
use kernels::{Matrix, Windows};

/// The two convolutions of square kernels, one group, no dilation, the same stride and padding
/// on both axes; weights as burn lays them out.
#[backend_extension(Flex, Autodiff)]
pub trait CpuConv: Backend {
    /// `x` `[B, in, H, W]` with `weight` `[out, in, k, k]`.
    fn cpu_conv2d(x: FloatTensor<Self>, weight: FloatTensor<Self>, stride: usize, padding: usize) -> FloatTensor<Self>;
    /// `x` `[B, in, H, W]` with `weight` `[in, out, k, k]`; `padding_out` rows and columns added
    /// at the bottom and right of the output.
    fn cpu_conv_transpose2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        stride: usize,
        padding: usize,
        padding_out: usize,
    ) -> FloatTensor<Self>;
}

impl CpuConv for Flex {
    fn cpu_conv2d(x: FlexTensor, weight: FlexTensor, stride: usize, padding: usize) -> FlexTensor {
        let windows = conv_windows(&dims(&x), &dims(&weight), stride, padding);
        gather(&x, &weight, &windows)
    }

    fn cpu_conv_transpose2d(
        x: FlexTensor,
        weight: FlexTensor,
        stride: usize,
        padding: usize,
        padding_out: usize,
    ) -> FlexTensor {
        let windows = conv_transpose_windows(&dims(&x), &dims(&weight), stride, padding, padding_out);
        scatter(&x, &weight, &windows)
    }
}

/// Whether `conv` on `x` runs here: the CPU backend and a convolution these kernels cover.
pub fn runs_conv(conv: &Conv2d, x: &Tensor<4>) -> bool {
    let padding = match conv.padding {
        PaddingConfig2d::Valid => Some(0),
        PaddingConfig2d::Explicit(top, left, bottom, right) => Some(top).filter(|_| [left, bottom, right] == [top; 3]),
        _ => None,
    };
    padding.is_some()
        && plain(conv.groups, conv.dilation, conv.kernel_size, conv.stride)
        && crate::backend::is_cpu(&x.device())
}

/// Whether `conv` on `x` runs here (as [`runs_conv`]).
pub fn runs_conv_transpose(conv: &ConvTranspose2d, x: &Tensor<4>) -> bool {
    let even = conv.padding[0] == conv.padding[1] && conv.padding_out[0] == conv.padding_out[1];
    even && plain(conv.groups, conv.dilation, conv.kernel_size, conv.stride) && crate::backend::is_cpu(&x.device())
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
    let y = conv_transpose2d(x, conv.weight.val(), conv.stride[0], conv.padding[0], conv.padding_out[0]);
    with_bias(y, conv.bias.as_ref().map(|b| b.val()))
}

/// `x` convolved with `weight` `[out, in, k, k]`, differentiably.
pub fn conv2d(x: Tensor<4>, weight: Tensor<4>, stride: usize, padding: usize) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as CpuConv>::cpu_conv2d(x.into_dispatch(), weight.into_dispatch(), stride, padding))
}

/// `x` through the transposed convolution with `weight` `[in, out, k, k]`, differentiably.
pub fn conv_transpose2d(
    x: Tensor<4>,
    weight: Tensor<4>,
    stride: usize,
    padding: usize,
    padding_out: usize,
) -> Tensor<4> {
    let y = <Dispatch as CpuConv>::cpu_conv_transpose2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        stride,
        padding,
        padding_out,
    );
    Tensor::from_dispatch(y)
}

/// A convolution's windows over its input `x` `[B, in, H, W]`, for `weight` `[out, in, k, k]`.
fn conv_windows(x: &[usize; 4], weight: &[usize; 4], stride: usize, padding: usize) -> Windows {
    let [batch, channels, height, width] = *x;
    let kernel = weight[2];
    let out = |size: usize| (size + 2 * padding - kernel) / stride + 1;
    Windows { batch, channels, height, width, kernel, stride, padding, out_h: out(height), out_w: out(width) }
}

/// A transposed convolution's windows: those of the convolution from its output back to `x`.
fn conv_transpose_windows(
    x: &[usize; 4],
    weight: &[usize; 4],
    stride: usize,
    padding: usize,
    padding_out: usize,
) -> Windows {
    let [batch, _, h, w] = *x;
    let [_, channels, kernel, _] = *weight;
    let size = |n: usize| (n - 1) * stride + kernel + padding_out - 2 * padding;
    Windows { batch, channels, height: size(h), width: size(w), kernel, stride, padding, out_h: h, out_w: w }
}

/// [`kernels::gather`] on tensors: `weight` `[r, …]` over `image`'s windows, `[B, r, out_h, out_w]`.
fn gather(image: &FlexTensor, weight: &FlexTensor, windows: &Windows) -> FlexTensor {
    let w = values(weight);
    let r = w.len() / windows.rows();
    let y = kernels::gather(&values(image), Matrix::new(&w, r, windows.rows()), windows);
    tensor(y, [windows.batch, r, windows.out_h, windows.out_w])
}

/// [`kernels::scatter`] on tensors: `x` `[B, r, out_h, out_w]` through `weight` onto the image.
fn scatter(x: &FlexTensor, weight: &FlexTensor, windows: &Windows) -> FlexTensor {
    let w = values(weight);
    let r = w.len() / windows.rows();
    let image = kernels::scatter(&values(x), Matrix::new(&w, r, windows.rows()), windows);
    tensor(image, [windows.batch, windows.channels, windows.height, windows.width])
}

/// [`kernels::weight_gradient`] on tensors, laid out as `weight_dims`.
fn weight_gradient(x: &FlexTensor, image: &FlexTensor, windows: &Windows, weight_dims: [usize; 4]) -> FlexTensor {
    tensor(kernels::weight_gradient(&values(x), &values(image), windows), weight_dims)
}

fn dims(x: &FlexTensor) -> [usize; 4] {
    x.shape().dims()
}

/// The tensor's values, row-major f32 (a view where it is already laid out so).
pub(super) fn values(x: &FlexTensor) -> std::borrow::Cow<'_, [f32]> {
    match x.as_slice::<f32>() {
        Some(values) if x.is_contiguous() => std::borrow::Cow::Borrowed(values),
        _ => std::borrow::Cow::Owned(x.to_contiguous().storage::<f32>().to_vec()),
    }
}

fn tensor(values: Vec<f32>, dims: [usize; 4]) -> FlexTensor {
    FlexTensor::new(Bytes::from_elems(values), Layout::contiguous(Shape::from(dims)), DType::F32)
}

#[cfg(test)]
mod tests;
