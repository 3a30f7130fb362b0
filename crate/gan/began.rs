//! BEGAN, boundary equilibrium GAN (Berthelot et al. 2017, §3.3–3.4). D is an autoencoder and
//! L(v) = E|AE(v) − v| its L1 reconstruction loss:
//!   D minimises L(x) − k_t·L(G(z));  G minimises L(G(z))
//!   k_{t+1} = clip(k_t + λ_k(γL(x) − L(G(z))), 0, 1), k_0 = 0
//!   convergence measure M_global = L(x) + |γL(x) − L(G(z))|
//! γ = 0.5 (the diversity/quality dial, 0.3–1.0), λ_k = 1e-3, Adam(1e-4, β = (0.5, 0.999)),
//! D and G updated once per iteration, as in the paper.
//!
//! Its networks are `began28` ([`crate::model::began28`]: why they depart from the paper is said
//! there), or mlp2d's autoencoder on 2-D points.
//! k_t lives on the device and is updated there, so no read-back is needed between steps.

use burn::tensor::Tensor;

use super::{Knob, Loss, Optimizer, Variant, outputs_of_both};
use crate::model::began28;
use crate::model::{LayerSpec, Sequential, Sizes};

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

/// Each sample's mean |AE(v) − v|, from the autoencoder's output `out` for its input `v`.
fn reconstruction_errors(out: Tensor<4>, v: Tensor<4>) -> Tensor<1> {
    let batch = v.dims()[0];
    (out - v).abs().reshape([batch as i32, -1]).mean_dim(1).reshape([batch])
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

    fn architecture(&self) -> &'static str {
        "began28"
    }

    fn generator_layers(&self, model: &Sizes) -> Vec<LayerSpec> {
        began28::generator(model.nz, model.g_width, model.channels)
    }

    fn critic_layers(&self, model: &Sizes) -> Vec<LayerSpec> {
        began28::autoencoder(self.code, model.d_width, model.channels)
    }

    fn point_critic_layers(&self, model: &Sizes) -> Vec<LayerSpec> {
        crate::model::mlp2d::autoencoder(model)
    }

    /// D is an autoencoder: what it reconstructs well is what it takes for real.
    fn critic_opinion(&self, critic: &Sequential, x: Tensor<4>) -> Tensor<1> {
        reconstruction_errors(critic.forward(x.clone()), x).neg()
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
        // L(x) and L(G(z)) from one pass of the autoencoder over both batches.
        let (l_real, l_fake) = outputs_of_both(critic, real, fake, reconstruction_errors).means();
        let (lr, lf) = (l_real.clone().detach().inner(), l_fake.clone().detach().inner());
        let m_global = lr.clone() + (lr.clone() * self.gamma - lf.clone()).abs();
        self.last = Some((lr, lf));
        let loss = l_real - l_fake * k.clone().autodiff();
        Ok(Loss::new(loss).with("k", k).with("m_global", m_global))
    }

    fn generator_loss(&mut self, critic: &Sequential, fake: Tensor<4>) -> Result<Loss, String> {
        Ok(Loss::new(reconstruction_loss(critic, fake)))
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
