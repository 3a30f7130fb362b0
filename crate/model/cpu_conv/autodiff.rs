//! The CPU convolutions' backward passes: each one's input and weight gradients are the other
//! two of its three products (`gather`, `scatter`, `weight_gradient`).

use burn::backend::Autodiff;
use burn::backend::Flex;
use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn_flex::FlexTensor;

use super::kernels::Windows;
use super::{CpuConv, conv_transpose_windows, conv_windows, dims, gather, scatter, weight_gradient};

/// What a backward pass keeps: the input's and weights' nodes, the windows, the weights' shape.
type State = (NodeId, NodeId, Windows, [usize; 4]);

#[derive(Debug)]
struct ConvBackward;

#[derive(Debug)]
struct ConvTransposeBackward;

impl Backward<Flex, 2> for ConvBackward {
    type State = State;

    fn backward(self, ops: Ops<State, 2>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [x_node, weight_node] = ops.parents;
        let upstream = grads.consume::<Flex>(&ops.node);
        let (x, weight, windows, weight_dims) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x);
        let weight: FlexTensor = checkpointer.retrieve_node_output(weight);
        if let Some(node) = x_node {
            grads.register::<Flex>(node.id, scatter(&upstream, &weight, &windows));
        }
        if let Some(node) = weight_node {
            grads.register::<Flex>(node.id, weight_gradient(&upstream, &x, &windows, weight_dims));
        }
    }
}

impl Backward<Flex, 2> for ConvTransposeBackward {
    type State = State;

    fn backward(self, ops: Ops<State, 2>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [x_node, weight_node] = ops.parents;
        let upstream = grads.consume::<Flex>(&ops.node);
        let (x, weight, windows, weight_dims) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x);
        let weight: FlexTensor = checkpointer.retrieve_node_output(weight);
        if let Some(node) = x_node {
            grads.register::<Flex>(node.id, gather(&upstream, &weight, &windows));
        }
        if let Some(node) = weight_node {
            grads.register::<Flex>(node.id, weight_gradient(&x, &upstream, &windows, weight_dims));
        }
    }
}

impl<C: CheckpointStrategy> CpuConv for Autodiff<Flex, C> {
    fn cpu_conv2d(x: FloatTensor<Self>, weight: FloatTensor<Self>, stride: usize, padding: usize) -> FloatTensor<Self> {
        let weight_dims = dims(weight.primitive());
        let windows = conv_windows(&dims(x.primitive()), &weight_dims, stride, padding);
        match ConvBackward.prepare::<C>([x.node(), weight.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight), windows, weight_dims);
                prep.finish(state, gather(x.primitive(), weight.primitive(), &windows))
            }
            OpsKind::UnTracked(prep) => prep.finish(gather(x.primitive(), weight.primitive(), &windows)),
        }
    }

    fn cpu_conv_transpose2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        stride: usize,
        padding: usize,
        padding_out: usize,
    ) -> FloatTensor<Self> {
        let weight_dims = dims(weight.primitive());
        let windows = conv_transpose_windows(&dims(x.primitive()), &weight_dims, stride, padding, padding_out);
        match ConvTransposeBackward.prepare::<C>([x.node(), weight.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight), windows, weight_dims);
                prep.finish(state, scatter(x.primitive(), weight.primitive(), &windows))
            }
            OpsKind::UnTracked(prep) => prep.finish(scatter(x.primitive(), weight.primitive(), &windows)),
        }
    }
}
