//! The JavaScript interface: a thin layer over the core. Errors cross as exceptions carrying a
//! message; no input from JavaScript may panic the module. This file: the device, the schema, the
//! limits and the study's figures; [`files`]: weights files (what they hold, what loading one means, sampling from a
//! generator); [`session`]: a training run and the scores; [`pool`]: the threaded module's workers.

mod files;
#[cfg(feature = "threads")]
mod pool;
mod session;

use std::cell::RefCell;

use burn::tensor::Device;
use js_sys::Float32Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::backend::{self, BackendInfo};
use crate::safetensors;
use crate::trainer::settings::RunSettings;

thread_local! {
    /// The device chosen by `initBackend`; burn allows one WebGPU initialisation per worker.
    static BACKEND: RefCell<Option<(Device, BackendInfo)>> = const { RefCell::new(None) };
}

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

/// Chooses the convolutions' kernels on a GPU from now on: "products" (im2col, col2im and tiled
/// matmuls, what every run uses) or "burn" (burn's direct kernels). The bench compares the two.
#[wasm_bindgen(js_name = setGpuConvolutions)]
pub fn set_gpu_convolutions(kernels: &str) -> Result<(), JsValue> {
    if !["products", "burn"].contains(&kernels) {
        return Err(err(format!("unknown convolution kernels \"{kernels}\" (use \"products\" or \"burn\")")));
    }
    crate::model::conv::set_gpu_products(kernels == "products");
    Ok(())
}

/// The floating-point operations of the convolutions' products run so far in this module (the
/// bench's arithmetic rate).
#[wasm_bindgen(js_name = convolutionFlops)]
pub fn convolution_flops() -> f64 {
    crate::model::conv::flops() as f64
}

/// The numbers of the study's figures (`crate::study::summarise`: budget curves, box plots over
/// seeds, precision against recall) from the text of a search's results file and of a seeds
/// phase's, one JSON object per line (either may be empty; lines that are not results are skipped).
#[wasm_bindgen(js_name = studySummary)]
pub fn study_summary(search: &str, seeds: &str) -> Result<JsValue, JsValue> {
    use crate::study::{read_results, summarise};
    to_js(&summarise(&read_results(search), &read_results(seeds)))
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
/// The config of a run's settings (`{ variant, dataset, lr, batch, …, knobs }`, as the page's
/// form and links give them), or why the core refuses them.
#[wasm_bindgen(js_name = configOf)]
pub fn config_of(settings: JsValue) -> Result<JsValue, JsValue> {
    let settings: RunSettings =
        serde_wasm_bindgen::from_value(settings).map_err(|e| err(format!("the settings are not valid: {e}")))?;
    to_js(&crate::trainer::settings::config_of(&settings).map_err(err)?)
}

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
