//! BEGAN, boundary equilibrium GAN (Berthelot et al. 2017, §3.3–3.4). D is an autoencoder and
//! L(v) = E|AE(v) − v| its L1 reconstruction loss:
//!   D minimises L(x) − k_t·L(G(z));  G minimises L(G(z))
//!   k_{t+1} = clip(k_t + λ_k(γL(x) − L(G(z))), 0, 1), k_0 = 0
//!   convergence measure M_global = L(x) + |γL(x) − L(G(z))|
//! γ = 0.5 (the diversity/quality dial, 0.3–1.0), λ_k = 1e-3, Adam(1e-4, β = (0.5, 0.999)),
//! D and G updated once per iteration, as in the paper.
//!
//! Architecture, for 28×28 (a departure from §3.5, for the reason below):
//! - G ([`generator`]): a fully connected layer from z to 2w×7×7 and BatchNorm, then twice nearest
//!   2× upsampling, a 3×3 convolution, BatchNorm and LeakyReLU(0.2) (2w then w channels), and a 3×3
//!   output convolution with tanh (w = `g_width`).
//! - D ([`autoencoder`]): a 3×3 stride-2 convolution with ReLU (d×14×14, d = `d_width`), a fully
//!   connected layer to a 32-value code with BatchNorm and ReLU, a fully connected layer back to
//!   d×14×14 with BatchNorm and ReLU, nearest 2× upsampling and a linear 3×3 convolution. Fully
//!   connected layers are written as convolutions to and from a 1×1 map (the same map), so that
//!   the file layout is the other variants'.
//!
//! Why not the paper's networks (ELU decoders, no normalisation, a 64-value code in the middle of
//! two mirrored stacks)? Scaled to 28×28 they drew grey noise, then blobs, for thousands of steps:
//! L(G(z)) never fell below γ·L(x), so k_t stayed at 0 and D was a plain autoencoder of the data,
//! which reconstructs smooth grey images about as well as digits. A narrow, normalised bottleneck
//! reconstructs digits and little else, so G learns to draw digits even while k_t is still small;
//! with BatchNorm and tanh in G its samples look like digits within 500 steps.
//! The convolutions that BatchNorm follows have no bias (it would be removed again); the others do.
//! Weights start with He's initialisation.
//! k_t lives on the device and is updated there, so no read-back is needed between steps.

use burn::tensor::Tensor;

use super::{Knob, Loss, Optimizer, Variant};
use crate::model::dcgan28::Dcgan28;
use crate::model::{ConvSpec, LayerSpec, Sequential};

/// A convolution with bias and He initialisation.
fn conv(input: usize, output: usize, kernel: usize, stride: usize, padding: usize) -> LayerSpec {
    LayerSpec::Conv(ConvSpec::new(input, output, kernel, stride, padding).with_bias().with_he_init())
}

/// The same without a bias, for a convolution that BatchNorm follows (which removes any constant).
fn normalised_conv(input: usize, output: usize, kernel: usize, padding: usize) -> LayerSpec {
    LayerSpec::Conv(ConvSpec::new(input, output, kernel, 1, padding).with_he_init())
}

/// A fully connected layer from a 1×1 map to a k×k one, for BatchNorm to follow.
fn normalised_fully_connected(input: usize, output: usize, kernel: usize) -> LayerSpec {
    LayerSpec::ConvTranspose(ConvSpec::new(input, output, kernel, 1, 0).with_he_init())
}

/// G: z [B, nz, 1, 1] → 2w×7×7 → 2w×14×14 → w×28×28 → c×28×28 in [-1, 1].
pub fn generator(nz: usize, w: usize, c: usize) -> Vec<LayerSpec> {
    use LayerSpec::{BatchNorm, LeakyRelu, Tanh, Upsample};
    vec![
        normalised_fully_connected(nz, 2 * w, 7),
        BatchNorm { features: 2 * w },
        Upsample,
        normalised_conv(2 * w, 2 * w, 3, 1),
        BatchNorm { features: 2 * w },
        LeakyRelu { slope: 0.2 },
        Upsample,
        normalised_conv(2 * w, w, 3, 1),
        BatchNorm { features: w },
        LeakyRelu { slope: 0.2 },
        conv(w, c, 3, 1, 1),
        Tanh,
    ]
}

/// D: c×28×28 → d×14×14 → code [B, code, 1, 1] → d×14×14 → c×28×28 (linear output).
pub fn autoencoder(code: usize, d: usize, c: usize) -> Vec<LayerSpec> {
    use LayerSpec::{BatchNorm, Relu, Upsample};
    vec![
        conv(c, d, 3, 2, 1),
        Relu,
        normalised_conv(d, code, 14, 0),
        BatchNorm { features: code },
        Relu,
        normalised_fully_connected(code, d, 14),
        BatchNorm { features: d },
        Relu,
        Upsample,
        conv(d, c, 3, 1, 1),
    ]
}

pub struct Began {
    pub gamma: f64,
    pub lambda_k: f64,
    /// Size of the autoencoder's code.
    pub code: usize,
    /// k_t, on the plain device (created at the first critic step).
    k: Option<Tensor<1>>,
    /// L(x) and L(G(z)) of the last critic step, detached, for the k_t update.
    last: Option<(Tensor<1>, Tensor<1>)>,
}

impl Default for Began {
    fn default() -> Self {
        Self { gamma: 0.5, lambda_k: 1e-3, code: 32, k: None, last: None }
    }
}

/// L(v) = mean |AE(v) − v|.
fn reconstruction_loss(autoencoder: &Sequential, v: Tensor<4>) -> Tensor<1> {
    (autoencoder.forward(v.clone()) - v).abs().mean()
}

impl Variant for Began {
    fn id(&self) -> &'static str {
        "began"
    }

    fn readouts(&self) -> &'static [&'static str] {
        &["k", "m_global"]
    }

    fn optimizer(&self) -> Optimizer {
        Optimizer::Adam { learning_rate: 1e-4, beta1: 0.5, beta2: 0.999 }
    }

    fn generator_layers(&self, model: &Dcgan28) -> Vec<LayerSpec> {
        generator(model.nz, model.g_width, model.channels)
    }

    fn critic_layers(&self, model: &Dcgan28) -> Vec<LayerSpec> {
        autoencoder(self.code, model.d_width, model.channels)
    }

    fn point_critic_layers(&self, model: &Dcgan28) -> Vec<LayerSpec> {
        crate::model::mlp2d::autoencoder(model)
    }

    /// D is an autoencoder: what it reconstructs well is what it takes for real.
    fn critic_opinion(&self, critic: &Sequential, x: Tensor<4>) -> Tensor<1> {
        let batch = x.dims()[0];
        (critic.forward(x.clone()) - x).abs().reshape([batch as i32, -1]).mean_dim(1).reshape([batch]).neg()
    }

    fn critic_loss(
        &mut self,
        critic: &Sequential,
        real: Tensor<4>,
        fake: Tensor<4>,
        _: &[Tensor<4>],
    ) -> Result<Loss, String> {
        let device = real.device();
        let k = self.k.get_or_insert_with(|| Tensor::zeros([1], &device.clone().without_autodiff())).clone();
        let l_real = reconstruction_loss(critic, real);
        let l_fake = reconstruction_loss(critic, fake);
        let (lr, lf) = (l_real.clone().detach().inner(), l_fake.clone().detach().inner());
        let m_global = lr.clone() + (lr.clone() * self.gamma - lf.clone()).abs();
        self.last = Some((lr, lf));
        let loss = l_real - l_fake * k.clone().autodiff();
        Ok(Loss::new(loss).with("k", k).with("m_global", m_global))
    }

    fn generator_loss(&mut self, critic: &Sequential, fake: Tensor<4>) -> Loss {
        Loss::new(reconstruction_loss(critic, fake))
    }

    /// γ = E[L(G(z))]/E[L(x)] at equilibrium: lower γ, sharper but less diverse samples.
    /// λ_k is how fast k_t follows: the paper's 0.001 moves k_t by about 10⁻⁵ per step on MNIST.
    fn knobs(&self) -> Vec<Knob> {
        vec![
            Knob { name: "gamma", label: "γ (diversity)", value: self.gamma, min: 0.3, max: 1.0 },
            Knob { name: "lambda_k", label: "λ_k (k_t's rate)", value: self.lambda_k, min: 0.0, max: 0.1 },
        ]
    }

    fn knob_mut(&mut self, name: &str) -> Option<&mut f64> {
        match name {
            "gamma" => Some(&mut self.gamma),
            "lambda_k" => Some(&mut self.lambda_k),
            _ => None,
        }
    }

    fn state(&self) -> Vec<(&'static str, Tensor<1>)> {
        self.k.iter().map(|k| ("k", k.clone())).collect()
    }

    fn set_state(&mut self, name: &str, value: Tensor<1>) -> Result<(), String> {
        match (name, value.dims()) {
            ("k", [1]) => {
                self.k = Some(value.clamp(0.0, 1.0));
                Ok(())
            }
            _ => Err(format!("BEGAN keeps one state value, \"k\" of shape [1]; got \"{name}\" {:?}", value.dims())),
        }
    }

    fn after_critic_step(&mut self, critic: Sequential) -> Sequential {
        if let (Some(k), Some((l_real, l_fake))) = (self.k.take(), self.last.take()) {
            let step = (l_real * self.gamma - l_fake) * self.lambda_k;
            self.k = Some((k + step).clamp(0.0, 1.0));
        }
        critic
    }
}
