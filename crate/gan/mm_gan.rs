//! MM-GAN, the minimax GAN of Goodfellow et al. (2014, eq. 1):
//!   D minimises −E[log D(x)] − E[log(1 − D(G(z)))]   (as NS-GAN)
//!   G minimises  E[log(1 − D(G(z)))]                 (saturates when D wins: the study's baseline)
//! Defaults: DCGAN's Adam(2e-4, β = (0.5, 0.999)), so that it differs from NS-GAN only in G's loss
//! (the study searched learning rates per model; this is the shared starting point).

use burn::tensor::Tensor;

use super::ns_gan::NsGan;
use super::{Loss, Optimizer, Variant, scores};
use crate::loss::bce_logits_fake;
use crate::model::Sequential;

pub struct MmGan;

impl Variant for MmGan {
    fn id(&self) -> &'static str {
        "mm-gan"
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
        noise: &[Tensor<4>],
    ) -> Result<Loss, String> {
        NsGan.critic_loss(critic, real, fake, noise)
    }

    fn generator_loss(&mut self, critic: &Sequential, fake: Tensor<4>) -> Result<Loss, String> {
        // log(1 − σ(s)) = −softplus(s), so E[log(1 − D(G(z)))] = −(BCE against label 0).
        Ok(Loss::new(bce_logits_fake(scores(critic, fake)).mean().neg()))
    }
}
