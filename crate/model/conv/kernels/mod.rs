//! The CPU convolutions' kernels on row-major f32 slices: windows to columns (im2col) and back,
//! the swap between batch-major and channel-major layouts, and products through `gemm`.
//!
//! A convolution is one product over the whole batch: weights `[out, in·k·k]` times the image's
//! windows as columns `[in·k·k, batch·positions]`. Its weight gradient is one product too, the
//! upstream gradient times the columns' transpose, summed over the batch inside the product
//! (burn's generic weight gradient convolves the batch as channels, whose products have k·k rows).
//! Every output element is summed by one thread in one order, whatever the thread count.

use crate::model::parallel::for_each_chunk;

mod windows;
pub use windows::{Windows, col2im_into, im2col_into};

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
    // gemm splits the output over rayon's pool (where there is one and the product is worth it),
    // never the sum over k: each element keeps one order.
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    let parallelism =
        if parallel && m * n * k >= 1 << 21 { gemm::Parallelism::Rayon(0) } else { gemm::Parallelism::None };
    #[cfg(not(any(not(target_family = "wasm"), feature = "threads")))]
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
