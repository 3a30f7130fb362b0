//! Which architecture a weight file's generator has, read off its tensors' shapes: each
//! architecture recognises its own ([`GENERATORS`]); the first that does gives the layers, the
//! sizes and the image shape. Every shape is checked later, when the weights are loaded.

use super::arch::{GeneratorArch, Recogniser};
use super::{began28, dcgan28, dcgan64};

/// Every generator architecture a file can hold, most specific first (began28 before dcgan28:
/// both start with a 7×7 layer).
pub const GENERATORS: &[Recogniser] = &[began28::recognise, dcgan28::recognise, dcgan64::recognise];

/// Recognises the generator in a set of named shapes (names under `prefix`).
pub fn infer_generator(shape_of: impl Fn(&str) -> Option<Vec<usize>>, prefix: &str) -> Result<GeneratorArch, String> {
    let shapes = |name: &str| shape_of(name);
    let first = shapes(&format!("{prefix}main.0.weight"))
        .ok_or_else(|| format!("no generator weights: the file has no \"{prefix}main.0.weight\""))?;
    if first.len() != 4 {
        return Err(format!(
            "\"{prefix}main.0.weight\" has shape {first:?}; a generator's first layer is [nz, C, k, k]"
        ));
    }
    match GENERATORS.iter().find_map(|recognise| recognise(&first, &shapes, prefix)) {
        Some(arch) => arch,
        None => Err(format!("\"{prefix}main.0.weight\" has shape {first:?}: neither dcgan28 (7×7) nor dcgan64 (4×4)")),
    }
}
