//! WGAN with weight clipping (Arjovsky et al. 2017, Algorithm 1):
//!   critic minimises E[D(G(z))] − E[D(x)]   (the negated Wasserstein estimate)
//!   G minimises −E[D(G(z))]
//! After every critic step every critic parameter (weights, biases, BatchNorm γ and β; not the
//! running statistics, which are buffers) is clipped to [−c, c]. Defaults from the paper:
//! c = 0.01, n_critic = 5, RMSProp with lr 5e-5 and no momentum.

use burn::tensor::Tensor;

use super::{Knob, Loss, Optimizer, Variant, scores, scores_of_both};
use crate::model::Sequential;

pub struct Wgan {
    /// The clipping bound c.
    pub clip: f64,
}

impl Default for Wgan {
    fn default() -> Self {
        Self { clip: 0.01 }
    }
}

impl Variant for Wgan {
    fn id(&self) -> &'static str {
        "wgan"
    }

    fn readouts(&self) -> &'static [&'static str] {
        &["wasserstein", super::CRITIC_GRADIENT_NORM]
    }

    fn optimizer(&self) -> Optimizer {
        Optimizer::RmsProp { learning_rate: 5e-5 }
    }

    fn n_critic(&self) -> usize {
        5
    }

    fn critic_loss(
        &mut self,
        critic: &Sequential,
        real: Tensor<4>,
        fake: Tensor<4>,
        _: &[Tensor<4>],
    ) -> Result<Loss, String> {
        let both = scores_of_both(critic, real, fake);
        let estimate = both.sum_of_means(|s| s, |s| s.neg());
        Ok(Loss::new(estimate.clone().neg()).with("wasserstein", estimate))
    }

    fn generator_loss(&mut self, critic: &Sequential, fake: Tensor<4>) -> Result<Loss, String> {
        Ok(Loss::new(scores(critic, fake).mean().neg()))
    }

    fn knobs(&self) -> Vec<Knob> {
        vec![Knob { name: "clip", label: "Clip c", value: self.clip, min: 0.001, max: 0.1 }]
    }

    fn knob_mut(&mut self, name: &str) -> Option<&mut f64> {
        (name == "clip").then_some(&mut self.clip)
    }

    fn critic_clip(&self) -> Option<f64> {
        Some(self.clip)
    }
}
