//! BEGAN, boundary equilibrium GAN (Berthelot et al. 2017, §3.3–3.4). D is an autoencoder and
//! L(v) = E|AE(v) − v| its L1 reconstruction loss:
//!   D minimises L(x) − k_t·L(G(z));  G minimises L(G(z))
//!   k_{t+1} = clip(k_t + λ_k(γL(x) − L(G(z))), 0, 1), k_0 = 0
//!   convergence measure M_global = L(x) + |γL(x) − L(G(z))|
//! γ = 0.5 (the diversity/quality dial, 0.3–1.0), λ_k = 1e-3, Adam(1e-4, β = (0.5, 0.999)),
//! D and G updated once per iteration, as in the paper.
//! Architecture (§3.5, scaled to 28×28): G and the autoencoder's decoder share one shape
//! ([`decoder`]): a fully connected layer from the code to n×7×7, then 3×3 convolutions with ELU
//! and nearest-neighbour 2× upsampling (7 → 14 → 28), and a linear 3×3 output convolution, no
//! BatchNorm anywhere and no tanh. The encoder mirrors it: 3×3 convolutions with ELU, stride-2
//! convolutions to subsample (n → 2n → 3n channels), and a fully connected layer to a 64-value
//! code with no activation. Fully connected layers are written as 7×7 convolutions (to and from
//! a 1×1 map), which is the same map and keeps the file layout of the other variants.
//! Departures: one 3×3 convolution per resolution instead of two, and G's n is half of
//! `g_width` (the autoencoder's is `d_width`) so that a step costs about what a DCGAN step costs.
//! Why this and not DCGAN's G: with DCGAN's BatchNorm/transposed-convolution G and a DCGAN-like
//! autoencoder, D learned within a few hundred steps to reconstruct G's samples badly once k_t
//! rose, G's samples turned to high-frequency noise that the autoencoder maps to flat grey, and
//! after 4,000 steps they were still noise. When G can only draw what a decoder can draw, the
//! autoencoder's outputs are reachable for G, as the paper intends.
//! Every convolution has a bias, and they must: without them AE(0) = 0 for every weight, so an
//! all-grey G(z) = 0 is reconstructed perfectly whatever D learns, and G settles on it for good.
//! Weights start with He's initialisation (no BatchNorm restores the scale).
//! k_t lives on the device and is updated there, so no read-back is needed between steps.

use burn::tensor::Tensor;

use super::{Knob, Loss, Optimizer, Variant};
use crate::model::dcgan28::Dcgan28;
use crate::model::{ConvSpec, LayerSpec, Sequential};

/// A 3×3 (or `kernel`) convolution with bias and He initialisation.
fn conv(input: usize, output: usize, kernel: usize, stride: usize, padding: usize) -> LayerSpec {
    LayerSpec::Conv(ConvSpec::new(input, output, kernel, stride, padding).with_bias().with_he_init())
}

/// G, and the autoencoder's decoder: code [B, code, 1, 1] → n×7×7 → n×14×14 → 1×28×28.
pub fn decoder(code: usize, n: usize) -> Vec<LayerSpec> {
    use LayerSpec::{Elu, Upsample};
    let fully_connected = ConvSpec::new(code, n, 7, 1, 0).with_bias().with_he_init();
    vec![
        LayerSpec::ConvTranspose(fully_connected),
        conv(n, n, 3, 1, 1),
        Elu,
        Upsample,
        conv(n, n, 3, 1, 1),
        Elu,
        Upsample,
        conv(n, n, 3, 1, 1),
        Elu,
        conv(n, 1, 3, 1, 1),
    ]
}

/// The autoencoder's encoder: 1×28×28 → n×28×28 → 2n×14×14 → 3n×7×7 → code [B, code, 1, 1].
pub fn encoder(code: usize, n: usize) -> Vec<LayerSpec> {
    use LayerSpec::Elu;
    vec![
        conv(1, n, 3, 1, 1),
        Elu,
        conv(n, 2 * n, 3, 2, 1),
        Elu,
        conv(2 * n, 3 * n, 3, 2, 1),
        Elu,
        conv(3 * n, code, 7, 1, 0),
    ]
}

/// G's channel count n for a `g_width`.
pub fn generator_channels(model: &Dcgan28) -> usize {
    (model.g_width / 2).max(1)
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
        Self { gamma: 0.5, lambda_k: 1e-3, code: 64, k: None, last: None }
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

    fn optimizer(&self) -> Optimizer {
        Optimizer::Adam { learning_rate: 1e-4, beta1: 0.5, beta2: 0.999 }
    }

    fn generator_layers(&self, model: &Dcgan28) -> Vec<LayerSpec> {
        decoder(model.nz, generator_channels(model))
    }

    fn critic_layers(&self, model: &Dcgan28) -> Vec<LayerSpec> {
        let mut autoencoder = encoder(self.code, model.d_width);
        autoencoder.extend(decoder(self.code, model.d_width));
        autoencoder
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
