//! What a generator architecture is, as a weight file's shapes reveal it: the types each
//! architecture's recogniser (in its own file) fills in, and that `recognise` tries in turn.

use super::LayerSpec;

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

/// The output channels of tensor `name` along `axis` (grey 1, or RGB 3).
pub(super) fn image_channels(shapes: Shapes, name: &str, axis: usize) -> Result<usize, String> {
    let shape = shapes(name).ok_or_else(|| format!("\"{name}\" is missing"))?;
    match shape.get(axis) {
        Some(&c) if c == 1 || c == 3 => Ok(c),
        _ => Err(format!("\"{name}\" has shape {shape:?}: not a grey or RGB output layer")),
    }
}
