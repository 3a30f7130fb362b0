//! `gan` as a user types it: bad options refused with the usage before anything runs, the loss
//! log written as training goes, and checkpoints that a crash or a diverged run cannot destroy.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gan_playground::safetensors::SafeTensors;

const SMALL: &[&str] = &["--backend", "cpu", "--batch", "4", "--g-width", "8", "--d-width", "8"];

fn gan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gan")).args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gan-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mnist() -> String {
    common::repo_file("www/data/mnist.bin").to_string_lossy().into_owned()
}

/// `gan train` of a small network into `out`, with extra options.
fn train(out: &Path, extra: &[&str]) -> Output {
    let (data, out) = (mnist(), out.to_string_lossy().into_owned());
    let mut args = vec!["train", "--data", &data, "--out", &out];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(extra);
    gan(&args)
}

#[test]
fn unknown_options_and_bad_values_are_refused_with_the_usage() {
    for (args, says) in [
        (&["train", "--stpes", "10"][..], "--stpes"),
        (&["train", "--grid-every", "0"], "--grid-every"),
        (&["train", "--steps", "0"], "--steps"),
        (&["train", "--batch", "abc"], "abc"),
        (&["train", "--variant", "nope"], "ns-gan"),
        (&["train", "--dataset", "cifar"], "triangles"),
        (&["train", "--knobs", "gamma"], "name=value"),
        (&["bench", "--backend", "tpu"], "tpu"),
        (&["sample"], "--weights"),
        (&["convert", "--in", "a", "--out", "b", "--dtype", "f8"], "f8"),
        (&["frobnicate"], "frobnicate"),
        (&["train", "stray"], "stray"),
    ] {
        let out = gan(args);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?} must be refused as a usage error: {text}");
        assert!(text.contains(says), "{args:?}: the refusal names {says:?}: {text}");
        assert!(text.contains("Usage:"), "{args:?}: the refusal shows the usage: {text}");
        assert!(!text.contains("panicked"), "{args:?}: {text}");
    }
    // A value out of the core's range for a setting is refused with the range, and nothing is written.
    let dir = scratch("ranges");
    let run = dir.join("run").to_string_lossy().into_owned();
    let out = gan(&["train", "--backend", "cpu", "--data", &mnist(), "--g-width", "0", "--out", &run]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("must be a whole number from 1 to 1024"), "{}", stderr(&out));
    // The schema lists every setting with its range, as the page reads it.
    let out = gan(&["schema", "--json"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let batch = schema["settings"].as_array().unwrap().iter().find(|s| s["name"] == "batch").unwrap();
    assert_eq!(
        (batch["min"].as_f64(), batch["max"].as_f64(), batch["default"].as_f64()),
        (Some(1.0), Some(1024.0), Some(64.0))
    );
    assert!(!dir.join("run").exists());
    assert!(gan(&["train", "--help"]).status.success());
}

#[test]
fn training_writes_its_log_as_it_goes_and_checkpoints_whole() {
    let dir = scratch("train");
    let out = train(&dir, &["--steps", "20", "--grid-every", "10", "--seed", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let log = std::fs::read_to_string(dir.join("losses.csv")).unwrap();
    let steps: Vec<&str> = log.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(steps, ["10", "20"]);
    let bytes = std::fs::read(dir.join("weights.safetensors")).unwrap();
    assert_eq!(SafeTensors::parse(&bytes).unwrap().metadata.get("steps").map(String::as_str), Some("20"));
    for name in ["grid_000000.png", "grid_000010.png", "grid_000020.png", "grid.png"] {
        assert!(dir.join(name).is_file(), "{name}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(leftovers.iter().all(|n| !n.to_string_lossy().contains("partial")), "{leftovers:?}");
}

#[test]
fn a_diverged_run_keeps_the_last_good_checkpoint_and_its_log() {
    let dir = scratch("diverge");
    assert!(train(&dir, &["--steps", "2"]).status.success());
    let good = std::fs::read(dir.join("weights.safetensors")).unwrap();
    let huge = dir.join("huge.safetensors");
    std::fs::write(&huge, common::scaled_critic(&good, 1e30)).unwrap();

    // A checkpoint is due after every step: the core refuses to save the diverged weights.
    let out = train(&dir, &["--steps", "5", "--grid-every", "1", "--weights", &huge.to_string_lossy()]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("non-finite"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert_eq!(std::fs::read(dir.join("weights.safetensors")).unwrap(), good, "the good checkpoint is kept");

    // No checkpoint due: the losses are found non-finite at the first read-back, which is logged.
    let out = train(&dir, &["--steps", "50", "--weights", &huge.to_string_lossy()]);
    assert!(stderr(&out).contains("non-finite at step 10"), "{}", stderr(&out));
    let log = std::fs::read_to_string(dir.join("losses.csv")).unwrap();
    assert!(log.lines().last().is_some_and(|l| l.starts_with("10,NaN")), "{log}");
    assert_eq!(std::fs::read(dir.join("weights.safetensors")).unwrap(), good);
}

/// `gan train --resume` of a run's state goes on as if the run had never stopped: its checkpoint
/// and its log are those of the run that trained through, to the last bit.
#[test]
fn a_resumed_run_equals_an_uninterrupted_one() {
    let (whole, parts) = (scratch("whole"), scratch("parts"));
    let options = ["--variant", "wgan-gp", "--grid-every", "10", "--seed", "9"];
    assert!(train(&whole, &[&options[..], &["--steps", "30"]].concat()).status.success());
    assert!(train(&parts, &[&options[..], &["--steps", "20"]].concat()).status.success());
    let run = parts.join("run.safetensors").to_string_lossy().into_owned();
    let (data, out) = (mnist(), parts.to_string_lossy().into_owned());
    let resumed =
        gan(&["train", "--backend", "cpu", "--data", &data, "--resume", &run, "--steps", "30", "--out", &out]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    for file in ["weights.safetensors", "run.safetensors", "grid.png"] {
        assert!(std::fs::read(whole.join(file)).unwrap() == std::fs::read(parts.join(file)).unwrap(), "{file} differs");
    }
    // The logs agree but for the wall-clock column.
    let losses = |dir: &Path| -> Vec<String> {
        let log = std::fs::read_to_string(dir.join("losses.csv")).unwrap();
        log.lines().map(|l| l.rsplit_once(',').unwrap().0.to_string()).collect()
    };
    assert_eq!(losses(&whole), losses(&parts));
    assert_eq!(losses(&whole).len(), 4);
    // Already there: nothing to train, and it says so.
    let again = gan(&["train", "--backend", "cpu", "--data", &data, "--resume", &run, "--steps", "20", "--out", &out]);
    assert!(!again.status.success() && stderr(&again).contains("at step 30 already"), "{}", stderr(&again));
}

/// Every setting of the core's table is an option of `gan train` (named as in links, `_` as `-`),
/// and reaches the run: the checkpoint's config gives it back.
#[test]
fn every_setting_is_an_option_that_reaches_the_run() {
    use gan_playground::trainer::TrainConfig;
    use gan_playground::trainer::settings::{SETTINGS, settings_of};
    let out = scratch("settings");
    for setting in SETTINGS {
        let value = common::probe_value(setting).to_string();
        let option = format!("--{}", setting.name.replace('_', "-"));
        let (data, dir) = (mnist(), out.to_string_lossy().into_owned());
        let mut args = vec!["train", "--data", &data, "--out", &dir, "--steps", "1", &option, &value];
        // The small run's sizes, but for the one under test.
        for pair in SMALL.chunks(2).filter(|pair| pair[0] != option) {
            args.extend_from_slice(pair);
        }
        let run = gan(&args);
        assert!(run.status.success(), "{option} {value}: {}", stderr(&run));
        let bytes = std::fs::read(out.join("run.safetensors")).unwrap();
        let file = SafeTensors::parse(&bytes).unwrap();
        let config: TrainConfig = serde_json::from_str(&file.metadata["config"]).unwrap();
        assert_eq!(settings_of(&config).value(setting.name), Some(value.parse().unwrap()), "{option}");
        std::fs::remove_dir_all(&out).unwrap();
    }
}
