//! Choosing the device at run time: WebGPU where the browser (or machine) has an adapter,
//! burn's pure-Rust CPU backend (`flex`) otherwise.

use burn::tensor::Device;
use serde::Serialize;

/// Which backend a session runs on, in words the page can show.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendInfo {
    /// "webgpu" or "cpu".
    pub kind: &'static str,
    /// The adapter's description (WebGPU) or the CPU backend's name.
    pub name: String,
    /// Why WebGPU is not in use, when the CPU was chosen as a fallback.
    pub fallback_reason: Option<String>,
}

/// Runs the module's static constructors, once.
///
/// cubecl's IR registers its dialects through `inventory`, whose registrations are constructors.
/// A wasm module whose code never calls `__wasm_call_ctors` gets "command" linkage: the linker
/// wraps every export, wasm-bindgen's glue exports included, in a call to all constructors. The
/// glue calls such exports several times per dispatch (closures, promise callbacks, the results
/// of fallible WebGPU calls), so every dispatch ran all of cubecl's registrations again, and that
/// was most of a WebGPU step's time. Calling them here gives the module "reactor" linkage:
/// constructors run once, and exports are plain calls. The page's module reaches this from its
/// start function; the device initialisers call it too, for builds whose start function does not
/// run first (the browser tests' harness).
pub fn run_static_constructors() {
    #[cfg(target_family = "wasm")]
    {
        unsafe extern "C" {
            fn __wasm_call_ctors();
        }
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: the linker's constructor list, run exactly once per instance (the `Once`), before
        // any code that reads what the constructors register (every device goes through here).
        ONCE.call_once(|| unsafe { __wasm_call_ctors() });
    }
}

/// Kernel fusion's search, set before the first GPU tensor (a no-op if burn's settings were
/// already read). burn 0.22.1 builds up to five blocks of fusable operations side by side; when
/// those blocks end up depending on each other it runs the whole segment unfused. In a GAN step
/// that happens around every loss (a D or G step's last layers, the loss and the start of the
/// backward: 56 to 77 operations each). With one block, fusion follows the stream in order and
/// never has to give up: NS-GAN's dispatches per iteration fall by 30 %, WGAN-GP's by 9 %.
#[cfg(any(not(target_family = "wasm"), feature = "webgpu"))]
fn set_fusion_search() {
    use burn_std::config::RuntimeConfig;
    let settings = serde_json::json!({ "fusion": { "beam_search": { "max_blocks": 1 } } });
    let Ok(config) = serde_json::from_value::<burn::BurnConfig>(settings) else { return };
    // Natively, burn's environment variables (its fusion log, for one) still apply.
    #[cfg(not(target_family = "wasm"))]
    let config = config.override_from_env();
    burn::BurnConfig::try_set(config);
}

/// Whether `device` is burn's CPU backend, with autodiff or without (devices compare by the
/// hardware they run on).
pub fn is_cpu(device: &Device) -> bool {
    *device == Device::flex()
}

/// burn's CPU backend.
pub fn cpu(fallback_reason: Option<String>) -> (Device, BackendInfo) {
    run_static_constructors();
    // Natively, and in the threaded CPU module, flex splits its large kernels over rayon's pool
    // (see `on_cpu_threads`); the browser's other modules have one thread.
    #[cfg(not(any(not(target_family = "wasm"), feature = "threads")))]
    let name = "CPU (burn flex, 1 thread)".to_string();
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    let name = match rayon::current_num_threads() {
        1 => "CPU (burn flex, 1 thread)".to_string(),
        n => format!("CPU (burn flex, {n} threads)"),
    };
    (Device::flex(), BackendInfo { kind: "cpu", name, fallback_reason })
}

/// Runs `work` on a worker of a rayon pool, natively: flex's parallel kernels then fork from that
/// worker instead of handing each operation over from a thread outside the pool and waiting for
/// it, which cost more than the work on small tensors. `small` work (a run on 2-D points, whose
/// kernels are microseconds long) gets a pool of one thread; other work every core. Results do
/// not depend on the thread count: each output element is summed by one thread in one order.
#[cfg(not(target_family = "wasm"))]
pub fn on_cpu_threads<R: Send>(small: bool, work: impl FnOnce() -> R + Send) -> R {
    use std::sync::OnceLock;
    static POOLS: [OnceLock<rayon::ThreadPool>; 2] = [OnceLock::new(), OnceLock::new()];
    let pool = POOLS[usize::from(small)].get_or_init(|| {
        // Deep autodiff graphs recurse: the workers get the main thread's stack size and more.
        let builder = rayon::ThreadPoolBuilder::new().stack_size(64 << 20);
        let builder = if small { builder.num_threads(1) } else { builder };
        builder.build().expect("a thread pool")
    });
    pool.install(work)
}

/// In the threaded CPU module, runs `work` on a worker of rayon's pool, as `on_cpu_threads` does
/// natively: the caller (the page's training worker) sleeps until it is done, instead of running
/// the serial parts of a step while the pool's idle workers spin for the other core.
#[cfg(all(target_family = "wasm", feature = "threads"))]
pub fn on_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    // From outside the pool, `scope` hands its whole body to a worker and waits for it.
    rayon::scope(|_| work())
}

/// Runs `work` here: the other modules have no pool.
#[cfg(all(target_family = "wasm", not(feature = "threads")))]
pub fn on_pool<R>(work: impl FnOnce() -> R) -> R {
    work()
}

/// Initialises WebGPU through the browser's `navigator.gpu`. Must run before any tensor is
/// created on the device, and at most once per page or worker (burn keeps the runtime).
#[cfg(all(target_family = "wasm", feature = "webgpu"))]
pub async fn webgpu() -> Result<(Device, BackendInfo), String> {
    use burn::tensor::wgpu::WgpuBackend;
    run_static_constructors();
    set_fusion_search();
    let (device, setup) = Device::wgpu_options()
        .graphics_api(WgpuBackend::WebGpu)
        .init_with_setup_async()
        .await
        .map_err(|e| format!("WebGPU initialisation failed: {e}"))?;
    // In the browser wgpu sees little of the adapter (the page asks WebGPU itself for details).
    let info = setup.adapter.get_info();
    // The browser's fallback adapter (Chrome's SwiftShader) is a CPU emulating a GPU, whose every
    // workgroup barrier in a tiled matmul is a switch between fibres: there the convolutions'
    // products take three times burn's direct kernels (docs/benchmarks.md). Every other adapter,
    // a reader's GPU, gets the products.
    crate::model::conv::set_gpu_products(info.device_type != burn::tensor::wgpu::wgpu::DeviceType::Cpu);
    let parts: Vec<String> = [info.name, info.driver, info.driver_info].into_iter().filter(|s| !s.is_empty()).collect();
    let name = if parts.is_empty() { "WebGPU".to_string() } else { format!("WebGPU ({})", parts.join(", ")) };
    Ok((device, BackendInfo { kind: "webgpu", name, fallback_reason: None }))
}

/// The CPU-only module has no WebGPU backend.
#[cfg(all(target_family = "wasm", not(feature = "webgpu")))]
pub async fn webgpu() -> Result<(Device, BackendInfo), String> {
    Err("this module is the CPU-only one (built without WebGPU)".into())
}

/// burn's wgpu backend natively (Vulkan, Metal or DX12), on the adapter wgpu picks.
#[cfg(not(target_family = "wasm"))]
pub fn native_gpu() -> Result<(Device, BackendInfo, bool), String> {
    set_fusion_search();
    let (device, setup) =
        Device::wgpu_options().init_with_setup().map_err(|e| format!("no GPU adapter could be opened: {e}"))?;
    let info = setup.adapter.get_info();
    // A software rasteriser (lavapipe, llvmpipe, SwiftShader) is a CPU behind a GPU API.
    let software = info.device_type == burn::tensor::wgpu::wgpu::DeviceType::Cpu;
    let name = format!("GPU: {} ({:?}{})", info.name, info.backend, if software { ", software" } else { "" });
    Ok((device, BackendInfo { kind: "gpu", name, fallback_reason: None }, software))
}

/// The adapter a wgpu device would open here (the high-performance one of Vulkan, Metal or DX12),
/// found without opening a device: a device opened on lavapipe only to be left for the CPU
/// backend kept its runtime running beside the training, 10–15 % of each iteration.
#[cfg(not(target_family = "wasm"))]
fn adapter_here() -> Option<burn::tensor::wgpu::wgpu::AdapterInfo> {
    use burn::tensor::wgpu::wgpu;
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends: wgpu::Backends::PRIMARY,
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    });
    let options =
        wgpu::RequestAdapterOptions { power_preference: wgpu::PowerPreference::HighPerformance, ..Default::default() };
    futures_lite::future::block_on(instance.request_adapter(&options)).ok().map(|adapter| adapter.get_info())
}

/// The native tools' device: "gpu" (any wgpu adapter, software ones included), "cpu", or
/// "auto": a hardware GPU where the machine has one, else the CPU backend with the reason.
#[cfg(not(target_family = "wasm"))]
pub fn native(preference: &str) -> Result<(Device, BackendInfo), String> {
    match preference {
        "cpu" => Ok(cpu(None)),
        "gpu" => native_gpu().map(|(device, info, _)| (device, info)),
        "auto" => match adapter_here() {
            Some(info) if info.device_type != burn::tensor::wgpu::wgpu::DeviceType::Cpu => match native_gpu() {
                Ok((device, info, _)) => Ok((device, info)),
                Err(reason) => Ok(cpu(Some(reason))),
            },
            // burn's own CPU backend is faster than a GPU emulated on the same cores.
            Some(info) => Ok(cpu(Some(format!("the only GPU adapter is a software one ({})", info.name)))),
            None => Ok(cpu(Some("no GPU adapter was found".into()))),
        },
        other => Err(format!("--backend must be auto, gpu or cpu, got {other:?}")),
    }
}
