//! Parity with PyTorch: every variant's losses, read-outs, G(z) and the gradients with respect to
//! every weight of both networks, on fixed weights, data and noise (fixtures made once by
//! `scripts/torch_reference.py`, in float64). WGAN-GP's and DRAGAN's rows check the penalty's
//! weight gradient against PyTorch's double backward, through the LayerNorm critic.

mod common;

use burn::tensor::{Device, read_sync};

#[test]
fn every_variant_matches_pytorch_on_the_cpu() {
    let device = Device::flex();
    for (variant, bytes) in common::GRAD_FIXTURES {
        let (worst, name) = read_sync(common::check_grad_fixture(variant, bytes, &device, 1e-4)).unwrap();
        println!("{variant:>8}: worst relative error {worst:.2e} ({name})");
    }
}

/// `gan grads` on a fixture file writes, under each name, what PyTorch computed.
#[test]
fn gan_grads_writes_what_pytorch_computes() {
    use gan_playground::safetensors::SafeTensors;
    let dir = std::env::temp_dir().join(format!("gan-grads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for variant in ["wgan-gp", "began"] {
        let inputs = format!("{}/tests/fixtures/grads/{variant}.safetensors", env!("CARGO_MANIFEST_DIR"));
        let out = dir.join(format!("{variant}.safetensors"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_gan"))
            .args(["grads", "--variant", variant, "--inputs", &inputs, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(status.status.success(), "gan grads failed: {}", String::from_utf8_lossy(&status.stderr));
        let (ours, fixture) = (std::fs::read(&out).unwrap(), std::fs::read(&inputs).unwrap());
        let (ours, fixture) = (SafeTensors::parse(&ours).unwrap(), SafeTensors::parse(&fixture).unwrap());
        assert_eq!(ours.metadata.get("variant").map(String::as_str), Some(variant));
        let expected: Vec<_> = fixture.tensors.iter().filter(|t| t.name.starts_with("expected.")).collect();
        assert_eq!(ours.tensors.len(), expected.len());
        for t in expected {
            let name = &t.name["expected.".len()..];
            let got = ours.f32_tensor(name, &t.shape).unwrap();
            let error = common::relative_error(&got, &fixture.f32_values(t).unwrap());
            assert!(error <= 1e-4, "{variant} {name}: relative error {error}");
        }
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_gan"))
        .args(["grads", "--variant", "wgan", "--inputs", "Cargo.toml", "--out", "/dev/null"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success() && stderr.contains("Cargo.toml: "), "a clear error expected, got {stderr}");
}
