//! Parity with PyTorch: every variant's losses, read-outs, G(z) and the gradients with respect to
//! every weight of both networks, on fixed weights, data and noise (fixtures made once by
//! `scripts/torch_reference.py`, in float64). WGAN-GP's and DRAGAN's rows check the penalty's
//! weight gradient against PyTorch's double backward, through the LayerNorm critic.

use crate::common;

use burn::tensor::{Device, read_sync};

/// Every registered variant, found from the core's registry: a new one without its PyTorch fixture
/// (scripts/torch_reference.py fixtures) fails here.
#[test]
fn every_variant_matches_pytorch_on_the_cpu() {
    let device = Device::flex();
    for variant in gan_playground::gan::REGISTRY.iter().map(|r| r.id) {
        let path = common::repo_file(&format!("tests/fixtures/grads/{variant}.safetensors"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{variant}: no fixture {} ({e})", path.display()));
        let (worst, name) = read_sync(common::check_grad_fixture(variant, &bytes, &device, 1e-4)).unwrap();
        println!("{variant:>8}: worst relative error {worst:.2e} ({name})");
    }
    // The browser test embeds the same fixtures (a wasm test reads no files): the same variants.
    let embedded: Vec<&str> = common::GRAD_FIXTURES.iter().map(|(id, _)| *id).collect();
    let registered: Vec<&str> = gan_playground::gan::REGISTRY.iter().map(|r| r.id).collect();
    assert_eq!(embedded, registered, "tests/common/mod.rs GRAD_FIXTURES lists the registry's variants");
}

/// `gan grads` on a fixture file writes, under each name, what PyTorch computed.
#[test]
fn gan_grads_writes_what_pytorch_computes() {
    use gan_playground::safetensors::SafeTensors;
    let dir = std::env::temp_dir().join(format!("gan-grads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for variant in ["wgan-gp", "began"] {
        let inputs = common::repo_file(&format!("tests/fixtures/grads/{variant}.safetensors"));
        let out = dir.join(format!("{variant}.safetensors"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_gan"))
            .args(["grads", "--variant", variant, "--inputs"])
            .arg(&inputs)
            .arg("--out")
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

/// PyTorch's dcgan28 G and D and pytorch/examples' dcgan64 G, saved with `save_file(state_dict)`,
/// load with no conversion and give PyTorch's eval-mode outputs.
#[test]
fn pytorch_state_dicts_load_as_is_and_match_on_the_cpu() {
    let [g28, d28, g64] = read_sync(common::forward_errors(&Device::flex())).unwrap();
    println!("dcgan28 G(z) {g28:.2e}, D(G(z)) {d28:.2e}; dcgan64 G(z) {g64:.2e}");
    for (name, error) in [("dcgan28 G(z)", g28), ("dcgan28 D(G(z))", d28), ("dcgan64 G(z)", g64)] {
        assert!(error <= 1e-4, "{name}: relative error {error}");
    }
}

/// `gan sample` on a PyTorch dcgan64 state dict with a given z writes PyTorch's G(z).
#[test]
fn gan_sample_writes_pytorchs_samples() {
    use gan_playground::safetensors::SafeTensors;
    let dir = common::repo_file("tests/fixtures/forward");
    let out = std::env::temp_dir().join(format!("gan-sample-{}.safetensors", std::process::id()));
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_gan"))
        .arg("sample")
        .arg("--weights")
        .arg(dir.join("dcgan64-generator.safetensors"))
        .arg("--z")
        .arg(dir.join("dcgan64-io.safetensors"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "gan sample failed: {}", String::from_utf8_lossy(&run.stderr));
    let ours = std::fs::read(&out).unwrap();
    let ours = SafeTensors::parse(&ours).unwrap();
    let reference = SafeTensors::parse(common::forward_fixtures::DCGAN64_IO).unwrap();
    let got = ours.f32_tensor("samples", &[3, 3, 64, 64]).unwrap();
    let error = common::relative_error(&got, &reference.f32_tensor("samples", &[3, 3, 64, 64]).unwrap());
    assert!(error <= 1e-4, "relative error {error}");
    let png = std::env::temp_dir().join(format!("gan-sample-{}.png", std::process::id()));
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_gan"))
        .args(["sample", "--weights"])
        .arg(dir.join("dcgan28-generator.safetensors"))
        .args(["--n", "4", "--out"])
        .arg(&png)
        .output()
        .unwrap();
    assert!(run.status.success(), "gan sample failed: {}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
}
