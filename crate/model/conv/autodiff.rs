//! The convolutions' backward passes, on any backend with the three products: each one's input
//! and weight gradients are the other two products.

use burn::backend::TensorMetadata;
use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, AutodiffBackend};

use super::{Convolutions, padding_out};

/// How a convolution was made, for its backward.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    stride: usize,
    padding: usize,
    kernel: usize,
    /// A convolution's input size, which its input gradient restores.
    size: [usize; 2],
}

/// What a backward pass keeps: the input's and weights' nodes, and the geometry.
type State = (NodeId, NodeId, Geometry);

/// The backward of a convolution, or of a transposed one.
#[derive(Debug)]
struct ConvBackward {
    transposed: bool,
}

impl<B: Convolutions> Backward<B, 2> for ConvBackward {
    type State = State;

    fn backward(self, ops: Ops<State, 2>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [x_node, weight_node] = ops.parents;
        let upstream = grads.consume::<B>(&ops.node);
        let (x, weight, g) = ops.state;
        let x: FloatTensor<B> = checkpointer.retrieve_node_output(x);
        let weight: FloatTensor<B> = checkpointer.retrieve_node_output(weight);
        let Geometry { stride, padding, kernel, size } = g;
        if let Some(node) = x_node {
            let gradient = if self.transposed {
                B::product_conv2d(upstream.clone(), weight, stride, padding)
            } else {
                let extra = padding_out(size, kernel, stride, padding);
                B::product_conv_transpose2d(upstream.clone(), weight, stride, padding, extra)
            };
            grads.register::<B>(node.id, gradient);
        }
        if let Some(node) = weight_node {
            let (out_grad, image) = if self.transposed { (x, upstream) } else { (upstream, x) };
            let gradient = B::product_conv_weight_gradient(out_grad, image, stride, padding, kernel);
            grads.register::<B>(node.id, gradient);
        }
    }
}

/// `forward` on `x` and `weight`, recorded for autodiff (where either needs a gradient).
fn tracked<B: Convolutions, C: CheckpointStrategy>(
    x: FloatTensor<Autodiff<B, C>>,
    weight: FloatTensor<Autodiff<B, C>>,
    geometry: Geometry,
    transposed: bool,
    forward: impl FnOnce(FloatTensor<B>, FloatTensor<B>) -> FloatTensor<B>,
) -> FloatTensor<Autodiff<B, C>> {
    let prepared = (ConvBackward { transposed }).prepare::<C>([x.node(), weight.node()]).compute_bound().stateful();
    match prepared {
        OpsKind::Tracked(mut prep) => {
            let state = (prep.checkpoint(&x), prep.checkpoint(&weight), geometry);
            prep.finish(state, forward(x.into_primitive(), weight.into_primitive()))
        }
        OpsKind::UnTracked(prep) => prep.finish(forward(x.into_primitive(), weight.into_primitive())),
    }
}

fn geometry<B: Convolutions, C: CheckpointStrategy>(
    x: &FloatTensor<Autodiff<B, C>>,
    weight: &FloatTensor<Autodiff<B, C>>,
    stride: usize,
    padding: usize,
) -> Geometry {
    let [_, _, h, w] = x.primitive().shape().dims();
    Geometry { stride, padding, kernel: weight.primitive().shape().dims::<4>()[2], size: [h, w] }
}

impl<B: Convolutions, C: CheckpointStrategy> Convolutions for Autodiff<B, C> {
    fn product_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        stride: usize,
        padding: usize,
    ) -> FloatTensor<Self> {
        let g = geometry::<B, C>(&x, &weight, stride, padding);
        tracked::<B, C>(x, weight, g, false, |x, w| B::product_conv2d(x, w, stride, padding))
    }

    fn product_conv_transpose2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        stride: usize,
        padding: usize,
        padding_out: [usize; 2],
    ) -> FloatTensor<Self> {
        let g = geometry::<B, C>(&x, &weight, stride, padding);
        tracked::<B, C>(x, weight, g, true, |x, w| B::product_conv_transpose2d(x, w, stride, padding, padding_out))
    }

    fn product_conv_weight_gradient(
        out_grad: FloatTensor<Self>,
        image: FloatTensor<Self>,
        stride: usize,
        padding: usize,
        kernel: usize,
    ) -> FloatTensor<Self> {
        // Reached only from a backward pass, which runs on the inner backend; as an operation of
        // its own it would need a second-order backward, which nothing here asks for.
        let (out_grad, image) = (out_grad.into_primitive(), image.into_primitive());
        let gradient = B::product_conv_weight_gradient(out_grad, image, stride, padding, kernel);
        Autodiff::<B, C>::from_inner(gradient)
    }
}
