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

/// The backward of a convolution, or of a transposed one: the two share their three products,
/// in the other order.
#[derive(Debug)]
struct ConvBackward {
    transposed: bool,
}

impl Backward<Flex, 2> for ConvBackward {
    type State = State;

    fn backward(self, ops: Ops<State, 2>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [x_node, weight_node] = ops.parents;
        let upstream = grads.consume::<Flex>(&ops.node);
        let (x, weight, windows, weight_dims) = ops.state;
        let x: FlexTensor = checkpointer.retrieve_node_output(x);
        let weight: FlexTensor = checkpointer.retrieve_node_output(weight);
        if let Some(node) = x_node {
            let gradient = if self.transposed {
                gather(&upstream, &weight, &windows)
            } else {
                scatter(&upstream, &weight, &windows)
            };
            grads.register::<Flex>(node.id, gradient);
        }
        if let Some(node) = weight_node {
            let (x, image) = if self.transposed { (&x, &upstream) } else { (&upstream, &x) };
            grads.register::<Flex>(node.id, weight_gradient(x, image, &windows, weight_dims));
        }
    }
}

/// `forward` on `x` and `weight`, recorded for autodiff (where either needs a gradient).
fn tracked<C: CheckpointStrategy>(
    x: FloatTensor<Autodiff<Flex, C>>,
    weight: FloatTensor<Autodiff<Flex, C>>,
    windows: Windows,
    transposed: bool,
    forward: fn(&FlexTensor, &FlexTensor, &Windows) -> FlexTensor,
) -> FloatTensor<Autodiff<Flex, C>> {
    let weight_dims = dims(weight.primitive());
    match (ConvBackward { transposed }).prepare::<C>([x.node(), weight.node()]).compute_bound().stateful() {
        OpsKind::Tracked(mut prep) => {
            let state = (prep.checkpoint(&x), prep.checkpoint(&weight), windows, weight_dims);
            prep.finish(state, forward(x.primitive(), weight.primitive(), &windows))
        }
        OpsKind::UnTracked(prep) => prep.finish(forward(x.primitive(), weight.primitive(), &windows)),
    }
}

impl<C: CheckpointStrategy> CpuConv for Autodiff<Flex, C> {
    fn cpu_conv2d(x: FloatTensor<Self>, weight: FloatTensor<Self>, stride: usize, padding: usize) -> FloatTensor<Self> {
        let windows = conv_windows(&dims(x.primitive()), &dims(weight.primitive()), stride, padding);
        tracked::<C>(x, weight, windows, false, gather)
    }

    fn cpu_conv_transpose2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        stride: usize,
        padding: usize,
        padding_out: usize,
    ) -> FloatTensor<Self> {
        let windows =
            conv_transpose_windows(&dims(x.primitive()), &dims(weight.primitive()), stride, padding, padding_out);
        tracked::<C>(x, weight, windows, true, scatter)
    }
}
