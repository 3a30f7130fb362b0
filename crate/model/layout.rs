//! Where a convolution's weights lie in memory.
//!
//! burn's GPU convolutions work channels-last: they read a weight `[a, b, k, k]` (a convolution's
//! `[out, in, k, k]`, a transposed one's `[in, out, k, k]`) as `[a, k, k, b]` with `b` contiguous,
//! and copy it into that order at every use (the forward pass and the input gradient), unless it
//! already lies so. On a GPU the core therefore keeps every convolution weight in that order: the
//! tensor is still `[a, b, k, k]`, a permuted view, so nothing that reads it changes. burn's CPU
//! backend wants the plain order, and keeps it.

use burn::module::Param;
use burn::tensor::{Device, Tensor, TensorData};

/// `[a, b, k, k]` → the order in memory, `[a, k, k, b]`.
const TO_STORED: [usize; 4] = [0, 2, 3, 1];
/// `[a, k, k, b]` → `[a, b, k, k]`.
const FROM_STORED: [usize; 4] = [0, 3, 1, 2];

/// Whether `device` keeps convolution weights channels-last (every device but burn's CPU backend).
pub fn channels_last(device: &Device) -> bool {
    !crate::backend::is_cpu(device)
}

/// A trainable convolution weight from `data` (`[a, b, k, k]`, PyTorch's order), laid out for `device`.
pub fn conv_weight(data: TensorData, device: &Device) -> Param<Tensor<4>> {
    let (Ok(values), &[a, b, kh, kw]) = (data.as_slice::<f32>(), &data.shape()[..]) else {
        return Param::from_data(data, device);
    };
    if !channels_last(device) {
        return Param::from_data(data, device);
    }
    let mut stored = Vec::with_capacity(values.len());
    for i in 0..a {
        for y in 0..kh {
            for x in 0..kw {
                stored.extend((0..b).map(|j| values[((i * b + j) * kh + y) * kw + x]));
            }
        }
    }
    // Permuted before it is marked trainable, so that the parameter is the view itself (a leaf).
    Param::from_tensor(Tensor::from_data(TensorData::new(stored, [a, kh, kw, b]), device).permute(FROM_STORED))
}

/// `a − b` for a parameter `a` and its step `b`, clipped to [−c, c] where a bound c is given,
/// written in `a`'s memory order: for a 4-D tensor on a GPU, in the stored order. (burn's fused
/// kernels write an element-wise result in the order of the input that holds the most bytes, the
/// plain order on a tie, which would lose the layout.) The clip joins the subtraction's kernel.
pub fn subtract<const D: usize>(a: Tensor<D>, b: Tensor<D>, clip: Option<f64>) -> Tensor<D> {
    let minus = |a: Tensor<D>, b: Tensor<D>| match clip {
        Some(c) => (a - b).clamp(-c, c),
        None => a - b,
    };
    if D != 4 || !channels_last(&a.device()) {
        return minus(a, b);
    }
    let to: [usize; D] = std::array::from_fn(|i| TO_STORED[i]);
    let from: [usize; D] = std::array::from_fn(|i| FROM_STORED[i]);
    minus(a.permute(to), b.permute(to)).permute(from)
}
