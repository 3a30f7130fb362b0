//! The CPU convolutions' kernels on row-major f32 slices: windows to columns (im2col) and back,
//! the swap between batch-major and channel-major layouts, and products through `gemm`.
//!
//! A convolution is one product over the whole batch: weights `[out, in·k·k]` times the image's
//! windows as columns `[in·k·k, batch·positions]`. Its weight gradient is one product too, the
//! upstream gradient times the columns' transpose, summed over the batch inside the product
//! (burn's generic weight gradient convolves the batch as channels, whose products have k·k rows).
//! Every output element is summed by one thread in one order, whatever the thread count.

use crate::model::parallel::for_each_chunk;

/// Where a convolution's windows lie: an image `[batch, channels, height, width]`, a square
/// kernel moved by `stride` over the image padded by `padding` zeros, giving `out_h × out_w`
/// windows per image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Windows {
    pub batch: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    pub out_h: usize,
    pub out_w: usize,
}

impl Windows {
    /// Windows per image.
    pub fn positions(&self) -> usize {
        self.out_h * self.out_w
    }

    /// Rows of the columns matrix: one per channel and kernel tap.
    pub fn rows(&self) -> usize {
        self.channels * self.kernel * self.kernel
    }

    /// Columns of the columns matrix: one per window of every image.
    pub fn columns(&self) -> usize {
        self.batch * self.positions()
    }

    fn plane(&self) -> usize {
        self.height * self.width
    }

    /// Values of one image.
    fn image_len(&self) -> usize {
        self.channels * self.plane()
    }

    /// The same windows over `batch` images.
    fn with_batch(&self, batch: usize) -> Windows {
        Windows { batch, ..*self }
    }

    /// The image row read by window row `oh` at kernel row `kh`, if it is inside the image.
    fn image_row(&self, oh: usize, kh: usize) -> Option<usize> {
        (oh * self.stride + kh).checked_sub(self.padding).filter(|&i| i < self.height)
    }

    /// The image columns read by a window row at kernel column `kw`: `(first window, first image
    /// column, count)`, the windows whose column falls inside the image.
    fn image_columns(&self, kw: usize) -> (usize, usize, usize) {
        let first = (self.padding.saturating_sub(kw)).div_ceil(self.stride);
        let start = (first * self.stride + kw).saturating_sub(self.padding);
        let count = if start >= self.width {
            0
        } else {
            ((self.width - 1 - start) / self.stride + 1).min(self.out_w.saturating_sub(first))
        };
        (first, start, count)
    }
}

/// Values of columns a chunk of images is given: a few MiB, so that a chunk's columns are
/// still in cache when its product reads them, and memory is not handed back and forth with
/// the system between steps.
const CHUNK_VALUES: usize = 1 << 18;

/// `weight` `[r, rows]` times `image`'s windows: `[batch, r, positions]`, batch-major (a
/// convolution, and a transposed convolution's input gradient). Chunks of images in parallel.
pub fn gather(image: &[f32], weight: Matrix, w: &Windows) -> Vec<f32> {
    let (r, positions) = (weight.rows, w.positions());
    let per = images_per_chunk(w, CHUNK_VALUES);
    let mut out = vec![0.0; w.batch * r * positions];
    for_each_chunk(&mut out, per * r * positions, true, |i, out| {
        let part = w.with_batch(out.len() / (r * positions));
        with_scratch(part.rows() * part.columns(), |cols| {
            im2col_into(&image[i * per * w.image_len()..][..part.batch * w.image_len()], &part, cols, false);
            with_scratch(r * part.columns(), |y| {
                product_into(weight, Matrix::new(cols, part.rows(), part.columns()), y, false, false);
                batch_major_into(y, part.batch, r, positions, out);
            });
        });
    });
    out
}

/// `x` `[batch, r, positions]` through `weight` `[r, rows]` back onto the image,
/// `[batch, channels, height, width]` (a transposed convolution, and a convolution's input
/// gradient). Chunks of images in parallel.
pub fn scatter(x: &[f32], weight: Matrix, w: &Windows) -> Vec<f32> {
    let (r, positions) = (weight.rows, w.positions());
    let per = images_per_chunk(w, CHUNK_VALUES);
    let mut image = vec![0.0; w.batch * w.image_len()];
    for_each_chunk(&mut image, per * w.image_len(), true, |i, image| {
        let part = w.with_batch(image.len() / w.image_len());
        with_scratch(r * part.columns(), |xs| {
            channel_major_into(
                &x[i * per * r * positions..][..part.batch * r * positions],
                part.batch,
                r,
                positions,
                xs,
                false,
            );
            with_scratch(part.rows() * part.columns(), |cols| {
                product_into(weight.t(), Matrix::new(xs, r, part.columns()), cols, false, false);
                col2im_into(cols, &part, image, false);
            });
        });
    });
    image
}

/// The gradient of [`gather`]'s weights, `[r, rows]`, from the upstream `x` `[batch, r,
/// positions]` and the image (a convolution's weight gradient; a transposed convolution's, with
/// its input as `x` and the upstream gradient as the image). One product per chunk of images,
/// added in order: a chunk's product is split over the pool, never its sum.
pub fn weight_gradient(x: &[f32], image: &[f32], w: &Windows) -> Vec<f32> {
    let positions = w.positions();
    let r = x.len() / w.columns();
    let per = images_per_chunk(w, 4 * CHUNK_VALUES);
    let mut g = vec![0.0; r * w.rows()];
    for start in (0..w.batch).step_by(per) {
        let part = w.with_batch(per.min(w.batch - start));
        with_scratch(r * part.columns(), |xs| {
            channel_major_into(
                &x[start * r * positions..][..part.batch * r * positions],
                part.batch,
                r,
                positions,
                xs,
                true,
            );
            with_scratch(part.rows() * part.columns(), |cols| {
                im2col_into(&image[start * w.image_len()..][..part.batch * w.image_len()], &part, cols, true);
                let (a, b) = (Matrix::new(xs, r, part.columns()), Matrix::new(cols, part.rows(), part.columns()).t());
                product_into(a, b, &mut g, start > 0, true);
            });
        });
    }
    g
}

/// Images whose columns fit in about `values` values (at least one).
fn images_per_chunk(w: &Windows, values: usize) -> usize {
    (values / (w.rows() * w.positions()).max(1)).clamp(1, w.batch.max(1))
}

/// The image's windows as columns into `cols`, `[channels·k·k, batch·positions]`: row `(c, kh,
/// kw)` holds what that tap sees in every window, zeros where it falls on the padding. Every value
/// of `cols` is written.
pub fn im2col_into(image: &[f32], w: &Windows, cols: &mut [f32], parallel: bool) {
    let k = w.kernel;
    for_each_chunk(cols, w.columns(), parallel, |row, out| {
        let (c, kh, kw) = (row / (k * k), row / k % k, row % k);
        let (first, start, count) = w.image_columns(kw);
        for b in 0..w.batch {
            let plane = &image[(b * w.channels + c) * w.plane()..][..w.plane()];
            for oh in 0..w.out_h {
                let target = &mut out[b * w.positions() + oh * w.out_w..][..w.out_w];
                let Some(ih) = w.image_row(oh, kh) else {
                    target.fill(0.0);
                    continue;
                };
                let (before, rest) = target.split_at_mut(first.min(w.out_w));
                let (inside, after) = rest.split_at_mut(count);
                before.fill(0.0);
                after.fill(0.0);
                copy_strided(&plane[ih * w.width + start..], w.stride, inside);
            }
        }
    });
}

/// The columns added back onto `image` `[batch, channels, height, width]`, which starts at
/// zero: im2col's adjoint. Each image plane sums its taps in one order.
pub fn col2im_into(cols: &[f32], w: &Windows, image: &mut [f32], parallel: bool) {
    let k = w.kernel;
    for_each_chunk(image, w.plane(), parallel, |index, plane| {
        let (b, c) = (index / w.channels, index % w.channels);
        for kh in 0..k {
            for kw in 0..k {
                let row = &cols[((c * k + kh) * k + kw) * w.columns() + b * w.positions()..][..w.positions()];
                let (first, start, count) = w.image_columns(kw);
                for oh in 0..w.out_h {
                    let Some(ih) = w.image_row(oh, kh) else { continue };
                    add_strided(&row[oh * w.out_w + first..][..count], &mut plane[ih * w.width + start..], w.stride);
                }
            }
        }
    });
}

/// `target[i] = source[i·stride]`. Strides 1 and 2, the networks' own, are spelled out so
/// that the compiler vectorises them (a stride known at compile time).
fn copy_strided(source: &[f32], stride: usize, target: &mut [f32]) {
    let Some(last) = target.len().checked_sub(1) else { return };
    let source = &source[..last * stride + 1];
    match stride {
        1 => target.copy_from_slice(source),
        2 => target.iter_mut().enumerate().for_each(|(i, t)| *t = source[2 * i]),
        _ => target.iter_mut().enumerate().for_each(|(i, t)| *t = source[i * stride]),
    }
}

/// `target[i·stride] += source[i]`, strides 1 and 2 spelled out as in [`copy_strided`].
fn add_strided(source: &[f32], target: &mut [f32], stride: usize) {
    let Some(last) = source.len().checked_sub(1) else { return };
    let target = &mut target[..last * stride + 1];
    match stride {
        1 => target.iter_mut().zip(source).for_each(|(t, s)| *t += s),
        2 => source.iter().enumerate().for_each(|(i, s)| target[2 * i] += s),
        _ => source.iter().enumerate().for_each(|(i, s)| target[i * stride] += s),
    }
}

/// `[batch, channels, positions]` into `out`, `[channels, batch·positions]`.
fn channel_major_into(x: &[f32], batch: usize, channels: usize, positions: usize, out: &mut [f32], parallel: bool) {
    for_each_chunk(out, batch * positions, parallel, |c, row| {
        for b in 0..batch {
            row[b * positions..][..positions].copy_from_slice(&x[(b * channels + c) * positions..][..positions]);
        }
    });
}

/// `[channels, batch·positions]` into `out`, `[batch, channels, positions]`.
fn batch_major_into(x: &[f32], batch: usize, channels: usize, positions: usize, out: &mut [f32]) {
    for b in 0..batch {
        for c in 0..channels {
            out[(b * channels + c) * positions..][..positions]
                .copy_from_slice(&x[c * batch * positions + b * positions..][..positions]);
        }
    }
}

/// A matrix read from a slice: element (i, j) at `data[i·row + j·col]`.
#[derive(Clone, Copy)]
pub struct Matrix<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    row: usize,
    col: usize,
}

impl<'a> Matrix<'a> {
    /// A row-major `rows × cols` matrix.
    pub fn new(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert_eq!(data.len(), rows * cols, "a {rows}×{cols} matrix needs {} values", rows * cols);
        Matrix { data, rows, cols, row: cols, col: 1 }
    }

    /// The same values read as the transpose.
    pub fn t(self) -> Self {
        Matrix { rows: self.cols, cols: self.rows, row: self.col, col: self.row, ..self }
    }
}

/// `a · b` written to `out` (row-major `[a.rows, b.cols]`), or added to it with `accumulate`.
fn product_into(a: Matrix, b: Matrix, out: &mut [f32], accumulate: bool, parallel: bool) {
    assert_eq!(a.cols, b.rows, "product of {}×{} and {}×{}", a.rows, a.cols, b.rows, b.cols);
    let (m, n, k) = (a.rows, b.cols, a.cols);
    assert_eq!(out.len(), m * n, "a {m}×{n} product's output");
    if m * n * k == 0 {
        return;
    }
    // gemm splits the output over rayon's pool (natively, where the product is worth it), never
    // the sum over k: each element keeps one order.
    #[cfg(not(target_family = "wasm"))]
    let parallelism =
        if parallel && m * n * k >= 1 << 21 { gemm::Parallelism::Rayon(0) } else { gemm::Parallelism::None };
    #[cfg(target_family = "wasm")]
    let parallelism = {
        let _ = parallel;
        gemm::Parallelism::None
    };
    // SAFETY: `out` holds m·n values written row-major (row stride n, column stride 1); `a` and
    // `b` were checked to hold every element their strides reach (`Matrix::new`; `t` keeps the
    // same extent). Without `accumulate` gemm does not read `out`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a.col as isize,
            a.row as isize,
            b.data.as_ptr(),
            b.col as isize,
            b.row as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// `f` on `len` values of this thread's scratch memory, whose contents are left from earlier use.
/// Kept between calls: the chunks' buffers are then neither handed back to the system and
/// faulted in again nor zeroed each time. A nested call gets memory of its own.
fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    use std::cell::RefCell;
    thread_local! {
        static SCRATCH: RefCell<Vec<Vec<f32>>> = const { RefCell::new(Vec::new()) };
    }
    let mut buffer = SCRATCH.with(|s| s.borrow_mut().pop()).unwrap_or_default();
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
    let result = f(&mut buffer[..len]);
    SCRATCH.with(|s| s.borrow_mut().push(buffer));
    result
}

#[cfg(test)]
mod tests;
