//! The core's other doors, fuzzed as the weights reader is: dataset files (GDS1) and run configs
//! (JSON, as a weights file's metadata or a page's message carries them) give errors, never a
//! panic, and what they accept trains. A weights file's header alone judges it as the whole file
//! does, and a run's checkpoint with hostile state or metadata is refused with the run kept.

use crate::common;

use std::sync::Arc;

use burn::tensor::{Device, read_sync};
use gan_playground::data::{ImageDataset, training_set};
use gan_playground::rng::Rng;
use gan_playground::safetensors::{Dtype, Header, SafeTensors, header_length, serialize};
use gan_playground::trainer::{TrainConfig, Trainer};

/// A mutation of `good`: truncated, bit flips, a header word replaced, or bytes appended.
fn mutate(good: &[u8], rng: &mut Rng, header: usize) -> Vec<u8> {
    let mut bytes = good.to_vec();
    let r = rng.next_u64();
    match r % 4 {
        0 => bytes.truncate(r as usize % bytes.len()),
        1 => {
            for _ in 0..1 + r % 4 {
                let at = rng.next_u64() as usize % bytes.len();
                bytes[at] ^= 1 << (rng.next_u64() % 8);
            }
        }
        2 => {
            let word = [0u32, 1, 2, 3, 27, 28, 29, 255, u32::MAX, 1 << 31, 1 << 16][(r >> 8) as usize % 11];
            let at = (r >> 16) as usize % header.min(bytes.len() / 4).max(1);
            bytes[4 * at..4 * at + 4].copy_from_slice(&word.to_le_bytes());
        }
        _ => bytes.extend(std::iter::repeat_n((r >> 8) as u8, (r >> 16) as usize % 100)),
    }
    bytes
}

#[test]
fn mutated_dataset_files_never_panic_and_what_loads_trains() {
    let good = common::blobs(6, 1).to_bytes();
    let device = Device::flex();
    let mut rng = Rng::new(7);
    let (mut refused, mut trained) = (0, 0);
    for _ in 0..20_000 {
        let bytes = mutate(&good, &mut rng, 5);
        let Ok(data) = training_set("images", Some(&bytes)) else {
            refused += 1;
            continue;
        };
        assert_eq!(ImageDataset::from_bytes(&data.to_bytes()).map(|d| d.to_bytes()), Ok(data.to_bytes()));
        // What a dataset file gets past the reader either trains or is refused by the trainer.
        if trained < 20 {
            let config = TrainConfig { batch_size: 4, ..common::small_config(4, 4) };
            if let Ok(mut t) = Trainer::new(config, Arc::new(data), &device) {
                t.train_step().unwrap();
                trained += 1;
            }
        }
    }
    assert!(refused > 5_000, "most mutations must be refused ({refused})");
    assert!(trained > 0, "some mutations (pixels, labels) still train");
}

#[test]
fn mutated_run_configs_never_panic_and_what_validates_builds() {
    let mut base = common::small_config(4, 4);
    base.knobs.insert("gamma".into(), 0.5);
    base.variant = "began".into();
    let good = serde_json::to_string(&base).unwrap();
    let tokens: &[&str] = &[
        "0",
        "-1",
        "1e309",
        "-0",
        "0.5",
        "18446744073709551616",
        "4294967296",
        "1024",
        "1025",
        "null",
        "true",
        "\"\"",
        "[]",
        "{}",
        "\"wgan\"",
        "\"drawing\"",
        "\"__proto__\"",
        "9007199254740993",
        "1e-320",
    ];
    let device = Device::flex();
    let mut rng = Rng::new(11);
    let (mut accepted, mut built) = (0, 0);
    for _ in 0..20_000 {
        let mut text = good.clone();
        for _ in 0..1 + rng.next_u64() % 3 {
            // Replace one value (what follows a ':' up to the next ',' or '}') or one byte.
            let r = rng.next_u64();
            let colons: Vec<usize> = text.match_indices(':').map(|(i, _)| i + 1).collect();
            if !r.is_multiple_of(3) && !colons.is_empty() {
                let at = colons[(r >> 8) as usize % colons.len()];
                let end = text[at..].find([',', '}']).map_or(text.len(), |e| at + e);
                text.replace_range(at..end, tokens[(r >> 24) as usize % tokens.len()]);
            } else {
                let at = (r >> 8) as usize % text.len();
                if text.is_char_boundary(at) && text.is_char_boundary(at + 1) {
                    text.replace_range(at..at + 1, ["{", "}", "\"", ",", ":", "9", "-"][(r >> 32) as usize % 7]);
                }
            }
        }
        let Ok(config) = serde_json::from_str::<TrainConfig>(&text) else { continue };
        if config.validate().is_err() {
            continue;
        }
        accepted += 1;
        // Small accepted configs build a trainer (the data set decides which data they need).
        let small = config.batch_size <= 8 && config.model.g_width <= 8 && config.model.d_width <= 8;
        if small && built < 20 && config.model.nz <= 128 {
            let data = training_set(&config.dataset, Some(&common::blobs(8, 2).to_bytes()));
            if let Ok(data) = data
                && let Ok(mut t) = Trainer::new(config, Arc::new(data), &device)
            {
                t.train_step().unwrap();
                built += 1;
            }
        }
    }
    assert!(accepted > 100 && built > 0, "{accepted} accepted, {built} built");
}

fn trainer(variant: &str) -> Trainer {
    let mut config = common::small_config(8, 4);
    config.variant = variant.into();
    Trainer::new(config, Arc::new(common::blobs(16, 1)), &Device::flex()).unwrap()
}

/// What the page reads before the rest of a file (its length field and header) accepts exactly
/// the files that the whole-file reader accepts.
#[test]
fn a_header_alone_judges_a_file_as_the_whole_file_does() {
    let good = read_sync(trainer("began").save_weights(Dtype::F16)).unwrap();
    let header = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
    let mut rng = Rng::new(3);
    for i in 0..5_000 {
        let mut bytes = good.clone();
        let r = rng.next_u64();
        match i % 3 {
            0 => bytes.truncate(r as usize % bytes.len()),
            1 => bytes[8 + r as usize % header] = b"{}[]\",:0123456789-eE."[(r >> 40) as usize % 21],
            _ => bytes.extend(std::iter::repeat_n(0, 1 + r as usize % 64)),
        }
        let whole = SafeTensors::parse(&bytes).map(|f| f.tensors);
        let prefix = header_length(&bytes, bytes.len() as u64).map(|n| &bytes[..8 + n as usize]);
        let alone = prefix.and_then(|p| Header::parse(p, bytes.len())).map(|h| h.tensors);
        assert_eq!(alone, whole, "mutation {i}");
    }
}

#[test]
fn checkpoints_with_hostile_state_or_metadata_are_refused_and_change_nothing() {
    let mut a = trainer("began");
    a.train_step().unwrap();
    let good = read_sync(a.save_weights(Dtype::F32)).unwrap();
    let file = SafeTensors::parse(&good).unwrap();
    let mut b = trainer("began");
    let before = read_sync(b.readout(true)).unwrap().samples;

    // BEGAN's k_t as NaN.
    let mut nan_k = good.clone();
    let k = file.bytes_of(file.get("state.k").unwrap());
    let at = k.as_ptr() as usize - good.as_ptr() as usize;
    nan_k[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    let e = b.load_weights(&nan_k, None).unwrap_err();
    assert!(e.contains("state.k") && e.contains("non-finite"), "{e}");

    // A step count past what the page can count.
    let tensors: Vec<_> = file.tensors.iter().map(|t| file.copy_of(t)).collect();
    for steps in ["18446744073709551615", "-1", "1e3", "9007199254740992"] {
        let mut metadata = file.metadata.clone();
        metadata.insert("steps".into(), steps.into());
        let e = b.load_weights(&serialize(&tensors, &metadata).unwrap(), None).unwrap_err();
        assert!(e.contains("steps"), "{steps}: {e}");
    }
    assert_eq!(read_sync(b.readout(true)).unwrap().samples, before, "the run is as it was");
    assert_eq!(b.step(), 0);
    b.load_weights(&good, None).unwrap();
    assert_eq!(b.step(), 1);
}

/// A diverged run's weights are never written: the checkpoint that is on disk stays the last
/// good one (the page's Download and `gan train` both save through this).
#[test]
fn a_diverged_run_is_not_saved() {
    let mut t = trainer("ns-gan");
    let good = read_sync(t.save_weights(Dtype::F32)).unwrap();
    t.load_weights(&common::scaled_critic(&good, 1e30), None).unwrap();
    t.train_step().unwrap();
    assert!(!read_sync(t.readout(false)).unwrap().is_finite());
    let e = read_sync(t.save_weights(Dtype::F32)).unwrap_err();
    assert!(e.contains("non-finite") && e.contains("diverged"), "{e}");
}
