//! The products on burn's Cube backend (every GPU). burn's default there is a direct kernel for
//! all three, and its weight gradients hand that kernel the worst shape it can get: the whole
//! output map as the kernel, the batch as the channels, a few hundred threads each summing tens
//! of thousands of terms. Here each is an im2col or col2im pass and one tiled matmul, kernels
//! that run on plain WGSL (f32, no subgroups, no tensor cores), so WebGPU and native Vulkan,
//! Metal and DX12 all take this path, and nothing is tuned at run time.

use burn::backend::TensorMetadata;
use burn::backend::ops::{ConvTransposeOptions, FloatTensorOps};
use burn::tensor::{Shape, Slice};
use burn_cubecl::CubeBackend;
use burn_cubecl::kernel::conv::{ConvTranspose2dStrategy, conv_transpose2d};
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;
use cubecl::{CubeDim, calculate_cube_count_elemwise};

use super::{Convolutions, conv_out, count};

type B = CubeBackend;

impl Convolutions for CubeBackend {
    fn product_conv2d(x: CubeTensor, weight: CubeTensor, stride: usize, padding: usize) -> CubeTensor {
        let [batch, _, height, width] = dims(&x);
        let [out, channels, kernel, _] = dims(&weight);
        let [oh, ow] = [height, width].map(|n| conv_out(n, kernel, stride, padding));
        count(batch * out * oh * ow, channels * kernel * kernel);
        let parts = parts(batch, channels * kernel * kernel * oh * ow);
        let ys = parts.iter().map(|&(first, n)| conv2d(images(&x, first, n), weight.clone(), stride, padding));
        batch_of(ys.collect())
    }

    fn product_conv_transpose2d(
        x: CubeTensor,
        weight: CubeTensor,
        stride: usize,
        padding: usize,
        padding_out: [usize; 2],
    ) -> CubeTensor {
        let ([batch, inputs, h, w], [_, outputs, kernel, _]) = (dims(&x), dims(&weight));
        count(batch * inputs * h * w, outputs * kernel * kernel);
        let parts = parts(batch, outputs * kernel * kernel * h * w);
        let images = parts.iter().map(|&(first, n)| {
            let x = images(&x, first, n);
            // burn's col2im: one matmul of the weights' transpose with the input, then one thread
            // per output pixel sums the taps that land on it.
            let options = ConvTransposeOptions::new([stride; 2], [padding; 2], padding_out, [1, 1], 1);
            let gemm =
                conv_transpose2d(x.clone(), weight.clone(), None, options.clone(), ConvTranspose2dStrategy::Gemm);
            // It declines only a batch whose launch would exceed the GPU's grid limits.
            gemm.or_else(|_| conv_transpose2d(x, weight.clone(), None, options, ConvTranspose2dStrategy::Direct))
                .expect("a transposed convolution the direct kernel takes")
        });
        batch_of(images.collect())
    }

    fn product_conv_weight_gradient(
        out_grad: CubeTensor,
        image: CubeTensor,
        stride: usize,
        padding: usize,
        kernel: usize,
    ) -> CubeTensor {
        let [batch, out, oh, ow] = dims(&out_grad);
        let rows = dims(&image)[1] * kernel * kernel;
        count(out * rows, batch * oh * ow);
        let parts = parts(batch, rows * oh * ow).into_iter().map(|(first, n)| {
            weight_gradient(images(&out_grad, first, n), images(&image, first, n), stride, padding, kernel)
        });
        parts.reduce(B::float_add).expect("a batch of at least one image")
    }
}

/// The convolution of a part of the batch: the batch's windows as columns, then one matmul over
/// them all, `[out, in·k·k]` by `[in·k·k, B·oh·ow]`: wide enough to tile well on any GPU (per
/// image, a 7×7 map gives 49 columns); then `[out, B, …]` is laid out batch first.
fn conv2d(x: CubeTensor, weight: CubeTensor, stride: usize, padding: usize) -> CubeTensor {
    let [batch, _, height, width] = dims(&x);
    let [out, channels, kernel, _] = dims(&weight);
    let [oh, ow] = [height, width].map(|n| conv_out(n, kernel, stride, padding));
    let columns = im2col(x, kernel, stride, padding, 1);
    let weight = B::float_reshape(weight, Shape::from([1, out, channels * kernel * kernel]));
    let y = B::float_reshape(B::float_matmul(weight, columns), Shape::from([out, batch, oh * ow]));
    B::float_reshape(B::float_permute(y, &[1, 0, 2]), Shape::from([batch, out, oh, ow]))
}

/// The weight gradient of a part of the batch. `[S, in·k·k, (B/S)·oh·ow]` and the upstream
/// gradient as `[S, out, (B/S)·oh·ow]`: the contraction over the batch and the positions, cut into
/// `S` matmuls whose partial sums are added last. A weight gradient's output is small against its
/// contraction; cut, a GPU gets `S` times more tiles to spread over its cores.
fn weight_gradient(
    out_grad: CubeTensor,
    image: CubeTensor,
    stride: usize,
    padding: usize,
    kernel: usize,
) -> CubeTensor {
    let [batch, out, oh, ow] = dims(&out_grad);
    let channels = dims(&image)[1];
    let (rows, positions) = (channels * kernel * kernel, oh * ow);
    let splits = split_count(batch, positions, out * rows);
    let per_split = batch / splits * positions;
    let columns = im2col(image, kernel, stride, padding, splits);
    let columns = B::float_swap_dims(columns, 1, 2);
    let out_grad = B::float_reshape(out_grad, Shape::from([splits, batch / splits, out, positions]));
    let out_grad = B::float_permute(out_grad, &[0, 2, 1, 3]);
    let out_grad = B::float_reshape(out_grad, Shape::from([splits, out, per_split]));
    let partials = B::float_matmul(out_grad, columns);
    let gradient = if splits == 1 { partials } else { B::float_sum_dim(partials, 0) };
    B::float_reshape(gradient, Shape::from([out, channels, kernel, kernel]))
}

/// The most values one matrix of columns may hold: WebGPU's default `maxStorageBufferBindingSize`
/// (128 MiB) in f32, as for every tensor of a run. A batch whose columns would be larger (they
/// hold each image about k²/stride² times) is taken in parts.
const COLUMN_VALUES: usize = crate::trainer::MAX_TENSOR_BYTES / 4;

/// The batch in parts whose columns fit [`COLUMN_VALUES`], `per_image` values each:
/// `(first image, images)`.
fn parts(batch: usize, per_image: usize) -> Vec<(usize, usize)> {
    let per_part = (COLUMN_VALUES / per_image.max(1)).clamp(1, batch);
    (0..batch).step_by(per_part).map(|first| (first, per_part.min(batch - first))).collect()
}

/// The parts' outputs as one batch. A batch in one part is returned as it is: burn's `cat` would
/// copy it into a new tensor, on every convolution.
fn batch_of(mut parts: Vec<CubeTensor>) -> CubeTensor {
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    B::float_cat(parts, 0)
}

/// `n` images of `x` from `first` on (all of them: `x` itself).
fn images(x: &CubeTensor, first: usize, n: usize) -> CubeTensor {
    let [batch, c, h, w] = dims(x);
    if n == batch {
        return x.clone();
    }
    B::float_slice(x.clone(), &[first..first + n, 0..c, 0..h, 0..w].map(Slice::from))
}

/// Into how many parts a weight gradient's contraction over `batch` images of `positions`
/// windows is cut: a divisor of the batch, as many parts as keep the partial sums within about
/// a million values and each part's contraction at least 256 long.
fn split_count(batch: usize, positions: usize, outputs: usize) -> usize {
    (1..=batch)
        .rev()
        .find(|&s| batch.is_multiple_of(s) && s * outputs <= 1 << 20 && batch / s * positions >= 256)
        .unwrap_or(1)
}

fn dims(x: &CubeTensor) -> [usize; 4] {
    x.shape().dims()
}

/// The image's windows as columns, in `groups` groups of images: `[groups, in·k·k,
/// (B/groups)·oh·ow]`, row `(c, ky, kx)` (the weights' order), column `(image, oy, ox)`, zero
/// where a window reaches into the padding. One thread per value.
fn im2col(image: CubeTensor, kernel: usize, stride: usize, padding: usize, groups: usize) -> CubeTensor {
    let [batch, channels, height, width] = dims(&image);
    let [oh, ow] = [height, width].map(|n| conv_out(n, kernel, stride, padding));
    let (rows, columns) = (channels * kernel * kernel, batch / groups * oh * ow);
    let client = image.client.clone();
    let out =
        empty_device_dtype(client.clone(), image.device.clone(), Shape::from([groups, rows, columns]), image.dtype);
    let count = groups * rows * columns;
    let cube_dim = CubeDim::new(&client, count);
    let cube_count = calculate_cube_count_elemwise(&client, count, cube_dim);
    // SAFETY: every index the kernel reads or writes is inside its tensors: it returns past
    // `count`, the output's size, and reads the image only where the window lies inside it.
    unsafe {
        im2col_kernel::launch_unchecked(
            &client,
            cube_count,
            cube_dim,
            image.into_tensor_arg(),
            out.clone().into_tensor_arg(),
            count,
            rows,
            columns,
            oh * ow,
            ow,
            kernel,
            stride,
            padding,
        );
    }
    out
}

#[cube(launch_unchecked)]
#[allow(clippy::too_many_arguments)]
fn im2col_kernel(
    image: &Tensor<f32>,
    columns: &mut Tensor<f32>,
    count: usize,
    rows: usize,
    per_group: usize,
    positions: usize,
    out_w: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
) {
    if ABSOLUTE_POS >= count {
        terminate!();
    }
    let column = ABSOLUTE_POS % per_group;
    let row = (ABSOLUTE_POS / per_group) % rows;
    let group = ABSOLUTE_POS / (per_group * rows);
    let index = group * (per_group / positions) + column / positions;
    let position = column % positions;
    let taps = kernel * kernel;
    let channel = row / taps;
    let tap = row % taps;
    // Where the tap lands in the image padded by `padding` zeros on each side.
    let y = (position / out_w) * stride + tap / kernel;
    let x = (position % out_w) * stride + tap % kernel;
    let mut value = 0.0f32;
    if y >= padding && x >= padding && y - padding < image.shape(2) && x - padding < image.shape(3) {
        value = image[index * image.stride(0)
            + channel * image.stride(1)
            + (y - padding) * image.stride(2)
            + (x - padding) * image.stride(3)];
    }
    let at = group * columns.stride(0) + row * columns.stride(1) + column * columns.stride(2);
    columns[at] = value;
}
