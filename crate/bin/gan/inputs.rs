//! What the commands' shared arguments (declared in cli.rs) stand for: the device of `--backend`,
//! and the training data of `--dataset` and `--data`.

use std::sync::Arc;

use gan_playground::backend::{self, BackendInfo};
use gan_playground::data::ImageDataset;

use crate::cli::Source;

/// The device of `--backend`, said on stderr (with the reason where the CPU is a fallback).
pub fn device(backend: &str) -> Result<(burn::tensor::Device, BackendInfo), String> {
    let (device, info) = backend::native(backend)?;
    match &info.fallback_reason {
        Some(reason) => eprintln!("backend: {} (no GPU: {reason})", info.name),
        None => eprintln!("backend: {}", info.name),
    }
    Ok((device, info))
}

/// The training set of `--dataset`: the dataset file, or generated (triangles, the 2-D toys).
pub fn training_set(source: &Source) -> Result<Arc<ImageDataset>, String> {
    training_set_named(source, &source.dataset)
}

/// The training set called `dataset` (a resumed run's), from `--data` where it is a file's.
pub fn training_set_named(source: &Source, dataset: &str) -> Result<Arc<ImageDataset>, String> {
    let bytes =
        match dataset {
            "mnist" | "images" | "drawing" => Some(std::fs::read(&source.data).map_err(|e| {
                format!("cannot read {} ({e}); build it with `npm run build:data`", source.data.display())
            })?),
            _ => None,
        };
    let data = gan_playground::data::training_set(dataset, bytes.as_deref());
    data.map(Arc::new).map_err(|e| format!("{}: {e}", source.data.display()))
}
