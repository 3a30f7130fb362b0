//! Which architecture a weight file's generator has, read off its tensors' shapes: each
//! architecture recognises its own ([`GENERATORS`]); the first that does gives the layers, the
//! sizes and the image shape. Every shape is checked later, when the weights are loaded.

use super::{LayerSpec, began28, dcgan28, dcgan64};

/// A generator architecture a weight file can hold, with its image shape [C, H, W].
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratorArch {
    /// "dcgan28", "began28" or "dcgan64".
    pub model: &'static str,
    pub nz: usize,
    /// The `g_width` of dcgan28 and began28, or dcgan64's ngf.
    pub width: usize,
    pub image: [usize; 3],
    pub specs: Vec<LayerSpec>,
}

/// The shape of a tensor by its full name (the file's prefix included), if the file has it.
pub type Shapes<'a> = &'a dyn Fn(&str) -> Option<Vec<usize>>;

/// An architecture's test: `None` when the file's generator is not one of its own, else the
/// generator (or why its own-looking tensors do not fit). `first` is `main.0.weight`'s shape;
/// `prefix` goes before every tensor name ("generator." in our files, "" in a bare state dict).
pub type Recogniser = fn(first: &[usize], shapes: Shapes, prefix: &str) -> Option<Result<GeneratorArch, String>>;

/// Every generator architecture a file can hold, most specific first (began28 before dcgan28:
/// both start with a 7×7 layer).
pub const GENERATORS: &[Recogniser] = &[began28::recognise, dcgan28::recognise, dcgan64::recognise];

/// The output channels of tensor `name` along `axis` (grey 1, or RGB 3).
pub(super) fn image_channels(shapes: Shapes, name: &str, axis: usize) -> Result<usize, String> {
    let shape = shapes(name).ok_or_else(|| format!("\"{name}\" is missing"))?;
    match shape.get(axis) {
        Some(&c) if c == 1 || c == 3 => Ok(c),
        _ => Err(format!("\"{name}\" has shape {shape:?}: not a grey or RGB output layer")),
    }
}

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
