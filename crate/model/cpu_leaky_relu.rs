//! LeakyReLU on the CPU backend as one pass forward and one back.
//!
//! burn's LeakyReLU selects between x and slope·x, and on flex the backward of that selection
//! cost a tenth of an NS-GAN iteration at the reference size; x times a tensor of its slopes
//! still took three passes to build the slopes (ones, a comparison, a fill) and a product. Here
//! the forward is one pass, and the backward one pass over the upstream gradient and the input:
//! slope 1 above 0, `slope` at and below (PyTorch's convention at 0).

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, TensorMetadata, backend_extension};
use burn::tensor::Tensor;
use burn_flex::{FlexTensor, Layout};
use burn_std::{Bytes, DType};

use super::conv::values;
use super::parallel::for_each_chunk;

#[backend_extension(Flex, Autodiff)]
pub trait CpuLeakyRelu: Backend {
    fn cpu_leaky_relu(x: FloatTensor<Self>, slope: f64) -> FloatTensor<Self>;
    fn cpu_leaky_relu_gradient(upstream: FloatTensor<Self>, x: FloatTensor<Self>, slope: f64) -> FloatTensor<Self>;
}

/// LeakyReLU of `x` (on the CPU backend), differentiably.
pub fn leaky_relu<const D: usize>(x: Tensor<D>, slope: f64) -> Tensor<D> {
    Tensor::from_dispatch(<Dispatch as CpuLeakyRelu>::cpu_leaky_relu(x.into_dispatch(), slope))
}

/// `upstream` times LeakyReLU's slope at each element of `x`: the gradient through the layer
/// (a penalty's input gradient), in one pass. Differentiable in `upstream` (the same operation
/// takes its gradient back); its derivative in `x` is 0 wherever it exists, so `x` is a constant.
pub fn leaky_relu_gradient<const D: usize>(upstream: Tensor<D>, x: Tensor<D>, slope: f64) -> Tensor<D> {
    Tensor::from_dispatch(<Dispatch as CpuLeakyRelu>::cpu_leaky_relu_gradient(
        upstream.into_dispatch(),
        x.into_dispatch(),
        slope,
    ))
}

impl CpuLeakyRelu for Flex {
    fn cpu_leaky_relu(x: FlexTensor, slope: f64) -> FlexTensor {
        let slope = slope as f32;
        map(&x, None, move |x, _| if x > 0.0 { x } else { slope * x })
    }

    fn cpu_leaky_relu_gradient(upstream: FlexTensor, x: FlexTensor, slope: f64) -> FlexTensor {
        through_slopes(&x, &upstream, slope as f32)
    }
}

/// `g` times the slope at `x`: 1 above 0, `slope` at and below.
fn through_slopes(x: &FlexTensor, g: &FlexTensor, slope: f32) -> FlexTensor {
    map(x, Some(g), move |x, g| if x > 0.0 { g } else { slope * g })
}

#[derive(Debug)]
struct LeakyReluBackward;

impl Backward<Flex, 1> for LeakyReluBackward {
    type State = (NodeId, f32);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [x_node] = ops.parents;
        let upstream = grads.consume::<Flex>(&ops.node);
        let (x, slope) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x);
        if let Some(node) = x_node {
            grads.register::<Flex>(node.id, through_slopes(&x, &upstream, slope));
        }
    }
}

#[derive(Debug)]
struct LeakyReluGradientBackward;

impl Backward<Flex, 1> for LeakyReluGradientBackward {
    type State = (FlexTensor, f32);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [upstream_node] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let (x, slope) = ops.state;
        if let Some(node) = upstream_node {
            grads.register::<Flex>(node.id, through_slopes(&x, &grad, slope));
        }
    }
}

impl<C: CheckpointStrategy> CpuLeakyRelu for Autodiff<Flex, C> {
    fn cpu_leaky_relu(x: FloatTensor<Self>, slope: f64) -> FloatTensor<Self> {
        match LeakyReluBackward.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), slope as f32);
                prep.finish(state, Flex::cpu_leaky_relu(x.primitive().clone(), slope))
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::cpu_leaky_relu(x.into_primitive(), slope)),
        }
    }

    fn cpu_leaky_relu_gradient(upstream: FloatTensor<Self>, x: FloatTensor<Self>, slope: f64) -> FloatTensor<Self> {
        let x = x.into_primitive();
        match LeakyReluGradientBackward.prepare::<C>([upstream.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let output = Flex::cpu_leaky_relu_gradient(upstream.primitive().clone(), x.clone(), slope);
                prep.finish((x, slope as f32), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::cpu_leaky_relu_gradient(upstream.into_primitive(), x, slope)),
        }
    }
}

/// `f(x, g)` at each element of `x` (and of `other`, the same shape, where given; else 0).
/// Slices zipped, not indexed: no bounds checks, so the selection compiles to vector blends
/// (a branch on the sign mispredicts half the time on a network's activations). Callers pass
/// `move` closures: a slope captured by reference is reloaded at every element, and the loop then
/// stays scalar.
fn map(x: &FlexTensor, other: Option<&FlexTensor>, f: impl Fn(f32, f32) -> f32 + Sync) -> FlexTensor {
    let xs = values(x);
    let other = other.map(values);
    let gs: Option<&[f32]> = other.as_deref();
    let mut out = vec![0.0f32; xs.len()];
    for_each_chunk(&mut out, CHUNK, true, |i, chunk| {
        let xs = &xs[i * CHUNK..][..chunk.len()];
        match gs {
            Some(gs) => {
                let gs = &gs[i * CHUNK..][..chunk.len()];
                chunk.iter_mut().zip(xs).zip(gs).for_each(|((o, &x), &g)| *o = f(x, g));
            }
            None => chunk.iter_mut().zip(xs).for_each(|(o, &x)| *o = f(x, 0.0)),
        }
    });
    FlexTensor::new(Bytes::from_elems(out), Layout::contiguous(x.shape()), DType::F32)
}

/// Elements per parallel chunk.
const CHUNK: usize = 1 << 16;

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, Tensor, TensorData};

    #[test]
    fn values_and_gradient_are_pytorchs_with_the_slope_at_zero() {
        let device = Device::flex().autodiff();
        let x = Tensor::<1>::from_data(TensorData::from([-2.0f32, -0.5, 0.0, 0.5, 3.0]), &device).require_grad();
        let y = super::leaky_relu(x.clone(), 0.2);
        let upstream = Tensor::<1>::from_data(TensorData::from([1.0f32, 2.0, 3.0, 4.0, 5.0]), &device);
        let grads = (y.clone() * upstream).sum().backward();
        let values = crate::tensor::to_f32(y.into_data()).unwrap();
        let gradient = crate::tensor::to_f32(x.grad(&grads).unwrap().into_data()).unwrap();
        let expected = [-0.4f32, -0.1, 0.0, 0.5, 3.0];
        assert!(values.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-7), "{values:?}");
        assert!(gradient.iter().zip([0.2f32, 0.4, 0.6, 4.0, 5.0]).all(|(a, b)| (a - b).abs() < 1e-6), "{gradient:?}");
    }

    #[test]
    fn the_gradient_through_it_is_upstream_times_the_slopes_both_ways() {
        let device = Device::flex().autodiff();
        let x = Tensor::<1>::from_data(TensorData::from([-2.0f32, -0.5, 0.0, 0.5, 3.0]), &device);
        let upstream = Tensor::<1>::from_data(TensorData::from([1.0f32, 2.0, 3.0, 4.0, 5.0]), &device).require_grad();
        let through = super::leaky_relu_gradient(upstream.clone(), x, 0.2);
        let weights = Tensor::<1>::from_data(TensorData::from([1.0f32, -1.0, 2.0, 0.5, 1.0]), &device);
        let grads = (through.clone() * weights).sum().backward();
        let values = crate::tensor::to_f32(through.into_data()).unwrap();
        let gradient = crate::tensor::to_f32(upstream.grad(&grads).unwrap().into_data()).unwrap();
        assert_eq!(values, [1.0f32 * 0.2, 2.0 * 0.2, 3.0 * 0.2, 4.0, 5.0]);
        assert_eq!(gradient, [0.2f32, -0.2, 2.0 * 0.2, 0.5, 1.0]);
    }
}
