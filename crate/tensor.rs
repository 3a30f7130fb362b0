//! Tensor helpers shared by every layer: reading device data as f32, and latent vectors z.

use burn::tensor::{Device, Tensor, TensorData};

use crate::rng::Rng;

/// `n` latent vectors z ~ N(0, I) of length `nz`, shaped [n, nz, 1, 1] as DCGAN's G expects.
pub fn latent(rng: &mut Rng, n: usize, nz: usize, device: &Device) -> Tensor<4> {
    Tensor::from_data(TensorData::new(rng.normal_vec(n * nz, 0.0, 1.0), [n, nz, 1, 1]), device)
}

/// The sample grid's latent vectors of a run seeded `seed`. They have their own stream, so that
/// they depend neither on the network sizes nor on the run itself: a pretrained file's grid can be
/// drawn from its generator alone (the page's first samples, before the training module loads).
pub fn grid_latent_for_seed(seed: u64, n: usize, nz: usize, device: &Device) -> Tensor<4> {
    latent(&mut Rng::new(seed ^ 0x5A5A_5A5A), n, nz, device)
}

pub fn to_f32(data: TensorData) -> Result<Vec<f32>, String> {
    data.convert::<f32>().try_into_vec::<f32>().map_err(|e| format!("unexpected tensor data: {e:?}"))
}
