//! The kernels against plain loops: im2col against reading each window, col2im as its adjoint,
//! the layouts, and products from transposed storage.

use super::*;

/// The windows' values read one by one from the padded image.
fn naive_im2col(image: &[f32], w: &Windows) -> Vec<f32> {
    let k = w.kernel;
    let mut cols = vec![0.0; w.rows() * w.columns()];
    for c in 0..w.channels {
        for kh in 0..k {
            for kw in 0..k {
                for b in 0..w.batch {
                    for oh in 0..w.out_h {
                        for ow in 0..w.out_w {
                            let ih = (oh * w.stride + kh) as isize - w.padding as isize;
                            let iw = (ow * w.stride + kw) as isize - w.padding as isize;
                            let inside = (0..w.height as isize).contains(&ih) && (0..w.width as isize).contains(&iw);
                            let v = if inside {
                                image[((b * w.channels + c) * w.height + ih as usize) * w.width + iw as usize]
                            } else {
                                0.0
                            };
                            cols[((c * k + kh) * k + kw) * w.columns() + b * w.positions() + oh * w.out_w + ow] = v;
                        }
                    }
                }
            }
        }
    }
    cols
}

#[test]
fn columns_are_the_windows_and_col2im_is_their_adjoint() {
    for (size, kernel, stride, padding) in
        [(7, 4, 2, 1), (14, 4, 2, 1), (5, 3, 1, 1), (6, 3, 2, 0), (4, 4, 1, 0), (3, 5, 1, 2)]
    {
        let out = (size + 2 * padding - kernel) / stride + 1;
        let w = Windows {
            batch: 2,
            channels: 3,
            height: size,
            width: size,
            kernel,
            stride,
            padding,
            out_h: out,
            out_w: out,
        };
        let image: Vec<f32> = (0..2 * 3 * size * size).map(|i| (i as f32 * 0.37).sin()).collect();
        let mut cols = vec![f32::NAN; w.rows() * w.columns()];
        im2col_into(&image, &w, &mut cols, true);
        assert_eq!(cols, naive_im2col(&image, &w), "im2col, {w:?}");
        // <im2col(x), y> = <x, col2im(y)> for any y.
        let y: Vec<f32> = (0..cols.len()).map(|i| (i as f32 * 0.11).cos()).collect();
        let lhs: f64 = cols.iter().zip(&y).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum();
        let mut back = vec![0.0; image.len()];
        col2im_into(&y, &w, &mut back, true);
        let rhs: f64 = image.iter().zip(back).map(|(a, b)| f64::from(*a) * f64::from(b)).sum();
        assert!((lhs - rhs).abs() < 1e-3 * lhs.abs().max(1.0), "adjoint, {w:?}: {lhs} vs {rhs}");
    }
}

#[test]
fn layouts_round_trip_and_products_match_a_plain_sum() {
    let x: Vec<f32> = (0..2 * 3 * 5).map(|i| i as f32).collect();
    let mut channel_major = vec![0.0; x.len()];
    channel_major_into(&x, 2, 3, 5, &mut channel_major, true);
    assert_eq!(channel_major[..10], [0.0, 1.0, 2.0, 3.0, 4.0, 15.0, 16.0, 17.0, 18.0, 19.0]);
    let mut back = vec![0.0; x.len()];
    batch_major_into(&channel_major, 2, 3, 5, &mut back);
    assert_eq!(back, x);
    let a: Vec<f32> = (0..6).map(|i| i as f32).collect(); // 2×3
    let b: Vec<f32> = (0..12).map(|i| i as f32 - 4.0).collect(); // 3×4
    let expected: Vec<f32> = (0..8).map(|e| (0..3).map(|j| a[e / 4 * 3 + j] * b[j * 4 + e % 4]).sum()).collect();
    let mut out = vec![f32::NAN; 8];
    product_into(Matrix::new(&a, 2, 3), Matrix::new(&b, 3, 4), &mut out, false, true);
    assert_eq!(out, expected);
    // The same product from transposed storage.
    let at: Vec<f32> = (0..6).map(|i| a[i % 2 * 3 + i / 2]).collect(); // 3×2
    product_into(Matrix::new(&at, 3, 2).t(), Matrix::new(&b, 3, 4), &mut out, true, false);
    assert_eq!(out, expected.iter().map(|v| 2.0 * v).collect::<Vec<f32>>());
}
