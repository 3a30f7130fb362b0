//! Sampling from any generator a weights file holds — ours, or a PyTorch `dcgan28`/`dcgan64`
//! state dict — without a training run around it (the page's "load weights", `gan sample`).

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};

use crate::model::{GeneratorArch, Sequential, infer_generator};
use crate::rng::Rng;
use crate::safetensors::SafeTensors;
use crate::weights;

/// The prefix of the generator's names in `file`: "generator." in our files, "" in a bare state dict.
pub fn generator_prefix(file: &SafeTensors) -> &'static str {
    if file.get("generator.main.0.weight").is_some() { "generator." } else { "" }
}

/// G in eval mode (BatchNorm's running statistics, as PyTorch's `.eval()`), with its architecture
/// read off the file. Every tensor is checked strictly; errors name the tensor.
pub fn generator_from(file: &SafeTensors, device: &Device) -> Result<(Sequential, GeneratorArch), String> {
    let prefix = generator_prefix(file);
    let arch = infer_generator(|name| file.get(name).map(|t| t.shape.clone()), prefix)?;
    let plain = device.clone().without_autodiff();
    let blank = Sequential::init(&arch.specs, &mut Rng::new(0), &plain);
    // A bare state dict holds one network: anything that is not the generator's is a mistake.
    let g = weights::load(&blank, file, prefix)?;
    Ok((g.valid(), arch))
}

/// The `n` samples of the grid that a training run seeded `seed` shows of the eval-mode generator
/// `g`: the run's latent vectors, BatchNorm on the grid batch's statistics, as `Trainer::grid`.
pub fn run_grid(g: &Sequential, seed: u64, n: usize, nz: usize, device: &Device) -> Tensor<4> {
    g.forward_batch_statistics(crate::tensor::grid_latent_for_seed(seed, n, nz, device))
}

/// The latent batch `z` [N, nz, 1, 1] of a file.
pub fn latent_from(file: &SafeTensors, nz: usize, device: &Device) -> Result<Tensor<4>, String> {
    let t = file.get("z").ok_or("the latent file has no tensor \"z\"")?;
    let n = t.shape.first().copied().unwrap_or(0);
    if t.shape != [n, nz, 1, 1] || n == 0 {
        return Err(format!("tensor \"z\" has shape {:?}; this generator needs [N, {nz}, 1, 1]", t.shape));
    }
    Ok(Tensor::from_data(TensorData::new(file.f32_values(t)?, [n, nz, 1, 1]), device))
}
