//! A training run for the page ([`Session`]) and the classifier its scores use ([`Scorer`]).

use std::cell::RefCell;
use std::sync::Arc;

use js_sys::{Float32Array, Reflect};
use wasm_bindgen::prelude::*;

use super::{chosen_device, err, read_f32, to_js};
use crate::data::ImageDataset;
use crate::safetensors::Dtype;
use crate::trainer::settings::RunView;
use crate::trainer::{TrainConfig, Trainer};

thread_local! {
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
        let trainer = &mut self.trainer;
        crate::backend::on_pool(|| (0..steps).try_for_each(|_| trainer.train_step())).map_err(err)
    }

    /// The run as the page shows it: `{ config, settings, inUse, optimizer, training }`
    /// (`trainer::settings::RunView`).
    pub fn view(&self) -> Result<JsValue, JsValue> {
        to_js(&RunView::of(self.trainer.config()).map_err(err)?)
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
    /// the classifier `scorer`: `{ n, fid, kid, kidStd, classes, confident }` (see `score`). On triangles
    /// also `triangles: { precision, recall, f1, threshold, medianResidual, n, m }` (see
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
    /// `{ surface, pull?, warped? }`. `surface`: the critic's opinion (higher: more real) at each of
    /// N points (2·N numbers, x then y; 1 ≤ N ≤ 65,536), a Float32Array [N]; `pull`: at each of
    /// the grid's samples, in their order, −∂L_G/∂x (`Trainer::generator_pull`), a Float32Array
    /// [S·2] (none for a model without a generator loss); `warped`: G at the latents `lattice`
    /// (as `generate` takes them), a Float32Array [M·2].
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
        let mut names = vec!["surface"];
        if self.trainer.training() == crate::gan::Training::Adversarial {
            let samples = self.trainer.grid();
            tx = tx.register(self.trainer.generator_pull(samples).map_err(err)?);
            names.push("pull");
        }
        if let Some(z) = lattice {
            tx = tx.register(self.trainer.generate_like_grid(self.latents(z, "plane's lattice")?));
            names.push("warped");
        }
        let data = tx.execute_async().await.map_err(|e| err(format!("reading the plane failed: {e:?}")))?;
        let out = js_sys::Object::new();
        for (name, d) in names.into_iter().zip(data) {
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
        let trainer = &mut self.trainer;
        crate::backend::on_pool(|| trainer.discriminator_step()).map_err(err)
    }

    #[wasm_bindgen(js_name = stepGenerator)]
    pub fn step_generator(&mut self) -> Result<(), JsValue> {
        let trainer = &mut self.trainer;
        crate::backend::on_pool(|| trainer.generator_step()).map_err(err)
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
        if let Some(coverage) = &readout.coverage {
            set("coverage", to_js(coverage)?)?;
        }
        Ok(out.into())
    }
}
