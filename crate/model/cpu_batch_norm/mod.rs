//! Training BatchNorm on the CPU backend as one pass for the statistics and one for the output,
//! and a closed-form backward of two passes.
//!
//! burn's own operation gathers each channel's values by swapping the axes (a copy of the
//! activation, forward and back), and its backward is a chain of a dozen element-wise passes and
//! reductions; several batches side by side (`groups`) cost two more copies. Here each channel of
//! each group is read where it lies, by one thread in one order.

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, AutodiffBackend, Backend, Dispatch, Flex, TensorMetadata, backend_extension};
use burn::tensor::Tensor;
use burn_flex::{FlexTensor, Layout};
use burn_std::{Bytes, DType, Shape};

use super::conv::values;
use super::parallel::{for_each_chunk, map_indices};

#[backend_extension(Flex, Autodiff)]
pub trait CpuBatchNorm: Backend {
    /// `x` `[groups·B, C, H, W]` normalised per group and channel: the output, and each group's
    /// mean and biased variance `[groups, C]` (constants for autodiff).
    fn cpu_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        groups: usize,
        epsilon: f64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

/// Training BatchNorm of `x` (on the CPU backend), differentiably: output, mean, variance.
pub fn batch_norm_train(
    x: Tensor<4>,
    gamma: Tensor<1>,
    beta: Tensor<1>,
    groups: usize,
    epsilon: f64,
) -> (Tensor<4>, Tensor<2>, Tensor<2>) {
    let (y, mean, variance) = <Dispatch as CpuBatchNorm>::cpu_batch_norm_train(
        x.into_dispatch(),
        gamma.into_dispatch(),
        beta.into_dispatch(),
        groups,
        epsilon,
    );
    (Tensor::from_dispatch(y), Tensor::from_dispatch(mean), Tensor::from_dispatch(variance))
}

/// Where one statistic's values lie: `groups` batches of `batch` samples of `channels` planes.
#[derive(Clone, Copy, Debug)]
struct Planes {
    groups: usize,
    batch: usize,
    channels: usize,
    plane: usize,
}

impl Planes {
    fn of(x: &FlexTensor, groups: usize) -> Self {
        let [n, channels, h, w] = x.shape().dims();
        Planes { groups, batch: n / groups, channels, plane: h * w }
    }

    /// Statistics: one per group and channel.
    fn statistics(&self) -> usize {
        self.groups * self.channels
    }

    /// Values behind one statistic.
    fn count(&self) -> f64 {
        (self.batch * self.plane) as f64
    }

    /// The planes of statistic `s` (group-major) in `x`.
    fn of_statistic<'a>(&self, x: &'a [f32], s: usize) -> impl Iterator<Item = &'a [f32]> {
        let (g, c) = (s / self.channels, s % self.channels);
        (0..self.batch).map(move |b| &x[((g * self.batch + b) * self.channels + c) * self.plane..][..self.plane])
    }

    /// The statistic of plane `index` (sample-major, as the tensor lies).
    fn statistic_of_plane(&self, index: usize) -> usize {
        let (n, c) = (index / self.channels, index % self.channels);
        n / self.batch * self.channels + c
    }
}

/// Each statistic's mean and biased variance (two passes, summed in f64).
fn moments(x: &[f32], p: &Planes) -> (Vec<f32>, Vec<f32>) {
    map_indices(p.statistics(), |s| {
        let planes = || p.of_statistic(x, s).map(|plane| (plane, plane));
        let mean = lane_sum(planes(), |x, _| x) / p.count();
        let squares = lane_sum(planes(), |x, _| (x - mean).powi(2));
        (mean as f32, (squares / p.count()) as f32)
    })
    .into_iter()
    .unzip()
}

/// Σ f(a, b) over paired values, in f64 and in eight running sums added at the end: the lanes
/// of a vector register, so that the loop vectorises (one sum in order waits on each addition).
fn lane_sum<'a>(pairs: impl Iterator<Item = (&'a [f32], &'a [f32])>, f: impl Fn(f64, f64) -> f64) -> f64 {
    const LANES: usize = 8;
    let (mut lanes, mut rest) = ([0.0f64; LANES], 0.0);
    for (a, b) in pairs {
        let (a, b) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
        rest += a.remainder().iter().zip(b.remainder()).map(|(&a, &b)| f(a as f64, b as f64)).sum::<f64>();
        for (a, b) in a.zip(b) {
            for ((sum, &a), &b) in lanes.iter_mut().zip(a).zip(b) {
                *sum += f(a as f64, b as f64);
            }
        }
    }
    lanes.iter().sum::<f64>() + rest
}

fn inverse_std(variance: &[f32], epsilon: f64) -> Vec<f32> {
    variance.iter().map(|&v| (1.0 / (v as f64 + epsilon).sqrt()) as f32).collect()
}

/// y = x·a + (β − μ·a), a = γ/√(σ² + ε), as PyTorch's CPU kernel computes it.
fn normalised(x: &[f32], p: &Planes, mean: &[f32], inv_std: &[f32], gamma: &[f32], beta: &[f32]) -> Vec<f32> {
    let mut y = vec![0.0f32; x.len()];
    for_each_chunk(&mut y, p.plane, true, |index, out| {
        let s = p.statistic_of_plane(index);
        let c = s % p.channels;
        let a = gamma[c] * inv_std[s];
        let shift = beta[c] - mean[s] * a;
        out.iter_mut().zip(&x[index * p.plane..]).for_each(|(o, &v)| *o = v * a + shift);
    });
    y
}

/// The gradients of x, γ and β from the upstream `g`: with N values per statistic,
/// Σg and Σ(x − μ)·g per statistic; dβ = Σg and dγ = Σ(x − μ)·g / σ̂ summed over the groups, and
/// dx = γ/σ̂ · (g − Σg/N − (x − μ)·Σ(x − μ)·g / (N·σ̂²)), σ̂ = √(σ² + ε).
fn gradients(x: &[f32], g: &[f32], p: &Planes, mean: &[f32], inv_std: &[f32], gamma: &[f32]) -> [Vec<f32>; 3] {
    let sums: Vec<(f64, f64)> = map_indices(p.statistics(), |s| {
        let m = mean[s] as f64;
        let pairs = || p.of_statistic(x, s).zip(p.of_statistic(g, s));
        (lane_sum(pairs(), |_, g| g), lane_sum(pairs(), move |x, g| (x - m) * g))
    });
    let mut dx = vec![0.0f32; x.len()];
    for_each_chunk(&mut dx, p.plane, true, |index, out| {
        let s = p.statistic_of_plane(index);
        let (sum_g, sum_xg) = sums[s];
        let scale = gamma[s % p.channels] * inv_std[s];
        let mean_g = (sum_g / p.count()) as f32;
        let m = mean[s];
        let k = (sum_xg / p.count()) as f32 * inv_std[s] * inv_std[s];
        let (xs, gs) = (&x[index * p.plane..], &g[index * p.plane..]);
        out.iter_mut().zip(xs.iter().zip(gs)).for_each(|(o, (&x, &g))| *o = scale * (g - mean_g - (x - m) * k));
    });
    let (mut dgamma, mut dbeta) = (vec![0.0f32; p.channels], vec![0.0f32; p.channels]);
    for c in 0..p.channels {
        let per_group = (0..p.groups).map(|group| group * p.channels + c);
        dgamma[c] = per_group.clone().map(|s| sums[s].1 * inv_std[s] as f64).sum::<f64>() as f32;
        dbeta[c] = per_group.map(|s| sums[s].0).sum::<f64>() as f32;
    }
    [dx, dgamma, dbeta]
}

fn tensor(values: Vec<f32>, shape: Shape) -> FlexTensor {
    FlexTensor::new(Bytes::from_elems(values), Layout::contiguous(shape), DType::F32)
}

impl CpuBatchNorm for Flex {
    fn cpu_batch_norm_train(
        x: FlexTensor,
        gamma: FlexTensor,
        beta: FlexTensor,
        groups: usize,
        epsilon: f64,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let p = Planes::of(&x, groups);
        let xs = values(&x);
        let (mean, variance) = moments(&xs, &p);
        let y = normalised(&xs, &p, &mean, &inverse_std(&variance, epsilon), &values(&gamma), &values(&beta));
        let stats = Shape::from([groups, p.channels]);
        (tensor(y, x.shape()), tensor(mean, stats.clone()), tensor(variance, stats))
    }
}

#[derive(Debug)]
struct BatchNormBackward;

/// The input's and γ's nodes, the groups, and each statistic's mean and 1/σ̂.
type State = (NodeId, NodeId, usize, Vec<f32>, Vec<f32>);

impl Backward<Flex, 3> for BatchNormBackward {
    type State = State;

    fn backward(self, ops: Ops<State, 3>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [x_node, gamma_node, beta_node] = ops.parents;
        let upstream = grads.consume::<Flex>(&ops.node);
        let (x, gamma, groups, mean, inv_std) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x);
        let gamma: FlexTensor = checkpointer.retrieve_node_output(gamma);
        let p = Planes::of(&x, groups);
        let [dx, dgamma, dbeta] = gradients(&values(&x), &values(&upstream), &p, &mean, &inv_std, &values(&gamma));
        let channels = Shape::from([p.channels]);
        for (node, gradient) in [(x_node, tensor(dx, x.shape())), (gamma_node, tensor(dgamma, channels.clone()))]
            .into_iter()
            .chain([(beta_node, tensor(dbeta, channels))])
        {
            if let Some(node) = node {
                grads.register::<Flex>(node.id, gradient);
            }
        }
    }
}

impl<C: CheckpointStrategy> CpuBatchNorm for Autodiff<Flex, C> {
    fn cpu_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        groups: usize,
        epsilon: f64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (y, mean, variance) = Flex::cpu_batch_norm_train(
            x.primitive().clone(),
            gamma.primitive().clone(),
            beta.primitive().clone(),
            groups,
            epsilon,
        );
        let statistics = (values(&mean).into_owned(), inverse_std(&values(&variance), epsilon));
        let y = match BatchNormBackward.prepare::<C>([x.node(), gamma.node(), beta.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&gamma), groups, statistics.0, statistics.1);
                prep.finish(state, y)
            }
            OpsKind::UnTracked(prep) => prep.finish(y),
        };
        (y, Self::from_inner(mean), Self::from_inner(variance))
    }
}

#[cfg(test)]
mod tests;
