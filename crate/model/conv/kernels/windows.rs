//! A convolution's windows, and im2col / col2im between an image and its windows as columns.
//!
//! At stride 1 a window row is a run of an image row, copied or added whole. At stride 2 the
//! networks' window rows are 7 and 14 values long, and a loop per row spends more on finding its
//! run than on its values: there each tap is one flat loop per image, read through a table of
//! where the tap lands in the plane.

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
    pub(super) fn image_len(&self) -> usize {
        self.channels * self.plane()
    }

    /// The same windows over `batch` images.
    pub(super) fn with_batch(&self, batch: usize) -> Windows {
        Windows { batch, ..*self }
    }

    /// The image index read at window `o` by tap `t` along an axis of `size`, if inside.
    fn inside(&self, o: usize, t: usize, size: usize) -> Option<usize> {
        (o * self.stride + t).checked_sub(self.padding).filter(|&i| i < size)
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

    /// Where each tap reads in an image plane: for tap `(kh, kw)` and window `p`, the plane index
    /// at `[(kh·k + kw)·positions + p]`, or [`PADDING`] where it falls on the padding.
    fn tap_table(&self) -> Vec<usize> {
        let mut table = Vec::with_capacity(self.kernel * self.kernel * self.positions());
        for kh in 0..self.kernel {
            for kw in 0..self.kernel {
                for oh in 0..self.out_h {
                    for ow in 0..self.out_w {
                        let index = self.inside(oh, kh, self.height).zip(self.inside(ow, kw, self.width));
                        table.push(index.map_or(PADDING, |(ih, iw)| ih * self.width + iw));
                    }
                }
            }
        }
        table
    }
}

/// A tap on the padding: past any plane, so that `get` finds nothing there.
const PADDING: usize = usize::MAX;

/// The image's windows as columns into `cols`, `[channels·k·k, batch·positions]`: row `(c, kh,
/// kw)` holds what that tap sees in every window, zeros where it falls on the padding. Every value
/// of `cols` is written.
pub fn im2col_into(image: &[f32], w: &Windows, cols: &mut [f32], parallel: bool) {
    if w.positions() == 0 {
        return;
    }
    if w.stride == 1 { im2col_runs(image, w, cols, parallel) } else { im2col_table(image, w, cols, parallel) }
}

/// The columns added back onto `image` `[batch, channels, height, width]`, which starts at
/// zero: im2col's adjoint. Each image plane sums its taps in one order.
pub fn col2im_into(cols: &[f32], w: &Windows, image: &mut [f32], parallel: bool) {
    if w.positions() == 0 {
        return;
    }
    if w.stride == 1 { col2im_runs(cols, w, image, parallel) } else { col2im_table(cols, w, image, parallel) }
}

fn im2col_runs(image: &[f32], w: &Windows, cols: &mut [f32], parallel: bool) {
    let k = w.kernel;
    for_each_chunk(cols, w.columns(), parallel, |row, out| {
        let (c, kh, kw) = (row / (k * k), row / k % k, row % k);
        let (first, start, count) = w.image_columns(kw);
        for (b, out) in out.chunks_exact_mut(w.positions()).enumerate() {
            let plane = &image[(b * w.channels + c) * w.plane()..][..w.plane()];
            for (oh, target) in out.chunks_exact_mut(w.out_w).enumerate() {
                let Some(ih) = w.inside(oh, kh, w.height) else {
                    target.fill(0.0);
                    continue;
                };
                let (before, rest) = target.split_at_mut(first.min(w.out_w));
                let (inside, after) = rest.split_at_mut(count);
                before.fill(0.0);
                after.fill(0.0);
                inside.copy_from_slice(&plane[ih * w.width + start..][..count]);
            }
        }
    });
}

fn col2im_runs(cols: &[f32], w: &Windows, image: &mut [f32], parallel: bool) {
    let k = w.kernel;
    for_each_chunk(image, w.plane(), parallel, |index, plane| {
        let (b, c) = (index / w.channels, index % w.channels);
        for kh in 0..k {
            for kw in 0..k {
                let row = &cols[((c * k + kh) * k + kw) * w.columns() + b * w.positions()..][..w.positions()];
                let (first, start, count) = w.image_columns(kw);
                for oh in 0..w.out_h {
                    let Some(ih) = w.inside(oh, kh, w.height) else { continue };
                    let source = &row[oh * w.out_w + first..][..count];
                    plane[ih * w.width + start..][..count].iter_mut().zip(source).for_each(|(t, s)| *t += s);
                }
            }
        }
    });
}

fn im2col_table(image: &[f32], w: &Windows, cols: &mut [f32], parallel: bool) {
    let (taps, positions) = (w.kernel * w.kernel, w.positions());
    let table = w.tap_table();
    for_each_chunk(cols, w.columns(), parallel, |row, out| {
        let (c, tap) = (row / taps, row % taps);
        let reads = &table[tap * positions..][..positions];
        for (b, out) in out.chunks_exact_mut(positions).enumerate() {
            let plane = &image[(b * w.channels + c) * w.plane()..][..w.plane()];
            out.iter_mut().zip(reads).for_each(|(o, &i)| *o = plane.get(i).copied().unwrap_or(0.0));
        }
    });
}

fn col2im_table(cols: &[f32], w: &Windows, image: &mut [f32], parallel: bool) {
    let (taps, positions) = (w.kernel * w.kernel, w.positions());
    let table = w.tap_table();
    for_each_chunk(image, w.plane(), parallel, |index, plane| {
        let (b, c) = (index / w.channels, index % w.channels);
        for (tap, reads) in table.chunks_exact(positions).enumerate() {
            let row = &cols[(c * taps + tap) * w.columns() + b * positions..][..positions];
            for (&i, &v) in reads.iter().zip(row) {
                if let Some(target) = plane.get_mut(i) {
                    *target += v;
                }
            }
        }
    });
}
