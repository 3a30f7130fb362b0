//! NS-GAN, the non-saturating GAN of Goodfellow et al. (2014, §3), the loss DCGAN trains with:
//!   D minimises −E[log D(x)] − E[log(1 − D(G(z)))]
//!   G minimises −E[log D(G(z))]
//! with D = σ(score). Defaults: DCGAN's Adam(2e-4, β = (0.5, 0.999)) (Radford et al. 2015, §4).

use burn::tensor::Tensor;

use super::{Loss, Optimizer, Variant, scores, scores_of_both};
use crate::loss::{bce_logits_fake, bce_logits_real};
use crate::model::Sequential;

pub struct NsGan;

impl Variant for NsGan {
    fn id(&self) -> &'static str {
        "ns-gan"
    }

    fn optimizer(&self) -> Optimizer {
        Optimizer::Adam { learning_rate: 2e-4, beta1: 0.5, beta2: 0.999 }
    }

    fn readouts(&self) -> &'static [&'static str] {
        &[super::GENERATOR_GRADIENT_NORM]
    }

    fn critic_loss(
        &mut self,
        critic: &Sequential,
        real: Tensor<4>,
        fake: Tensor<4>,
        _: &[Tensor<4>],
    ) -> Result<Loss, String> {
        let both = scores_of_both(critic, real, fake);
        Ok(Loss::new(both.sum_of_means(bce_logits_real, bce_logits_fake)))
    }

    fn generator_loss(&mut self, critic: &Sequential, fake: Tensor<4>) -> Result<Loss, String> {
        Ok(Loss::new(bce_logits_real(scores(critic, fake)).mean()))
    }
}
