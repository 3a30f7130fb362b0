//! The CPU convolutions against burn's own, forward and both gradients, on the shapes the
//! networks use and some they do not (odd sizes, output padding, 1×1 and 3×3 kernels).

use burn::tensor::module::{conv_transpose2d, conv2d};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use burn::tensor::{Device, Tensor, TensorData};

use crate::rng::Rng;

fn random(rng: &mut Rng, dims: [usize; 4], device: &Device) -> Tensor<4> {
    let n = dims.iter().product();
    Tensor::from_data(TensorData::new(rng.normal_vec(n, 0.0, 1.0), dims), device)
}

fn assert_close(ours: Tensor<4>, theirs: Tensor<4>, what: &str) {
    assert_eq!(ours.dims(), theirs.dims(), "{what}: shape");
    let (a, b) = (crate::tensor::to_f32(ours.into_data()).unwrap(), crate::tensor::to_f32(theirs.into_data()).unwrap());
    let scale = b.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    let worst = a.iter().zip(&b).fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
    assert!(worst <= 1e-5 * scale, "{what}: largest difference {worst} (values up to {scale})");
}

/// Runs `ours` and `theirs` on the same `x` and weights, and compares outputs and the gradients of
/// a random projection of the output with respect to both.
fn compare(
    x_dims: [usize; 4],
    w_dims: [usize; 4],
    ours: &dyn Fn(Tensor<4>, Tensor<4>) -> Tensor<4>,
    theirs: &dyn Fn(Tensor<4>, Tensor<4>) -> Tensor<4>,
    what: &str,
) {
    let device = Device::flex().autodiff();
    let mut rng = Rng::new(7);
    let (x, w) = (random(&mut rng, x_dims, &device), random(&mut rng, w_dims, &device));
    let results = [ours, theirs].map(|f| {
        let (x, w) = (x.clone().detach().require_grad(), w.clone().detach().require_grad());
        let y = f(x.clone(), w.clone());
        let projection = Tensor::from_data(
            TensorData::new(Rng::new(3).normal_vec(y.dims().iter().product(), 0.0, 1.0), y.dims()),
            &device,
        );
        let grads = (y.clone() * projection).sum().backward();
        (y, x.grad(&grads).unwrap(), w.grad(&grads).unwrap())
    });
    let [(y, dx, dw), (y_ref, dx_ref, dw_ref)] = results;
    assert_close(y, y_ref, &format!("{what}: output"));
    assert_close(dx, dx_ref, &format!("{what}: input gradient"));
    assert_close(dw, dw_ref, &format!("{what}: weight gradient"));
}

#[test]
fn convolutions_match_burns_forward_and_back() {
    for (x, w, stride, padding) in [
        ([3, 4, 14, 14], [6, 4, 4, 4], 2, 1),
        ([2, 3, 28, 28], [5, 3, 4, 4], 2, 1),
        ([2, 3, 9, 7], [4, 3, 3, 3], 1, 1),
        ([2, 5, 8, 8], [3, 5, 3, 3], 2, 0),
        ([2, 4, 5, 5], [3, 4, 1, 1], 1, 0),
        // Images over several chunks, in the products and in the weight gradient's sum.
        ([7, 64, 28, 28], [8, 64, 4, 4], 2, 1),
    ] {
        compare(
            x,
            w,
            &|x, w| super::conv2d(x, w, stride, padding),
            &|x, w| conv2d(x, w, None, ConvOptions::new([stride; 2], [padding; 2], [1, 1], 1)),
            &format!("conv {x:?} * {w:?}, stride {stride}, padding {padding}"),
        );
    }
}

#[test]
fn transposed_convolutions_match_burns_forward_and_back() {
    for (x, w, stride, padding, padding_out) in [
        ([3, 6, 7, 7], [6, 4, 4, 4], 2, 1, 0),
        ([2, 5, 14, 14], [5, 1, 4, 4], 2, 1, 0),
        ([2, 4, 7, 7], [4, 3, 3, 3], 2, 1, 1),
        ([2, 3, 6, 5], [3, 4, 3, 3], 1, 1, 0),
        ([2, 3, 1, 1], [3, 4, 7, 7], 1, 0, 0),
        ([5, 16, 14, 14], [16, 128, 4, 4], 2, 1, 0),
    ] {
        compare(
            x,
            w,
            &|x, w| super::conv_transpose2d(x, w, stride, padding, [padding_out; 2]),
            &|x, w| {
                conv_transpose2d(
                    x,
                    w,
                    None,
                    ConvTransposeOptions::new([stride; 2], [padding; 2], [padding_out; 2], [1, 1], 1),
                )
            },
            &format!("transposed conv {x:?} * {w:?}, stride {stride}, padding {padding}, out {padding_out}"),
        );
    }
}

#[test]
fn without_autodiff_the_values_are_the_same() {
    let device = Device::flex();
    let mut rng = Rng::new(11);
    let x = random(&mut rng, [2, 3, 8, 8], &device);
    let w = random(&mut rng, [4, 3, 4, 4], &device);
    let ours = super::conv2d(x.clone(), w.clone(), 2, 1);
    assert_close(ours, conv2d(x, w, None, ConvOptions::new([2, 2], [1, 1], [1, 1], 1)), "conv without autodiff");
}
