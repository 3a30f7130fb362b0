//! The running statistics against PyTorch's rule, computed here in f64: after each group,
//! running = (1 − momentum)·running + momentum·batch statistic, the variance unbiased.

use burn::nn::BatchNormConfig;
use burn::tensor::{Device, Tensor, TensorData};

use crate::rng::Rng;

#[test]
fn running_statistics_follow_pytorchs_rule_with_the_unbiased_variance() {
    let device = Device::flex();
    let (groups, [n, c, h, w]) = (2, [6, 3, 2, 2]);
    let values = Rng::new(5).normal_vec(n * c * h * w, 0.3, 1.5);
    let bn = BatchNormConfig::new(c).init(&device);
    let x = Tensor::<4>::from_data(TensorData::new(values.clone(), [n, c, h, w]), &device);
    let _ = super::forward_train(&bn, x, groups);

    let momentum = bn.momentum;
    let (mut mean, mut var) = (vec![0.0f64; c], vec![1.0f64; c]);
    let per_group = n / groups;
    for g in 0..groups {
        for ch in 0..c {
            let xs: Vec<f64> = (g * per_group..(g + 1) * per_group)
                .flat_map(|b| &values[(b * c + ch) * h * w..][..h * w])
                .map(|&v| f64::from(v))
                .collect();
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            let unbiased = xs.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
            mean[ch] = (1.0 - momentum) * mean[ch] + momentum * m;
            var[ch] = (1.0 - momentum) * var[ch] + momentum * unbiased;
        }
    }
    let read = |t: Tensor<1>| crate::tensor::to_f32(t.into_data()).unwrap();
    for (what, ours, expected) in
        [("mean", read(bn.running_mean.value_sync()), mean), ("variance", read(bn.running_var.value_sync()), var)]
    {
        for (ch, (a, b)) in ours.iter().zip(&expected).enumerate() {
            assert!((f64::from(*a) - b).abs() < 1e-6, "running {what} of channel {ch}: {a} vs {b}");
        }
    }
}
