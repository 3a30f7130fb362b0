//! burn's wgpu backend natively (what `gan --backend gpu|auto` uses), here on whatever Vulkan
//! adapter the machine has — in CI Mesa's lavapipe, a software one (`.ci/run` installs it).
#![cfg(not(target_family = "wasm"))]

mod common;

use std::sync::Arc;

use burn::tensor::{Device, read_sync};
use gan_playground::backend;
use gan_playground::trainer::Trainer;

#[test]
fn native_wgpu_gives_the_cpu_backends_losses() {
    let (gpu, info) = backend::native("gpu")
        .unwrap_or_else(|e| panic!("no wgpu adapter ({e}); install a Vulkan driver (Debian: mesa-vulkan-drivers)"));
    println!("{}", info.name);
    for variant in ["ns-gan", "wgan-gp"] {
        let losses = |device: &Device| {
            let mut config = common::small_config(8, 4);
            config.variant = variant.into();
            let mut trainer = Trainer::new(config, Arc::new(common::blobs(16, 3)), device).unwrap();
            trainer.train_step().unwrap();
            let r = read_sync(trainer.readout(false)).unwrap();
            vec![r.d_loss.unwrap(), r.g_loss.unwrap()]
        };
        let (on_gpu, on_cpu) = (losses(&gpu), losses(&Device::flex()));
        let error = common::relative_error(&on_gpu, &on_cpu);
        assert!(error <= 1e-4, "{variant}: wgpu {on_gpu:?} vs CPU {on_cpu:?}");
    }
    // "auto" takes a hardware GPU only; a software adapter loses to the CPU backend, with the reason.
    let (_, auto) = backend::native("auto").unwrap();
    assert!(auto.kind == "gpu" || auto.fallback_reason.is_some(), "{auto:?}");
    assert!(backend::native("tpu").unwrap_err().contains("auto, gpu or cpu"));
}
