//! The sizes of a run's networks, whatever their architecture: dcgan28 and began28 read them as
//! channels, mlp2d as hidden units (see each architecture's file).

/// Sizes of a generator and critic pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Sizes {
    /// Length of the latent vector z.
    pub nz: usize,
    /// G's width: dcgan28's reference is 128 (its last hidden layer; the first has twice as many).
    pub g_width: usize,
    /// D's width: dcgan28's reference is 64 (its first layer; the second has twice as many).
    pub d_width: usize,
    /// Image channels: 1 (grey, the reference) or 3 (RGB).
    pub channels: usize,
}

impl Default for Sizes {
    /// dcgan28's reference network.
    fn default() -> Self {
        Self { nz: 100, g_width: 128, d_width: 64, channels: 1 }
    }
}

/// The side of the images the trainable architectures (dcgan28, began28) make and read.
pub const IMAGE_SIDE: usize = 28;

impl Sizes {
    /// The image shape [C, 28, 28] of the 28×28 architectures.
    pub fn image(&self) -> [usize; 3] {
        [self.channels, IMAGE_SIDE, IMAGE_SIDE]
    }
}
