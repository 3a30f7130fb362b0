//! The JavaScript interface: a thin layer over [`crate::trainer`]. Errors cross as exceptions
//! carrying a message; no input from JavaScript may panic the module.

use std::cell::RefCell;
use std::sync::Arc;

use burn::tensor::Device;
use js_sys::{Float32Array, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::backend::{self, BackendInfo};
use crate::data::ImageDataset;
use crate::safetensors::{self, Dtype, SafeTensors};
use crate::trainer::{TrainConfig, Trainer};

thread_local! {
    /// The device chosen by `initBackend`; burn allows one WebGPU initialisation per worker.
    static BACKEND: RefCell<Option<(Device, BackendInfo)>> = const { RefCell::new(None) };
    /// The triangles training set, made on first use.
    static TRIANGLES: RefCell<Option<Arc<ImageDataset>>> = const { RefCell::new(None) };
}

/// Held-out triangles the page inverts for recall, and the Adam steps of each inversion: fewer
/// than `gan score` (200, 150) so that a score on the CPU backend takes seconds, not minutes.
const PAGE_RECALL_TRIANGLES: (usize, usize) = (50, 60);

/// The most numbers `generate` returns at once (64 images of 28×28).
const MAX_GENERATED_VALUES: usize = 64 * 784;

/// More steps per call would queue unbounded GPU work before the next read-back.
const MAX_STEPS_PER_CALL: u32 = 1000;

/// Rust values as plain JavaScript objects (maps too, not ES `Map`s: the page spreads, reads and
/// re-sends them, e.g. the config's `knobs` and a file's metadata).
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| err(e.to_string()))
}

/// The device `initBackend` chose, or an error saying that `action` needs it first.
fn chosen_device(action: &str) -> Result<Device, JsValue> {
    BACKEND
        .with_borrow(|b| b.as_ref().map(|(d, _)| d.clone()))
        .ok_or_else(|| err(format!("call initBackend before {action}")))
}

fn err(message: impl Into<String>) -> JsValue {
    js_sys::Error::new(&message.into()).into()
}

/// A device tensor's values, read asynchronously (a synchronous read-back panics in the browser).
async fn read_f32<const D: usize>(tensor: burn::tensor::Tensor<D>) -> Result<Float32Array, JsValue> {
    let data = tensor.into_data_async().await.map_err(|e| err(format!("reading from the device failed: {e:?}")))?;
    let values = crate::tensor::to_f32(data).map_err(err)?;
    Ok(Float32Array::from(values.as_slice()))
}

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
    backend::run_static_constructors();
}

/// Chooses the device: "webgpu" (fall back to the CPU with a reason if it fails), or "cpu".
/// Later calls return the first choice. Resolves to `{ kind, name, fallbackReason }`.
#[wasm_bindgen(js_name = initBackend)]
pub async fn init_backend(preference: String) -> Result<JsValue, JsValue> {
    if let Some(info) = BACKEND.with_borrow(|b| b.as_ref().map(|(_, info)| info.clone())) {
        return to_js(&info);
    }
    let chosen = match preference.as_str() {
        "cpu" => backend::cpu(None),
        "webgpu" | "auto" => match backend::webgpu().await {
            Ok(chosen) => chosen,
            Err(reason) => backend::cpu(Some(reason)),
        },
        other => {
            return Err(err(format!("unknown backend \"{other}\" (use \"webgpu\" or \"cpu\")")));
        }
    };
    let info = chosen.1.clone();
    BACKEND.with_borrow_mut(|b| *b = Some(chosen));
    to_js(&info)
}

/// Panics, as a bug inside the core would: the module traps (a `WebAssembly.RuntimeError`) and
/// runs nothing more. It is here for the page tests of recovery (a new worker restores every run
/// from its snapshot); nothing else calls it.
#[wasm_bindgen(js_name = panicForTests)]
pub fn panic_for_tests() {
    panic!("a panic raised on purpose (panicForTests)");
}

/// What a run can be: datasets, settings (ranges, defaults, labels), variants (knobs, read-outs);
/// see [`crate::schema`].
#[wasm_bindgen]
pub fn schema() -> Result<JsValue, JsValue> {
    to_js(&crate::schema::schema())
}

/// The limits the page checks before it reads a file, so that it can refuse at once:
/// `{ weightFileBytes, headerBytes }`.
#[wasm_bindgen]
pub fn limits() -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Limits {
        weight_file_bytes: u64,
        header_bytes: u64,
    }
    to_js(&Limits {
        weight_file_bytes: crate::weights::MAX_FILE_BYTES,
        header_bytes: crate::safetensors::MAX_HEADER_BYTES,
    })
}

/// The length of a weights file's header from its first 8 bytes, or a specific error (too
/// short, a length over the limit or past the end of a file of `file_size` bytes).
#[wasm_bindgen(js_name = weightsHeaderLength)]
pub fn weights_header_length(first: &[u8], file_size: f64) -> Result<f64, JsValue> {
    if !(file_size >= 0.0 && file_size <= crate::weights::MAX_FILE_BYTES as f64) {
        return Err(err(format!("a weights file must be at most {} MiB", crate::weights::MAX_FILE_BYTES >> 20)));
    }
    Ok(safetensors::header_length(first, file_size as u64).map_err(err)? as f64)
}

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

/// A count of samples to draw: 1 to `max`.
fn sample_count(n: u32, max: u32) -> Result<usize, JsValue> {
    if !(1..=max).contains(&n) {
        return Err(err(format!("n must be between 1 and {max}, got {n}")));
    }
    Ok(n as usize)
}

/// A seed from JavaScript: a whole number that a double holds exactly.
fn whole_seed(seed: f64) -> Result<u64, JsValue> {
    if !((0.0..9007199254740992.0).contains(&seed) && seed.fract() == 0.0) {
        return Err(err(format!("seed must be a whole number below 2^53, got {seed}")));
    }
    Ok(seed as u64)
}

/// The MNIST classifier whose features the scores compare (www/metrics/mnist-classifier.safetensors).
#[wasm_bindgen]
pub struct Scorer {
    classifier: crate::classifier::Classifier,
}

#[wasm_bindgen]
impl Scorer {
    /// Loads the classifier file; every tensor is checked. Call `initBackend` first.
    pub fn load(bytes: &[u8]) -> Result<Scorer, JsValue> {
        let device = chosen_device("loading the classifier")?;
        Ok(Scorer { classifier: crate::classifier::Classifier::load(bytes, &device).map_err(err)? })
    }
}

/// One training run: G, D, their optimisers and the data.
#[wasm_bindgen]
pub struct Session {
    trainer: Trainer,
}

#[wasm_bindgen]
impl Session {
    /// Builds a run from the MNIST file's bytes (see `data`; a triangles run generates its own data)
    /// and a config object (missing fields take
    /// DCGAN's defaults). Call `initBackend` first.
    pub fn create(dataset: &[u8], config: JsValue) -> Result<Session, JsValue> {
        let device = chosen_device("creating a session")?;
        let config: TrainConfig = if config.is_undefined() || config.is_null() {
            TrainConfig::default()
        } else {
            serde_wasm_bindgen::from_value(config).map_err(|e| err(format!("invalid config: {e}")))?
        };
        let data = match config.dataset.as_str() {
            // Generated once per worker: every run trains on the same triangles.
            "triangles" => TRIANGLES.with_borrow_mut(|cached| -> Result<_, String> {
                if cached.is_none() {
                    *cached = Some(Arc::new(crate::data::training_set("triangles", None)?));
                }
                Ok(cached.clone().expect("just set"))
            }),
            name => crate::data::training_set(name, Some(dataset)).map(Arc::new),
        }
        .map_err(err)?;
        let trainer = Trainer::new(config, data, &device).map_err(err)?;
        Ok(Session { trainer })
    }

    /// Queues `steps` (1 to 1000) full iterations (D step, then G step). Returns at once on WebGPU.
    pub fn train(&mut self, steps: u32) -> Result<(), JsValue> {
        if !(1..=MAX_STEPS_PER_CALL).contains(&steps) {
            return Err(err(format!("steps must be between 1 and {MAX_STEPS_PER_CALL}, got {steps}")));
        }
        for _ in 0..steps {
            self.trainer.train_step().map_err(err)?;
        }
        Ok(())
    }

    /// The optimiser in use (the variant's defaults unless the config overrides them) and n_critic.
    pub fn schedule(&self) -> Result<JsValue, JsValue> {
        let out = to_js(&self.trainer.optimizer())?;
        Reflect::set(&out, &"nCritic".into(), &(self.trainer.n_critic() as u32).into())?;
        Ok(out)
    }

    /// Changes one of the variant's knobs (see `variants()`), from the next step on.
    #[wasm_bindgen(js_name = setKnob)]
    pub fn set_knob(&mut self, name: &str, value: f64) -> Result<(), JsValue> {
        self.trainer.set_knob(name, value).map_err(err)
    }

    /// G, the critic and the variant's state as one safetensors file with the run's metadata
    /// (`dtype` "f32", the default, or "f16" for half the size). Reads the GPU asynchronously.
    #[wasm_bindgen(js_name = saveWeights)]
    pub async fn save_weights(&self, dtype: Option<String>) -> Result<js_sys::Uint8Array, JsValue> {
        let dtype = match dtype.as_deref() {
            None | Some("f32") => Dtype::F32,
            Some("f16") => Dtype::F16,
            Some(other) => return Err(err(format!("dtype must be \"f32\" or \"f16\", got \"{other}\""))),
        };
        let bytes = self.trainer.save_weights(dtype).await.map_err(err)?;
        Ok(js_sys::Uint8Array::from(bytes.as_slice()))
    }

    /// The whole run as one safetensors file (see `checkpoint`): loading it into a run of the
    /// same config goes on exactly where this one is. `history` (the page's charts, as text) is
    /// kept in its metadata. Reads the GPU asynchronously.
    #[wasm_bindgen(js_name = saveRun)]
    pub async fn save_run(&self, history: Option<String>) -> Result<js_sys::Uint8Array, JsValue> {
        let bytes = self.trainer.save_run(history.as_deref()).await.map_err(err)?;
        Ok(js_sys::Uint8Array::from(bytes.as_slice()))
    }

    /// Loads weights into this run: our files (generator./critic./state., and a run's whole state
    /// where the file holds one) or a bare PyTorch state dict with `target` "generator" or
    /// "critic". Returns `{ generator, critic, resumed, metadata }`. On any error (thrown, with
    /// the reason) the run is exactly as it was.
    #[wasm_bindgen(js_name = loadWeights)]
    pub fn load_weights(&mut self, bytes: &[u8], target: Option<String>) -> Result<JsValue, JsValue> {
        let loaded = self.trainer.load_weights(bytes, target.as_deref()).map_err(err)?;
        to_js(&loaded)
    }

    /// Scores `n` (10 to 2000) samples of G against as many real images of this run's dataset with
    /// the classifier `scorer`: `{ n, fid, kid, kid_std, classes }` (see `score`). On triangles
    /// also `triangles: { precision, recall, f1, threshold, median_residual, n, m }` (see
    /// `score::TriangleScores`): the same samples fitted, [`PAGE_RECALL_TRIANGLES`] held-out
    /// triangles inverted. Reads the device asynchronously.
    pub async fn score(&self, scorer: &Scorer, n: u32) -> Result<JsValue, JsValue> {
        if !(10..=2000).contains(&n) {
            return Err(err(format!("n must be between 10 and 2000, got {n}")));
        }
        if self.trainer.config().is_points() {
            return Err(err("the scores compare images: a run on 2-D points shows its fit in the plane instead"));
        }
        let device = self.trainer.grid_latent().device();
        let config = self.trainer.config();
        let (m, steps) = PAGE_RECALL_TRIANGLES;
        let recall = crate::score::Recall { m, steps, tolerance_pixels: crate::score::TOLERANCE_PIXELS };
        let evaluation = crate::score::evaluate(
            &scorer.classifier,
            self.trainer.generator(),
            config.model.nz,
            &config.dataset,
            self.trainer.data(),
            (n as usize, config.seed ^ 0x5C0E),
            recall,
            &device,
        )
        .await
        .map_err(err)?;
        to_js(&evaluation)
    }

    /// The sample grid's latent vectors as a Float32Array [N·nz] (N vectors of `nz`).
    pub async fn latent(&self) -> Result<Float32Array, JsValue> {
        read_f32(self.trainer.grid_latent()).await
    }

    /// Replaces the sample grid's latent vectors (N·nz numbers, 1 ≤ N ≤ 256).
    #[wasm_bindgen(js_name = setLatent)]
    pub fn set_latent(&mut self, z: Vec<f32>) -> Result<(), JsValue> {
        self.trainer.set_grid_latent(z).map_err(err)
    }

    /// `z` (N·nz numbers; 1 ≤ N ≤ 64 images, or up to 25,088 points) as latents on the device, or
    /// an error naming what `action` takes.
    fn latents(&self, z: Vec<f32>, action: &str) -> Result<burn::tensor::Tensor<4>, JsValue> {
        let config = self.trainer.config();
        let nz = config.model.nz;
        let n = z.len() / nz;
        let most = MAX_GENERATED_VALUES / config.data_shape().iter().product::<usize>();
        if !z.len().is_multiple_of(nz) || !(1..=most).contains(&n) || z.iter().any(|v| !v.is_finite()) {
            return Err(err(format!(
                "{action} takes 1 to {most} finite vectors of {nz} numbers, got {} numbers",
                z.len()
            )));
        }
        let device = self.trainer.grid_latent().device();
        Ok(burn::tensor::Tensor::from_data(burn::tensor::TensorData::new(z, [n, nz, 1, 1]), &device))
    }

    /// G at `z` (N·nz numbers; 1 ≤ N ≤ 64 images, or up to 25,088 points), drawn as the grid is:
    /// a Float32Array [N, C, H, W].
    pub async fn generate(&self, z: Vec<f32>) -> Result<Float32Array, JsValue> {
        let z = self.latents(z, "generate")?;
        read_f32(self.trainer.generate_like_grid(z)).await
    }

    /// For a run on 2-D points, what the plane draws besides the samples, read in one transaction:
    /// `{ surface, warped? }`. `surface`: the critic's opinion (higher: more real) at each of N
    /// points (2·N numbers, x then y; 1 ≤ N ≤ 65,536), a Float32Array [N]; `warped`: G at the
    /// latents `lattice` (as `generate` takes them), a Float32Array [M·2].
    pub async fn plane(&self, points: Vec<f32>, lattice: Option<Vec<f32>>) -> Result<JsValue, JsValue> {
        if !self.trainer.config().is_points() {
            return Err(err("the plane is drawn for 2-D points only"));
        }
        let n = points.len() / 2;
        if !points.len().is_multiple_of(2) || !(1..=65_536).contains(&n) || points.iter().any(|v| !v.is_finite()) {
            return Err(err(format!("plane takes 1 to 65536 finite points (x, y), got {} numbers", points.len())));
        }
        let device = self.trainer.grid_latent().device();
        let x = burn::tensor::Tensor::from_data(burn::tensor::TensorData::new(points, [n, 2, 1, 1]), &device);
        let mut tx = burn::tensor::Transaction::default().register(self.trainer.critic_opinion(x));
        if let Some(z) = lattice {
            tx = tx.register(self.trainer.generate_like_grid(self.latents(z, "plane's lattice")?));
        }
        let data = tx.execute_async().await.map_err(|e| err(format!("reading the plane failed: {e:?}")))?;
        let out = js_sys::Object::new();
        for (name, d) in ["surface", "warped"].into_iter().zip(data) {
            Reflect::set(&out, &name.into(), &Float32Array::from(crate::tensor::to_f32(d).map_err(err)?.as_slice()))?;
        }
        Ok(out.into())
    }

    /// For a run on 2-D points: up to `max` of its training points, a fixed random choice (the
    /// sets are ordered by cluster or along a curve), as a Float32Array [N·2] (x, y in [−1, 1]).
    pub fn points(&self, max: u32) -> Result<Float32Array, JsValue> {
        if !self.trainer.config().is_points() {
            return Err(err("this run trains on images, not points"));
        }
        let all = crate::data::toy2d::points_of(self.trainer.data());
        let n = (max as usize).clamp(1, all.len());
        let chosen = crate::rng::Rng::new(7).permutation(all.len());
        let spread: Vec<f32> = chosen[..n].iter().flat_map(|&i| all[i]).collect();
        Ok(Float32Array::from(spread.as_slice()))
    }

    #[wasm_bindgen(js_name = stepDiscriminator)]
    pub fn step_discriminator(&mut self) -> Result<(), JsValue> {
        self.trainer.discriminator_step().map_err(err)
    }

    #[wasm_bindgen(js_name = stepGenerator)]
    pub fn step_generator(&mut self) {
        self.trainer.generator_step();
    }

    #[wasm_bindgen(getter)]
    pub fn step(&self) -> f64 {
        self.trainer.step() as f64
    }

    /// The session's config, defaults filled in.
    pub fn config(&self) -> Result<JsValue, JsValue> {
        to_js(self.trainer.config())
    }

    /// Waits for queued work and resolves to `{ step, dLoss, gLoss, values, finite, samples? }`
    /// (`values`: the variant's own read-outs by name, e.g. `{ wasserstein }`);
    /// `samples` is a Float32Array of the fixed-z grid, [N, C, H, W] in [-1, 1]; with
    /// `histogramBins`, `histogram` = `{ limit, counts }` of the critic's convolution weights.
    pub async fn readout(&self, with_samples: bool, histogram_bins: Option<u32>) -> Result<JsValue, JsValue> {
        let bins = histogram_bins.map(|b| b.clamp(1, 1024) as usize);
        let readout = self.trainer.readout_with(with_samples, bins).await.map_err(err)?;
        let out = js_sys::Object::new();
        let set = |k: &str, v: JsValue| Reflect::set(&out, &k.into(), &v).map(|_| ());
        set("step", (readout.step as f64).into())?;
        set("dLoss", readout.d_loss.map_or(JsValue::NULL, |v| v.into()))?;
        set("gLoss", readout.g_loss.map_or(JsValue::NULL, |v| v.into()))?;
        let values = js_sys::Object::new();
        for (name, value) in &readout.values {
            Reflect::set(&values, &name.as_str().into(), &(*value).into())?;
        }
        set("values", values.into())?;
        set("finite", readout.is_finite().into())?;
        if let Some(histogram) = &readout.histogram {
            set("histogram", to_js(histogram)?)?;
        }
        if let Some(samples) = &readout.samples {
            set("samples", Float32Array::from(samples.as_slice()).into())?;
        }
        Ok(out.into())
    }
}
