//! The critic's scores of the batches a loss needs: one batch, a real and a fake batch from one
//! pass, or those two and a gradient penalty's points, with the critic's input gradient there.

use burn::tensor::{Tensor, TensorData};

use crate::model::{LayerSpec, Sequential};

/// The critic's output [B, 1, 1, 1] as a vector of B raw scores (logits for the BCE variants).
pub fn scores(critic: &Sequential, x: Tensor<4>) -> Tensor<1> {
    as_scores(critic.forward(x))
}

/// A critic's output [B, 1, 1, 1] as a vector of B scores.
fn as_scores(out: Tensor<4>) -> Tensor<1> {
    let batch = out.dims()[0];
    out.reshape([batch])
}

/// The critic's scores on a real and a fake batch, both sent through it in one pass: one forward
/// and one backward pass instead of two (half the kernel launches on a GPU), the same values up to
/// rounding. A critic with BatchNorm normalises each batch with its own statistics, as separate
/// passes in PyTorch's reference code do (`Sequential::forward_in_groups`); off a training device
/// (BatchNorm's running statistics) or for batches of different sizes, it takes two passes.
pub fn scores_of_both(critic: &Sequential, real: Tensor<4>, fake: Tensor<4>) -> BothScores {
    outputs_of_both(critic, real, fake, |out, _| as_scores(out))
}

/// As [`scores_of_both`], each sample's score made by `score` from the critic's output and the
/// critic's input (BEGAN's autoencoder scores a sample by how far its output is from it).
pub fn outputs_of_both(
    critic: &Sequential,
    real: Tensor<4>,
    fake: Tensor<4>,
    score: impl Fn(Tensor<4>, Tensor<4>) -> Tensor<1>,
) -> BothScores {
    let (n_real, n_fake) = (real.dims()[0], fake.dims()[0]);
    let batch_norm = critic.specs.iter().any(|spec| matches!(spec, LayerSpec::BatchNorm { .. }));
    let all = if batch_norm && (!real.device().is_autodiff() || n_fake != n_real) {
        let alone = |x: Tensor<4>| score(critic.forward(x.clone()), x);
        Tensor::cat(vec![alone(real), alone(fake)], 0)
    } else {
        // Without BatchNorm this is the plain forward pass.
        let both = Tensor::cat(vec![real, fake], 0);
        score(critic.forward_in_groups(both.clone(), 2), both)
    };
    BothScores::new(all, n_real, n_fake)
}

/// The critic's scores on a real and a fake batch, and its input gradient at the points `x_hat`
/// (a gradient penalty's, [`Sequential::input_gradient`]), all from one forward pass over the three
/// batches: one forward and one backward pass of the critic where separate passes took two of
/// each. The critic must work on each sample alone (no BatchNorm).
pub fn scores_with_input_gradient(
    critic: &Sequential,
    real: Tensor<4>,
    fake: Tensor<4>,
    x_hat: Tensor<4>,
) -> Result<(BothScores, Tensor<4>), String> {
    let (n_real, n_fake, n_hat) = (real.dims()[0], fake.dims()[0], x_hat.dims()[0]);
    let total = n_real + n_fake + n_hat;
    let (out, gradient) =
        critic.forward_with_input_gradient(Tensor::cat(vec![real, fake, x_hat], 0), n_real + n_fake..total)?;
    Ok((BothScores::new(as_scores(out), n_real, n_fake), gradient))
}

/// The scores of [`scores_of_both`], the real batch's first, in one vector. A loss takes its means
/// over either part through weights, in one element-wise kernel and one reduction: on a GPU a
/// slice's backward writes a zeroed copy of the whole vector per part, and a slice at an
/// unaligned offset is a copy of its own.
pub struct BothScores {
    all: Tensor<1>,
    real_weights: Tensor<1>,
    fake_weights: Tensor<1>,
}

impl BothScores {
    /// The scores `all` of `n_real` real samples, then `n_fake` fake ones (then any others, which
    /// the means leave out).
    fn new(all: Tensor<1>, n_real: usize, n_fake: usize) -> Self {
        // Weights that turn a mean over all scores into a mean over one part: total/n on it, 0 off it.
        let total = all.dims()[0];
        let part_weights = |first: usize, n: usize| {
            let values: Vec<f32> = (0..total)
                .map(|i| if (first..first + n).contains(&i) { total as f32 / n as f32 } else { 0.0 })
                .collect();
            Tensor::from_data(TensorData::new(values, [total]), &all.device())
        };
        Self { real_weights: part_weights(0, n_real), fake_weights: part_weights(n_real, n_fake), all }
    }

    /// E[s] over the real batch's scores and E[s] over the fake batch's.
    pub fn means(&self) -> (Tensor<1>, Tensor<1>) {
        let mean_with = |weights: &Tensor<1>| (self.all.clone() * weights.clone()).mean();
        (mean_with(&self.real_weights), mean_with(&self.fake_weights))
    }

    /// E[on_real(s)] over the real batch's scores plus E[on_fake(s)] over the fake batch's, where
    /// each function works on every score alone.
    pub fn sum_of_means(
        &self,
        on_real: impl FnOnce(Tensor<1>) -> Tensor<1>,
        on_fake: impl FnOnce(Tensor<1>) -> Tensor<1>,
    ) -> Tensor<1> {
        let real = on_real(self.all.clone()) * self.real_weights.clone();
        (real + on_fake(self.all.clone()) * self.fake_weights.clone()).mean()
    }
}
