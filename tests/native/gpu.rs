//! burn's wgpu backend natively (what `gan --backend gpu|auto` uses), here on whatever Vulkan
//! adapter the machine has — in CI Mesa's lavapipe, a software one (`.ci/run` installs it).

use crate::common;

use std::sync::Arc;

use burn::tensor::{Device, read_sync};
use gan_playground::backend;
use gan_playground::trainer::Trainer;

/// wgpu's runtime can be registered once per process: the tests share the device.
fn gpu() -> Device {
    static GPU: std::sync::OnceLock<Device> = std::sync::OnceLock::new();
    GPU.get_or_init(|| {
        let (device, info) = backend::native("gpu")
            .unwrap_or_else(|e| panic!("no wgpu adapter ({e}); install a Vulkan driver (Debian: mesa-vulkan-drivers)"));
        println!("{}", info.name);
        device
    })
    .clone()
}

#[test]
fn native_wgpu_gives_the_cpu_backends_losses() {
    let gpu = gpu();
    // Two steps: the second step's losses come from weights that the first step's update moved.
    for variant in gan_playground::gan::REGISTRY.iter().map(|r| r.id) {
        let losses = |device: &Device| {
            let mut config = common::small_config(8, 4);
            config.variant = variant.into();
            let mut trainer = Trainer::new(config, Arc::new(common::blobs(16, 3)), device).unwrap();
            trainer.train_step().unwrap();
            trainer.train_step().unwrap();
            // The losses, the variant's read-outs (gradient norms among them) and the grid's
            // samples, which go through BatchNorm's running statistics.
            let r = read_sync(trainer.readout(true)).unwrap();
            let mut out: Vec<f32> = [r.d_loss, r.g_loss].into_iter().flatten().collect();
            out.extend(r.values.iter().map(|(_, v)| *v));
            (out, r.samples.unwrap_or_default())
        };
        let ((on_gpu, gpu_samples), (on_cpu, cpu_samples)) = (losses(&gpu), losses(&Device::flex()));
        // BEGAN amplifies the last bits: its L1 loss takes the sign of residuals near zero, and
        // Adam's first steps move a weight by about ±lr whatever its gradient's size. Its second
        // step's losses therefore agree to 1e-3, its samples to 0.05.
        let agree = match variant {
            "began" => common::relative_error(&on_gpu, &on_cpu) <= 1e-3,
            _ => common::losses_agree(&on_gpu, &on_cpu),
        };
        assert!(agree, "{variant}: wgpu {on_gpu:?} vs CPU {on_cpu:?}");
        let worst = gpu_samples.iter().zip(&cpu_samples).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        let bound = if variant == "began" { 0.05 } else { 1e-4 };
        assert!(
            gpu_samples.len() == cpu_samples.len() && worst < bound,
            "{variant}: the grid's samples differ by {worst}"
        );
        println!("{variant:>8}: the grid's samples within {worst:.1e} of the CPU's");
    }
    // "auto" takes a hardware GPU only; a software adapter loses to the CPU backend, with the reason.
    let (_, auto) = backend::native("auto").unwrap();
    assert!(auto.kind == "gpu" || auto.fallback_reason.is_some(), "{auto:?}");
    assert!(backend::native("tpu").unwrap_err().contains("auto, gpu or cpu"));
}

/// The convolutions' GPU kernels (im2col, col2im, matmul) against the CPU backend's products.
#[test]
fn the_convolutions_gpu_kernels_give_the_cpu_backends_values() {
    let (worst, case) = read_sync(common::conv_products_errors(&gpu())).unwrap();
    println!("worst relative error {worst:.1e} ({case})");
    assert!(worst <= 1e-5, "{case}: relative error {worst}");
}

/// Every variant's losses and gradients as PyTorch computes them, on native wgpu with burn's
/// kernel fusion (the browser test does the same on WebGPU).
#[test]
fn every_variant_matches_pytorch_on_native_wgpu() {
    let gpu = gpu();
    for (variant, bytes) in common::GRAD_FIXTURES {
        let (worst, name) = read_sync(common::check_grad_fixture(variant, bytes, &gpu, 1e-4)).unwrap();
        println!("{variant:>8}: worst relative error {worst:.2e} ({name})");
    }
}

/// burn 0.22.1's fusion, minimal case: an element-wise chain whose first input is a dense view
/// with a size-1 axis of stride 1 (a one-channel NCHW view of NHWC data, as burn's convolutions
/// return) reads its other inputs out of place. `model::plain_strides` keeps such views out of
/// every chain; this test says when a burn update makes that fence unneeded (it then fails).
#[test]
fn fusion_misreads_a_chain_that_starts_from_a_one_channel_nhwc_view() {
    use burn::tensor::{Tensor, TensorData};
    let gpu = gpu();
    let run = |device: &Device, flat_first: bool| {
        let values = |n: usize| (0..n).map(|i| (i * 37 % 100) as f32 / 50.0 - 1.0).collect::<Vec<f32>>();
        let nhwc = Tensor::<4>::from_data(TensorData::new(values(3136), [4, 28, 28, 1]), device);
        let mut view = nhwc.permute([0, 3, 1, 2]);
        if flat_first {
            view = view.reshape([4, 784]).reshape([4, 1, 28, 28]);
        }
        let other =
            Tensor::<4>::from_data(TensorData::new(values(3136).into_iter().rev().collect(), [4, 1, 28, 28]), device);
        let out = (view - other).abs();
        gan_playground::tensor::to_f32(read_sync(out.into_data_async()).unwrap()).unwrap()
    };
    let expected = run(&Device::flex(), false);
    assert_eq!(run(&gpu, true), expected, "through a flat axis, the chain reads what the CPU reads");
    let fused = run(&gpu, false);
    let misread = fused.iter().zip(&expected).filter(|(a, b)| a != b).count();
    assert!(misread > 0, "burn's fusion now reads a one-channel NHWC view right: model::plain_strides can go");
}

/// On a GPU every convolution weight is stored channels-last (`model::layout`). A run file written
/// on the CPU backend loads into it and saves back bit for bit (weights in PyTorch's order, the
/// optimisers' moments too), and both go on to the same losses.
#[test]
fn a_run_moves_between_the_cpu_and_channels_last_weights_on_the_gpu() {
    let gpu = gpu();
    for variant in ["ns-gan", "wgan-gp", "began"] {
        let mut config = common::small_config(8, 4);
        config.variant = variant.into();
        let data = Arc::new(common::blobs(16, 3));
        let mut on_cpu = Trainer::new(config, data.clone(), &Device::flex()).unwrap();
        on_cpu.train_step().unwrap();
        let saved = read_sync(on_cpu.save_run(None)).unwrap();
        let (mut on_gpu, _) = Trainer::resume(&saved, data, &gpu).unwrap();
        assert!(read_sync(on_gpu.save_run(None)).unwrap() == saved, "{variant}: the GPU's copy of the run differs");
        let losses = |trainer: &mut Trainer| {
            trainer.train_step().unwrap();
            let r = read_sync(trainer.readout(false)).unwrap();
            [r.d_loss, r.g_loss].into_iter().flatten().collect::<Vec<f32>>()
        };
        let (a, b) = (losses(&mut on_gpu), losses(&mut on_cpu));
        assert!(common::losses_agree(&a, &b), "{variant}: wgpu {a:?} vs CPU {b:?}");
    }
}
