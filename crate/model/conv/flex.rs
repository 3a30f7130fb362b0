//! The products on the CPU backend: `kernels` on flex's tensors.

use burn::backend::Flex;
use burn::backend::TensorMetadata;
use burn_flex::{FlexTensor, Layout};
use burn_std::{Bytes, DType, Shape};

use super::kernels::{self, Matrix, Windows};
use super::{Convolutions, conv_out, conv_transpose_out, count};

impl Convolutions for Flex {
    fn product_conv2d(x: FlexTensor, weight: FlexTensor, stride: usize, padding: usize) -> FlexTensor {
        let windows = conv_windows(dims(&x), dims(&weight)[2], stride, padding);
        let w = values(&weight);
        let r = w.len() / windows.rows();
        count(windows.columns() * r, windows.rows());
        let y = kernels::gather(&values(&x), Matrix::new(&w, r, windows.rows()), &windows);
        tensor(y, [windows.batch, r, windows.out_h, windows.out_w])
    }

    fn product_conv_transpose2d(
        x: FlexTensor,
        weight: FlexTensor,
        stride: usize,
        padding: usize,
        padding_out: [usize; 2],
    ) -> FlexTensor {
        let windows = conv_transpose_windows(dims(&x), dims(&weight), stride, padding, padding_out);
        let w = values(&weight);
        let r = w.len() / windows.rows();
        count(windows.columns() * r, windows.rows());
        let image = kernels::scatter(&values(&x), Matrix::new(&w, r, windows.rows()), &windows);
        tensor(image, [windows.batch, windows.channels, windows.height, windows.width])
    }

    fn product_conv_weight_gradient(
        out_grad: FlexTensor,
        image: FlexTensor,
        stride: usize,
        padding: usize,
        kernel: usize,
    ) -> FlexTensor {
        let windows = conv_windows(dims(&image), kernel, stride, padding);
        count(dims(&out_grad)[1] * windows.rows(), windows.columns());
        let gradient = kernels::weight_gradient(&values(&out_grad), &values(&image), &windows);
        tensor(gradient, [dims(&out_grad)[1], windows.channels, kernel, kernel])
    }
}

/// A convolution's windows over its input `[B, in, H, W]`.
fn conv_windows(x: [usize; 4], kernel: usize, stride: usize, padding: usize) -> Windows {
    let [batch, channels, height, width] = x;
    let out = |size| conv_out(size, kernel, stride, padding);
    Windows { batch, channels, height, width, kernel, stride, padding, out_h: out(height), out_w: out(width) }
}

/// A transposed convolution's windows: those of the convolution from its output back to `x`.
fn conv_transpose_windows(
    x: [usize; 4],
    weight: [usize; 4],
    stride: usize,
    padding: usize,
    padding_out: [usize; 2],
) -> Windows {
    let [batch, _, h, w] = x;
    let [_, channels, kernel, _] = weight;
    let size = |n, extra| conv_transpose_out(n, kernel, stride, padding, extra);
    Windows {
        batch,
        channels,
        height: size(h, padding_out[0]),
        width: size(w, padding_out[1]),
        kernel,
        stride,
        padding,
        out_h: h,
        out_w: w,
    }
}

fn dims(x: &FlexTensor) -> [usize; 4] {
    x.shape().dims()
}

/// The tensor's values, row-major f32 (a view where it is already laid out so).
pub fn values(x: &FlexTensor) -> std::borrow::Cow<'_, [f32]> {
    match x.as_slice::<f32>() {
        Some(values) if x.is_contiguous() => std::borrow::Cow::Borrowed(values),
        _ => std::borrow::Cow::Owned(x.to_contiguous().storage::<f32>().to_vec()),
    }
}

fn tensor(values: Vec<f32>, dims: [usize; 4]) -> FlexTensor {
    FlexTensor::new(Bytes::from_elems(values), Layout::contiguous(Shape::from(dims)), DType::F32)
}
