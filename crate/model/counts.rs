//! What a network described by its layer specs holds, counted without building it: parameters,
//! stored values, activations and the largest tensor (the run's memory and WebGPU limits); and a
//! built network's trainable values.

use super::{Layer, LayerSpec, Sequential};

/// Trainable parameter count of a spec, counted the way PyTorch's `sum(p.numel())` does
/// (BatchNorm running statistics are buffers, not parameters).
pub fn parameter_count(specs: &[LayerSpec]) -> usize {
    specs
        .iter()
        .map(|spec| match spec {
            LayerSpec::Conv(c) | LayerSpec::ConvTranspose(c) => c.parameter_count(),
            LayerSpec::BatchNorm { features } => 2 * features,
            LayerSpec::LayerNorm { shape } => 2 * shape.iter().product::<usize>(),
            LayerSpec::Relu | LayerSpec::LeakyRelu { .. } | LayerSpec::Tanh | LayerSpec::Upsample => 0,
        })
        .sum()
}

/// Values a weights file holds for a spec: the parameters and BatchNorm's running mean and
/// variance.
pub fn stored_value_count(specs: &[LayerSpec]) -> usize {
    let running: usize =
        specs.iter().map(|s| if let LayerSpec::BatchNorm { features } = s { 2 * features } else { 0 }).sum();
    parameter_count(specs) + running
}

/// Elements of every activation `specs` produce for a batch of `batch` inputs of shape `input`
/// (the input included): what a forward pass keeps for its backward pass.
pub fn activation_len(specs: &[LayerSpec], input: [usize; 3], batch: usize) -> usize {
    let mut shape = input;
    let mut total = batch * shape.iter().product::<usize>();
    for spec in specs {
        shape = output_shape(spec, shape);
        total += batch * shape.iter().product::<usize>();
    }
    total
}

/// The shape [C, H, W] a layer makes of an input of shape `shape`.
fn output_shape(spec: &LayerSpec, shape: [usize; 3]) -> [usize; 3] {
    match *spec {
        LayerSpec::Conv(c) => {
            let side = |n: usize| (n + 2 * c.padding).saturating_sub(c.kernel) / c.stride + 1;
            [c.output, side(shape[1]), side(shape[2])]
        }
        LayerSpec::ConvTranspose(c) => {
            let side = |n: usize| ((n.max(1) - 1) * c.stride + c.kernel).saturating_sub(2 * c.padding);
            [c.output, side(shape[1]), side(shape[2])]
        }
        LayerSpec::Upsample => [shape[0], 2 * shape[1], 2 * shape[2]],
        _ => shape,
    }
}

/// Elements of the largest weight or activation that `specs` hold for a batch of `batch` inputs
/// of shape `input` [C, H, W] (the WebGPU buffer limit applies to each tensor).
pub fn largest_tensor_len(specs: &[LayerSpec], input: [usize; 3], batch: usize) -> usize {
    let mut shape = input;
    let mut largest = batch * shape.iter().product::<usize>();
    for spec in specs {
        shape = output_shape(spec, shape);
        let weights = parameter_count(std::slice::from_ref(spec));
        largest = largest.max(batch * shape.iter().product::<usize>()).max(weights);
    }
    largest
}

impl Sequential {
    /// Number of trainable values (burn's `num_params` also counts BatchNorm's running statistics).
    pub fn trainable_parameter_count(&self) -> usize {
        let n = |shape: burn::tensor::Shape| shape.num_elements();
        self.main
            .iter()
            .map(|layer| match layer {
                Layer::Conv(c) => n(c.weight.shape()) + c.bias.as_ref().map_or(0, |b| n(b.shape())),
                Layer::ConvTranspose(c) => n(c.weight.shape()) + c.bias.as_ref().map_or(0, |b| n(b.shape())),
                Layer::BatchNorm(bn) => n(bn.gamma.shape()) + n(bn.beta.shape()),
                Layer::LayerNorm(ln) => n(ln.gamma.shape()) + ln.beta.as_ref().map_or(0, |b| n(b.shape())),
                Layer::Relu(_) | Layer::LeakyRelu(_) | Layer::Tanh(_) | Layer::Upsample(_) => 0,
            })
            .sum()
    }
}
