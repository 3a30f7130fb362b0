//! LSGAN, least-squares GAN (Mao et al. 2017, eq. 2 with a = 0, b = c = 1), on D's raw output:
//!   D minimises ½E[(D(x) − 1)²] + ½E[D(G(z))²]
//!   G minimises ½E[(D(G(z)) − 1)²]
//! Defaults: Adam(2e-4, β = (0.5, 0.999)), the paper's settings (§4).

use burn::tensor::Tensor;

use super::{Loss, Optimizer, Variant, scores, scores_of_both};
use crate::model::Sequential;

pub struct LsGan;

/// ½(s − target)², for each score.
fn half_squared_error(s: Tensor<1>, target: f32) -> Tensor<1> {
    (s - target).square() * 0.5
}

impl Variant for LsGan {
    fn id(&self) -> &'static str {
        "lsgan"
    }

    fn optimizer(&self) -> Optimizer {
        Optimizer::Adam { learning_rate: 2e-4, beta1: 0.5, beta2: 0.999 }
    }

    fn critic_loss(
        &mut self,
        critic: &Sequential,
        real: Tensor<4>,
        fake: Tensor<4>,
        _: &[Tensor<4>],
    ) -> Result<Loss, String> {
        let both = scores_of_both(critic, real, fake);
        Ok(Loss::new(both.sum_of_means(|s| half_squared_error(s, 1.0), |s| half_squared_error(s, 0.0))))
    }

    fn generator_loss(&mut self, critic: &Sequential, fake: Tensor<4>) -> Result<Loss, String> {
        Ok(Loss::new(half_squared_error(scores(critic, fake), 1.0).mean()))
    }
}
