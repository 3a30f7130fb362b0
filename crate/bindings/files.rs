//! Weights files for the page: what a file holds from its header alone, what loading it into a
//! run means, and sampling from a generator no variant trains.

use burn::tensor::Device;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use super::{chosen_device, err, read_f32, sample_count, to_js, whole_seed};
use crate::safetensors::{self, SafeTensors};

/// What a weights file holds, from its first bytes (its length field and header) and its size,
/// without reading its data: `{ metadata, tensors, generator }` where `generator` is
/// `{ model, nz, width, image }` when a generator is recognised (else null). Throws a specific
/// error for a corrupt header or one that does not fit the file's size.
#[wasm_bindgen(js_name = inspectWeights)]
pub fn inspect_weights(prefix: &[u8], file_size: f64) -> Result<JsValue, JsValue> {
    if !(file_size >= 0.0 && file_size <= crate::weights::MAX_FILE_BYTES as f64) {
        return Err(err(format!("a weights file must be at most {} MiB", crate::weights::MAX_FILE_BYTES >> 20)));
    }
    let header = safetensors::Header::parse(prefix, file_size as usize).map_err(err)?;
    to_js(&crate::loading::FileInfo::of(&header))
}

/// What loading a file of header `info` (from `inspectWeights`) into a run of `current` means:
/// `{ kind: 'train', config, target }` or `{ kind: 'sample' }` (see [`crate::loading::plan`]).
#[wasm_bindgen(js_name = planLoad)]
pub fn plan_load(info: JsValue, current: JsValue) -> Result<JsValue, JsValue> {
    let info: crate::loading::FileInfo =
        serde_wasm_bindgen::from_value(info).map_err(|e| err(format!("invalid file info: {e}")))?;
    let current = serde_wasm_bindgen::from_value(current).map_err(|e| err(format!("invalid config: {e}")))?;
    to_js(&crate::loading::plan(&info, &current).map_err(err)?)
}

/// A generator loaded only to draw samples (e.g. pytorch/examples' 64×64 RGB `dcgan64`, too big
/// to train in a tab), in eval mode.
#[wasm_bindgen]
pub struct Sampler {
    generator: crate::model::Sequential,
    arch: crate::model::GeneratorArch,
    device: Device,
}

#[wasm_bindgen]
impl Sampler {
    /// Loads the generator of a weights file (ours or a PyTorch state dict). Call `initBackend` first.
    pub fn load(bytes: &[u8]) -> Result<Sampler, JsValue> {
        let device = chosen_device("loading a sampler")?;
        let file = SafeTensors::parse(bytes).map_err(err)?;
        let (generator, arch) = crate::sampler::generator_from(&file, &device).map_err(err)?;
        Ok(Sampler { generator, arch, device })
    }

    /// "dcgan28" or "dcgan64".
    #[wasm_bindgen(getter)]
    pub fn model(&self) -> String {
        self.arch.model.to_string()
    }

    /// G(z) for `n` (1 to 64) latent vectors from `seed`: `{ samples: Float32Array, shape: [n, c, h, w] }`.
    pub async fn sample(&self, n: u32, seed: f64) -> Result<JsValue, JsValue> {
        let z = crate::tensor::latent(
            &mut crate::rng::Rng::new(whole_seed(seed)?),
            sample_count(n, 64)?,
            self.arch.nz,
            &self.device,
        );
        self.images(n, self.generator.forward(z)).await
    }

    /// The `n` (1 to 256) samples of the grid a training run seeded `seed` shows of this generator
    /// (the same latent vectors, BatchNorm on the grid batch's statistics), as `sample` returns them.
    pub async fn grid(&self, n: u32, seed: f64) -> Result<JsValue, JsValue> {
        let grid = crate::sampler::run_grid(
            &self.generator,
            whole_seed(seed)?,
            sample_count(n, 256)?,
            self.arch.nz,
            &self.device,
        );
        self.images(n, grid).await
    }
}

impl Sampler {
    /// `{ samples: Float32Array, shape: [n, c, h, w] }` of `n` generated images.
    async fn images(&self, n: u32, images: burn::tensor::Tensor<4>) -> Result<JsValue, JsValue> {
        let samples = read_f32(images).await?;
        let [c, h, w] = self.arch.image;
        let result = js_sys::Object::new();
        Reflect::set(&result, &"samples".into(), &samples.into())?;
        let shape: js_sys::Array = [n as usize, c, h, w].iter().map(|&d| JsValue::from(d as u32)).collect();
        Reflect::set(&result, &"shape".into(), &shape)?;
        Ok(result.into())
    }
}
