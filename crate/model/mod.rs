//! Networks as data: an architecture is a list of layer specs, built into a [`Sequential`]
//! whose layer `i` holds PyTorch's `main.i` (index gaps for ReLU/Tanh included), so weight
//! files written by `nn.Sequential(...)` code map onto it one to one.

mod arch;
mod batch_norm;
pub mod began28;
pub mod conv;
mod counts;
mod cpu_batch_norm;
mod cpu_leaky_relu;
pub mod dcgan28;
pub mod dcgan64;
mod fully_connected;
mod groups;
pub mod layer_norm;
pub mod layout;
pub mod mlp2d;
mod parallel;
mod recognise;
mod sizes;

pub use arch::{GeneratorArch, Recogniser, Shapes};

pub use counts::{activation_len, largest_tensor_len, parameter_count, stored_value_count};
pub use recognise::{GENERATORS, infer_generator};
pub use sizes::{IMAGE_SIDE, Sizes};

use std::ops::Range;

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::interpolate::{Interpolate2d, Interpolate2dConfig, InterpolateMode};
use burn::nn::{
    BatchNorm, BatchNormConfig, Initializer, LayerNorm, LayerNormConfig, LeakyRelu, LeakyReluConfig, PaddingConfig2d,
    Relu, Tanh,
};
use burn::tensor::module::{conv_transpose2d, conv2d};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use burn::tensor::{Device, Tensor, TensorData};

use crate::rng::Rng;

/// A square convolution: `in → out` channels, `kernel`×`kernel`, stride and padding on both axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvSpec {
    pub input: usize,
    pub output: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    pub bias: bool,
    pub init: Init,
}

/// How a convolution's weights are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// N(0, 0.02), DCGAN's rule: BatchNorm after the layer restores the scale.
    Dcgan,
    /// N(0, 2 / ((1 + 0.2²)·fan_in)), He et al. for LeakyReLU(0.2): keeps the signal's scale
    /// through deep stacks without BatchNorm (at N(0, 0.02) it shrinks about tenfold per layer).
    He,
}

impl ConvSpec {
    /// A convolution without bias (DCGAN's convolutions have none: BatchNorm or the loss absorbs it).
    pub const fn new(input: usize, output: usize, kernel: usize, stride: usize, padding: usize) -> Self {
        Self { input, output, kernel, stride, padding, bias: false, init: Init::Dcgan }
    }

    /// The same convolution with He initialisation.
    pub const fn with_he_init(self) -> Self {
        Self { init: Init::He, ..self }
    }

    /// The standard deviation of the initial weights; `fan_in` is the number of inputs that
    /// reach one output value (for a transposed convolution, input·k²/stride²).
    fn init_std(&self, fan_in: usize) -> f64 {
        match self.init {
            Init::Dcgan => 0.02,
            Init::He => (2.0 / (1.04 * fan_in.max(1) as f64)).sqrt(),
        }
    }

    /// The same convolution with a bias.
    pub const fn with_bias(self) -> Self {
        Self { bias: true, ..self }
    }

    fn parameter_count(&self) -> usize {
        self.input * self.output * self.kernel * self.kernel + if self.bias { self.output } else { 0 }
    }
}

/// One layer of a sequential network, described without weights.
#[derive(Clone, Debug, PartialEq)]
pub enum LayerSpec {
    /// `nn.Conv2d`; weight `[out, in, k, k]`.
    Conv(ConvSpec),
    /// `nn.ConvTranspose2d`; weight `[in, out, k, k]` (PyTorch's layout, also burn's).
    ConvTranspose(ConvSpec),
    /// `nn.BatchNorm2d(features)` (ε = 1e-5, momentum 0.1, as PyTorch).
    BatchNorm {
        features: usize,
    },
    /// `nn.LayerNorm([c, h, w])`: per-sample normalisation over a whole feature map (ε = 1e-5).
    LayerNorm {
        shape: [usize; 3],
    },
    Relu,
    LeakyRelu {
        slope: f64,
    },
    Tanh,
    /// `nn.Upsample(scale_factor=2, mode="nearest")`: every pixel becomes a 2×2 block.
    Upsample,
}

/// A built layer. The variant names stay out of weight names (see `crate::weights`).
#[derive(Module, Debug)]
pub enum Layer {
    Conv(Conv2d),
    ConvTranspose(ConvTranspose2d),
    BatchNorm(BatchNorm),
    LayerNorm(LayerNorm),
    Relu(Relu),
    LeakyRelu(LeakyRelu),
    Tanh(Tanh),
    Upsample(Interpolate2d),
}

impl Layer {
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        match self {
            Layer::Conv(conv) if fully_connected::conv_is_product(conv, &x) => fully_connected::conv(conv, x),
            Layer::ConvTranspose(conv) if fully_connected::conv_transpose_is_product(conv, &x) => {
                fully_connected::conv_transpose(conv, x)
            }
            Layer::Conv(conv) if conv::runs_conv(conv, &x) => conv::conv(conv, x),
            Layer::ConvTranspose(conv) if conv::runs_conv_transpose(conv, &x) => conv::conv_transpose(conv, x),
            // On the input, the reshape's backward gives the gradient flowing back out of the
            // convolution (its input gradient, an NCHW view too) row-major strides.
            Layer::Conv(conv) => plain_strides(conv.forward(plain_strides(x))),
            Layer::ConvTranspose(conv) => plain_strides(conv.forward(plain_strides(x))),
            // Training mode as burn's own decides it: a training device and the layer not frozen.
            Layer::BatchNorm(bn) if x.device().is_autodiff() && bn.training.is_enabled() => {
                batch_norm::forward_train(bn, x, 1)
            }
            Layer::BatchNorm(bn) => bn.forward(x),
            Layer::LayerNorm(ln) => layer_norm::forward(ln, x).output,
            Layer::Relu(relu) => relu.forward(x),
            // On the CPU backend one pass each way (`cpu_leaky_relu`). On a GPU burn's own fuses
            // with its neighbours into fewer kernels.
            Layer::LeakyRelu(lrelu) if crate::backend::is_cpu(&x.device()) => {
                cpu_leaky_relu::leaky_relu(x, lrelu.negative_slope)
            }
            Layer::LeakyRelu(lrelu) => lrelu.forward(x),
            Layer::Tanh(tanh) => tanh.forward(x),
            Layer::Upsample(up) => up.forward(x),
        }
    }

    /// Like `forward`, but BatchNorm normalises with the statistics of this batch and leaves its
    /// running statistics untouched.
    pub fn forward_batch_statistics(&self, x: Tensor<4>) -> Tensor<4> {
        match self {
            Layer::BatchNorm(bn) => batch_norm::normalise(x, 1, bn.gamma.val(), bn.beta.val(), bn.epsilon).output,
            layer => layer.forward(x),
        }
    }

    /// Back-propagates `upstream` = ∂f/∂(this layer's output) to ∂f/∂(its input), at what the
    /// forward pass kept (`saved`), using only ordinary differentiable tensor ops. The result
    /// therefore stays differentiable with respect to the layer's weights: that is how a gradient
    /// penalty gets its own gradient with first-order autodiff only (burn has no double backward).
    pub fn input_gradient(&self, saved: Saved, upstream: Tensor<4>) -> Result<Tensor<4>, String> {
        match (self, saved) {
            (Layer::LayerNorm(ln), Saved::Normalised { x_hat, sigma }) => {
                Ok(layer_norm::input_gradient(ln, x_hat, sigma, upstream))
            }
            (_, Saved::Normalised { .. }) => {
                Err("input gradient: normalised values saved for a layer that is no LayerNorm".into())
            }
            (layer, Saved::Input(input)) => layer.input_gradient_at(input, upstream),
        }
    }

    /// [`Layer::input_gradient`] from the layer's input alone.
    fn input_gradient_at(&self, input: Tensor<4>, upstream: Tensor<4>) -> Result<Tensor<4>, String> {
        Ok(match self {
            Layer::Conv(conv) if fully_connected::conv_is_product(conv, &input) => {
                fully_connected::conv_input_gradient(conv, upstream)
            }
            Layer::ConvTranspose(conv) if fully_connected::conv_transpose_is_product(conv, &input) => {
                fully_connected::conv_transpose_input_gradient(conv, upstream)
            }
            // The adjoint of a convolution is the transposed convolution with the same weights.
            Layer::Conv(conv) if conv::runs_conv(conv, &input) => {
                let [_, _, h, w] = input.dims();
                let [stride, padding] = [conv.stride[0], conv::padding(conv)];
                // Output padding restores the input size when the stride does not divide it evenly.
                let padding_out = conv::padding_out([h, w], conv.kernel_size[0], stride, padding);
                conv::conv_transpose2d(upstream, conv.weight.val(), stride, padding, padding_out)
            }
            Layer::ConvTranspose(conv) if conv::runs_conv_transpose(conv, &input) => {
                conv::conv2d(upstream, conv.weight.val(), conv.stride[0], conv.padding[0])
            }
            Layer::Conv(conv) => {
                let padding = match conv.padding {
                    PaddingConfig2d::Explicit(top, left, bottom, right) if top == bottom && left == right => {
                        [top, left]
                    }
                    PaddingConfig2d::Valid => [0, 0],
                    ref other => return Err(format!("input gradient: unsupported conv padding {other:?}")),
                };
                let dims = input.dims();
                // Output padding restores the input size when the stride does not divide it evenly.
                let padding_out: [usize; 2] = std::array::from_fn(|i| {
                    (dims[2 + i] + 2 * padding[i] - conv.dilation[i] * (conv.kernel_size[i] - 1) - 1) % conv.stride[i]
                });
                let options = ConvTransposeOptions::new(conv.stride, padding, padding_out, conv.dilation, conv.groups);
                plain_strides(conv_transpose2d(upstream, conv.weight.val(), None, options))
            }
            // The adjoint of a transposed convolution is the convolution with the same weights.
            Layer::ConvTranspose(conv) => {
                let options = ConvOptions::new(conv.stride, conv.padding, conv.dilation, conv.groups);
                plain_strides(conv2d(upstream, conv.weight.val(), None, options))
            }
            // PyTorch's convention at 0 (the slope side) for LeakyReLU; 0 for ReLU.
            Layer::LeakyRelu(lrelu) if crate::backend::is_cpu(&input.device()) => {
                cpu_leaky_relu::leaky_relu_gradient(upstream, input, lrelu.negative_slope)
            }
            Layer::LeakyRelu(lrelu) => upstream * leaky_relu_slopes(&input, lrelu.negative_slope),
            Layer::Relu(_) => upstream.mask_fill(input.lower_equal_elem(0.0), 0.0),
            Layer::Tanh(_) => {
                let t = input.tanh();
                upstream * (t.clone() * t).neg().add_scalar(1.0)
            }
            // Each input pixel was copied into a 2×2 block: its gradient is the block's sum.
            Layer::Upsample(_) => {
                let [b, c, h, w] = upstream.dims();
                let blocks: Tensor<6> = upstream.reshape([b, c, h / 2, 2, w / 2, 2]);
                blocks.sum_dim(5).sum_dim(3).reshape([b, c, h / 2, w / 2])
            }
            Layer::LayerNorm(ln) => {
                let normalised = layer_norm::forward(ln, input);
                layer_norm::input_gradient(ln, normalised.x_hat, normalised.sigma, upstream)
            }
            Layer::BatchNorm(_) => {
                return Err("a gradient penalty needs a critic without BatchNorm (use LayerNorm)".into());
            }
        })
    }
}

/// LeakyReLU's derivative at each value of `x`: 1 above 0, `slope` at and below (PyTorch's
/// convention at 0). Built from `x`'s values only, so autodiff treats it as a constant.
fn leaky_relu_slopes(x: &Tensor<4>, slope: f64) -> Tensor<4> {
    x.ones_like().mask_fill(x.clone().lower_equal_elem(0.0), slope)
}

/// The same values as row-major strides. burn's GPU convolutions work in NHWC and return an NCHW
/// view; with one channel (or a 1×1 map) that view is dense yet has a size-1 axis of stride 1.
/// burn 0.22.1's kernel fusion misreads the other inputs of an element-wise chain that starts
/// from such a view (`tests/native/gpu.rs` keeps the minimal case). A reshape through a flat
/// axis gives the same buffer row-major strides, without a copy.
fn plain_strides(x: Tensor<4>) -> Tensor<4> {
    let dims = x.dims();
    if dims[1..].contains(&1) { x.reshape([dims[0], dims[1] * dims[2] * dims[3]]).reshape(dims) } else { x }
}

pub use layer_norm::LAYER_NORM_EPSILON;

/// What a layer's input gradient needs from the forward pass: its input, or for a LayerNorm the
/// normalised values x̂ and σ, so that they are not computed twice. (A handful live for one
/// pass: their size does not matter.)
#[allow(clippy::large_enum_variant)]
pub enum Saved {
    Input(Tensor<4>),
    Normalised { x_hat: Tensor<2>, sigma: Tensor<2> },
}

/// `nn.Sequential` under the name `main`, as in pytorch/examples' DCGAN.
#[derive(Module, Debug)]
pub struct Sequential {
    pub main: Vec<Layer>,
    /// The architecture the layers were built from (a constant, not a weight).
    #[module(skip)]
    pub specs: Vec<LayerSpec>,
}

impl Sequential {
    /// Builds the layers with DCGAN's initialisation (Radford et al. 2015, as in pytorch/examples):
    /// conv weights ~ N(0, 0.02) (or He's rule where a spec asks), BatchNorm γ ~ N(1, 0.02), β = 0,
    /// biases 0. Values come from
    /// the host `rng`, so a seed gives the same network on every backend.
    pub fn init(specs: &[LayerSpec], rng: &mut Rng, device: &Device) -> Self {
        // `Param::from_data` and `from_tensor` mark the tensor as trainable (a bare tensor would
        // get no gradient).
        let normal = |rng: &mut Rng, shape: [usize; 4], std: f64| -> Param<Tensor<4>> {
            layout::conv_weight(TensorData::new(rng.normal_vec(shape.iter().product(), 0.0, std), shape), device)
        };
        let main = specs
            .iter()
            .map(|spec| match *spec {
                LayerSpec::Conv(c) => {
                    let mut conv = Conv2dConfig::new([c.input, c.output], [c.kernel; 2])
                        .with_stride([c.stride; 2])
                        .with_padding(PaddingConfig2d::Explicit(c.padding, c.padding, c.padding, c.padding))
                        .with_bias(c.bias)
                        .with_initializer(Initializer::Zeros)
                        .init(device);
                    let std = c.init_std(c.input * c.kernel * c.kernel);
                    conv.weight = normal(rng, [c.output, c.input, c.kernel, c.kernel], std);
                    Layer::Conv(conv)
                }
                LayerSpec::ConvTranspose(c) => {
                    let mut conv = ConvTranspose2dConfig::new([c.input, c.output], [c.kernel; 2])
                        .with_stride([c.stride; 2])
                        .with_padding([c.padding; 2])
                        .with_bias(c.bias)
                        .with_initializer(Initializer::Zeros)
                        .init(device);
                    let std = c.init_std(c.input * c.kernel * c.kernel / (c.stride * c.stride));
                    conv.weight = normal(rng, [c.input, c.output, c.kernel, c.kernel], std);
                    Layer::ConvTranspose(conv)
                }
                LayerSpec::BatchNorm { features } => {
                    let mut bn = BatchNormConfig::new(features).init(device);
                    let gamma = rng.normal_vec(features, 1.0, 0.02);
                    bn.gamma = Param::from_data(TensorData::new(gamma, [features]), device);
                    Layer::BatchNorm(bn)
                }
                LayerSpec::LayerNorm { shape } => Layer::LayerNorm(
                    LayerNormConfig::new(shape.iter().product()).with_epsilon(LAYER_NORM_EPSILON).init(device),
                ),
                LayerSpec::Relu => Layer::Relu(Relu),
                LayerSpec::LeakyRelu { slope } => {
                    Layer::LeakyRelu(LeakyReluConfig::new().with_negative_slope(slope).init())
                }
                LayerSpec::Tanh => Layer::Tanh(Tanh),
                LayerSpec::Upsample => Layer::Upsample(
                    Interpolate2dConfig::new()
                        .with_scale_factor(Some([2.0, 2.0]))
                        .with_mode(InterpolateMode::Nearest)
                        .init(),
                ),
            })
            .collect();
        Self { main, specs: specs.to_vec() }
    }

    /// The `[C, H, W]` a LayerNorm at index `i` normalises (PyTorch's weight shape).
    pub fn layer_norm_shape(&self, i: usize) -> Option<[usize; 3]> {
        match self.specs.get(i) {
            Some(LayerSpec::LayerNorm { shape }) => Some(*shape),
            _ => None,
        }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.main.iter().fold(x, |x, layer| layer.forward(x))
    }

    /// The forward pass with BatchNorm in "train mode" but without side effects (see
    /// [`Layer::forward_batch_statistics`]).
    pub fn forward_batch_statistics(&self, x: Tensor<4>) -> Tensor<4> {
        self.main.iter().fold(x, |x, layer| layer.forward_batch_statistics(x))
    }

    /// ∂(Σ_b f(x)_b)/∂x for a network with one output per sample, built from ordinary ops (see
    /// [`Layer::input_gradient`]) so that it can itself be differentiated with respect to the weights.
    pub fn input_gradient(&self, x: Tensor<4>) -> Result<Tensor<4>, String> {
        let n = x.dims()[0];
        Ok(self.forward_with_input_gradient(x, 0..n)?.1)
    }

    /// The forward pass of `x`, and [`Sequential::input_gradient`] at its samples `rows`, from the
    /// same pass: the points of a gradient penalty go through the critic with the batches it
    /// scores, one forward pass and one backward instead of two of each (per-sample layers only).
    pub fn forward_with_input_gradient(
        &self,
        x: Tensor<4>,
        rows: Range<usize>,
    ) -> Result<(Tensor<4>, Tensor<4>), String> {
        let n = x.dims()[0];
        if rows.is_empty() || rows.end > n {
            return Err(format!("input gradient: samples {rows:?} of a batch of {n}"));
        }
        let all = rows == (0..n);
        let part = |t: Tensor<4>| if all { t } else { t.slice([rows.clone()]) };
        let mut saved = Vec::with_capacity(self.main.len());
        let mut h = x;
        for layer in &self.main {
            h = match layer {
                Layer::LayerNorm(ln) => {
                    let normalised = layer_norm::forward(ln, h);
                    let output = normalised.output.clone();
                    let (x_hat, sigma) = normalised.rows(rows.clone());
                    saved.push(Saved::Normalised { x_hat, sigma });
                    output
                }
                layer => {
                    saved.push(Saved::Input(part(h.clone())));
                    layer.forward(h)
                }
            };
        }
        let mut dims = h.dims();
        dims[0] = rows.len();
        let mut grad = Tensor::ones(dims, &h.device());
        for (layer, saved) in self.main.iter().zip(saved).rev() {
            grad = layer.input_gradient(saved, grad)?;
        }
        Ok((h, grad))
    }
}
