//! The generator's pull on the samples it draws: −∂L_G/∂x, the direction in which G's loss moves
//! a sample x = G(z), and how hard. On 2-D points the page draws it as an arrow at each generated
//! point, which shows a loss's character at once: the minimax loss's saturation (arrows near zero
//! where the critic rejects the fakes), LSGAN's pull toward the data, a clipped critic's flat field.

use burn::module::Module;
use burn::tensor::Tensor;

use super::Trainer;
use crate::gan::{self, Training};

impl Trainer {
    /// −∂L_G/∂x at each sample of `x` ([N, C, H, W], on the plain device), times N: one sample's
    /// own pull, not its share of the batch's mean loss. Against the critic as it is now, held
    /// fixed as in a G step; nothing is updated. On the plain device.
    pub fn generator_pull(&self, x: Tensor<4>) -> Result<Tensor<4>, String> {
        if self.variant.training() == Training::Joint {
            return Err(format!("{} has no generator loss to pull its samples with", self.config.variant));
        }
        // A fresh instance of the variant with this run's knobs: no generator loss reads the state
        // that training carries (BEGAN's k_t), and the run's own instance stays untouched, so that
        // the page may ask for the pull while the run is read.
        let mut variant = gan::variant(&self.config.variant)?;
        for knob in self.variant.knobs() {
            gan::set_knob(variant.as_mut(), knob.name, knob.value)?;
        }
        let n = x.dims()[0];
        let x = Tensor::from_inner(x).require_grad();
        let critic = self.discriminator.clone().no_grad();
        let loss = variant.generator_loss(&critic, x.clone())?;
        let grads = loss.value.backward();
        let gradient = x.grad(&grads).ok_or("the generator's loss does not depend on its samples")?;
        Ok(gradient.mul_scalar(-(n as f64)))
    }
}
