//! Browser tests: run by `wasm-pack test --headless --chrome` in Chromium with real WebGPU
//! (SwiftShader here, so the shapes are small).
#![cfg(target_family = "wasm")]

mod common;

use std::cell::RefCell;
use std::sync::Arc;

use burn::module::Module;
use burn::tensor::{Device, Transaction};
use gan_playground::backend;
use gan_playground::gan;
use gan_playground::model::{Sequential, dcgan28};
use gan_playground::rng::Rng;
use gan_playground::tensor::{latent, to_f32};
use gan_playground::trainer::Trainer;
use wasm_bindgen_test::*;

// In a dedicated worker, like the page's core: long synchronous steps (kernel compilation, CPU
// reference steps) then never stall the page that the test runner polls through the driver.
wasm_bindgen_test_configure!(run_in_dedicated_worker);

thread_local! {
    static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// WebGPU can be initialised once per page; the tests share the device.
async fn webgpu() -> Device {
    if let Some(device) = WEBGPU.with_borrow(|d| d.clone()) {
        return device;
    }
    let (device, info) =
        backend::webgpu().await.expect("WebGPU must initialise (Chromium with --enable-unsafe-webgpu)");
    // Here WebGPU is SwiftShader, for which the backend chooses burn's convolution kernels: the
    // tests check the products, which every real GPU runs.
    gan_playground::model::conv::set_gpu_products(true);
    web_sys::console::log_1(&info.name.as_str().into());
    WEBGPU.with_borrow_mut(|d| *d = Some(device.clone()));
    device
}

/// G(z) and D(G(z)) of seeded weights (eval mode), read back asynchronously.
async fn forward(device: &Device) -> (Vec<f32>, Vec<f32>) {
    let spec = common::small_config(16, 4).model;
    let mut rng = Rng::new(11);
    let g = Sequential::init(&dcgan28::generator(&spec), &mut rng, device).valid();
    let d = Sequential::init(&dcgan28::discriminator(&spec), &mut rng, device).valid();
    let images = g.forward(latent(&mut rng, 4, spec.nz, device));
    let logits = d.forward(images.clone());
    let mut out = Transaction::default().register(images).register(logits).execute_async().await.unwrap().into_iter();
    (to_f32(out.next().unwrap()).unwrap(), to_f32(out.next().unwrap()).unwrap())
}

#[wasm_bindgen_test]
async fn webgpu_forward_matches_the_cpu_backend() {
    let gpu = webgpu().await;
    let (g_gpu, d_gpu) = forward(&gpu).await;
    let (g_cpu, d_cpu) = forward(&Device::flex()).await;
    let (eg, ed) = (common::relative_error(&g_gpu, &g_cpu), common::relative_error(&d_gpu, &d_cpu));
    assert!(eg <= 1e-4, "G(z) differs between WebGPU and CPU: relative error {eg}");
    assert!(ed <= 1e-4, "D(G(z)) differs between WebGPU and CPU: relative error {ed}");
}

/// The convolutions' kernels on WebGPU (im2col, col2im, matmul) against the CPU backend's.
#[wasm_bindgen_test]
async fn the_convolutions_webgpu_kernels_give_the_cpu_backends_values() {
    let (worst, case) = common::conv_products_errors(&webgpu().await).await.unwrap();
    web_sys::console::log_1(&format!("worst relative error {worst:.1e} ({case})").into());
    assert!(worst <= 1e-5, "{case}: relative error {worst}");
}

#[wasm_bindgen_test]
async fn webgpu_training_steps_give_finite_losses_and_samples_in_range() {
    let gpu = webgpu().await;
    let mut trainer = Trainer::new(common::small_config(8, 4), Arc::new(common::blobs(64, 2)), &gpu).unwrap();
    for _ in 0..3 {
        trainer.train_step().unwrap();
    }
    let r = trainer.readout(true).await.unwrap();
    assert_eq!(r.step, 3);
    assert!(r.is_finite(), "losses must be finite: {r:?}");
    let samples = r.samples.unwrap();
    assert_eq!(samples.len(), 16 * 784);
    assert!(samples.iter().all(|v| (-1.0..=1.0).contains(v)), "G's output must lie in [-1, 1]");
}

#[wasm_bindgen_test]
async fn every_variant_gives_the_same_losses_on_webgpu_and_cpu() {
    let gpu = webgpu().await;
    // (losses and read-outs, gradient norms)
    let losses = async |device: &Device, variant: &str| {
        let mut config = common::small_config(8, 4);
        config.variant = variant.to_string();
        let mut trainer = Trainer::new(config, Arc::new(common::blobs(64, 3)), device).unwrap();
        trainer.train_step().unwrap();
        let r = trainer.readout(false).await.unwrap();
        let mut values: Vec<f32> = [r.d_loss, r.g_loss].into_iter().flatten().collect();
        let mut norms = Vec::new();
        for (name, v) in &r.values {
            let norm = [gan::GENERATOR_GRADIENT_NORM, gan::CRITIC_GRADIENT_NORM].contains(&name.as_str());
            if norm { norms.push(*v) } else { values.push(*v) }
        }
        (values, norms)
    };
    for id in gan::REGISTRY.iter().map(|r| r.id) {
        let ((on_gpu, norms_gpu), (on_cpu, norms_cpu)) = (losses(&gpu, id).await, losses(&Device::flex(), id).await);
        assert!(common::losses_agree(&on_gpu, &on_cpu), "{id}: losses differ: WebGPU {on_gpu:?}, CPU {on_cpu:?}");
        // A gradient norm sums the squares of gradients that are themselves such differences
        // (the clipped critic's): 1e-3 relative.
        for (a, b) in norms_gpu.iter().zip(&norms_cpu) {
            assert!((a - b).abs() <= 1e-3 * b.abs(), "{id}: gradient norms differ: WebGPU {a}, CPU {b}");
        }
    }
}

#[wasm_bindgen_test]
async fn every_variant_matches_pytorch_on_webgpu() {
    let gpu = webgpu().await;
    for (variant, bytes) in common::GRAD_FIXTURES {
        let (worst, name) = common::check_grad_fixture(variant, bytes, &gpu, 1e-4).await.unwrap();
        web_sys::console::log_1(&format!("{variant}: worst relative error {worst:.2e} ({name})").into());
    }
}

#[wasm_bindgen_test]
async fn pytorch_state_dicts_match_on_webgpu() {
    let gpu = webgpu().await;
    let errors = common::forward_errors(&gpu).await.unwrap();
    assert!(errors.iter().all(|e| *e <= 1e-4), "dcgan28 G, D and dcgan64 G relative errors: {errors:?}");
}

/// How often this test module's own static constructor has run.
static CONSTRUCTOR_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

extern "C" fn count_constructor_run() {
    CONSTRUCTOR_RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

// A constructor like the ones cubecl's IR registers its dialects with (`inventory`).
#[used]
#[unsafe(link_section = ".init_array")]
static COUNT_CONSTRUCTOR_RUNS: extern "C" fn() = count_constructor_run;

/// With "command" linkage every call from JS into the module reruns all static constructors;
/// that cost a WebGPU step most of its time (see `backend::run_static_constructors`).
#[wasm_bindgen_test]
async fn calls_from_js_into_the_module_do_not_rerun_its_static_constructors() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    webgpu().await;
    let runs = CONSTRUCTOR_RUNS.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(runs, 1, "the static constructors ran {runs} times before the first call from JS");
    let callback = Closure::<dyn FnMut()>::new(|| {});
    let function: &js_sys::Function = callback.as_ref().unchecked_ref();
    for _ in 0..10 {
        function.call0(&JsValue::NULL).unwrap();
    }
    let runs = CONSTRUCTOR_RUNS.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(runs, 1, "ten calls from JS (a closure) reran the static constructors: {runs} runs");
}
