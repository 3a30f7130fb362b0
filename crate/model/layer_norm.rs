//! LayerNorm over a whole feature map, `nn.LayerNorm([C, H, W])`, written out with burn's
//! `LayerNorm` holding the weights. Written out, the forward pass is one reduction for the mean,
//! one for the variance and one element-wise kernel for the rest under kernel fusion (burn's own
//! reshapes γ and β between its element-wise operations, and a reshape ends a fused kernel), and a
//! gradient penalty's input gradient reuses the normalised values of the same pass.

use burn::nn::LayerNorm;
use burn::tensor::Tensor;

/// ε of every LayerNorm (PyTorch's default).
pub const LAYER_NORM_EPSILON: f64 = 1e-5;

/// A LayerNorm's output and what its input gradient needs: x̂ = (x − μ)/σ per sample as `[B, n]`,
/// and σ = √(var + ε) as `[B, 1]`.
pub struct Normalised {
    pub output: Tensor<4>,
    pub x_hat: Tensor<2>,
    pub sigma: Tensor<2>,
}

impl Normalised {
    /// The same for the samples `rows` only.
    pub fn rows(self, rows: std::ops::Range<usize>) -> (Tensor<2>, Tensor<2>) {
        (self.x_hat.slice([rows.clone()]), self.sigma.slice([rows]))
    }
}

/// y = γ·(x − μ)/σ + β, with μ and the (biased) variance over each sample's C·H·W values.
pub fn forward(ln: &LayerNorm, x: Tensor<4>) -> Normalised {
    let dims = x.dims();
    let [b, n] = [dims[0], dims[1] * dims[2] * dims[3]];
    // γ's and β's reshapes come before the chain they join, so that it stays one kernel.
    let gamma = ln.gamma.val().reshape([1, n]);
    let beta = ln.beta.as_ref().map(|beta| beta.val().reshape([1, n]));
    let x = x.reshape([b, n]);
    let centred = x.clone() - x.mean_dim(1);
    let sigma = centred.clone().square().mean_dim(1).add_scalar(LAYER_NORM_EPSILON).sqrt();
    let x_hat = centred / sigma.clone();
    let scaled = x_hat.clone() * gamma;
    let output = match beta {
        Some(beta) => scaled + beta,
        None => scaled,
    };
    Normalised { output: output.reshape(dims), x_hat, sigma }
}

/// ∂f/∂x from `upstream` = ∂f/∂y, at the forward pass's `x_hat` and `sigma`:
/// (g − mean(g) − x̂·mean(g·x̂))/σ with g = γ·upstream, from ordinary (differentiable) ops.
pub fn input_gradient(ln: &LayerNorm, x_hat: Tensor<2>, sigma: Tensor<2>, upstream: Tensor<4>) -> Tensor<4> {
    let dims = upstream.dims();
    let [b, n] = [dims[0], dims[1] * dims[2] * dims[3]];
    let gamma = ln.gamma.val().reshape([1, n]);
    let g = upstream.reshape([b, n]) * gamma;
    let dx = (g.clone() - g.clone().mean_dim(1) - x_hat.clone() * (g * x_hat).mean_dim(1)) / sigma;
    dx.reshape(dims)
}
