//! `dcgan28` of the shared model spec: a DCGAN for 1×28×28 images (MNIST size), z = 100; with
//! `channels` 3, the same network for colour images (the user's own).
//!
//! With the default widths it is exactly the reference network; the widths can be narrowed for
//! quick tests and slow devices (the browser tests use narrow widths on SwiftShader).

use super::ConvSpec;
use super::LayerSpec::{self, *};

/// Sizes of the `dcgan28` pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Dcgan28 {
    /// Length of the latent vector z.
    pub nz: usize,
    /// Channels of G's last hidden layer (reference: 128; the first hidden layer has twice as many).
    pub g_width: usize,
    /// Channels of D's first layer (reference: 64; the second has twice as many).
    pub d_width: usize,
    /// Image channels: 1 (grey, the reference) or 3 (RGB).
    pub channels: usize,
}

impl Default for Dcgan28 {
    fn default() -> Self {
        Self { nz: 100, g_width: 128, d_width: 64, channels: 1 }
    }
}

impl Dcgan28 {
    pub const IMAGE: [usize; 3] = [1, 28, 28];

    /// The image shape [C, 28, 28].
    pub fn image(&self) -> [usize; 3] {
        [self.channels, 28, 28]
    }

    /// G: z [B, nz, 1, 1] → 2w×7×7 → w×14×14 → 1×28×28 in [-1, 1].
    pub fn generator(&self) -> Vec<LayerSpec> {
        let w = self.g_width;
        vec![
            ConvTranspose(ConvSpec::new(self.nz, 2 * w, 7, 1, 0)),
            BatchNorm { features: 2 * w },
            Relu,
            ConvTranspose(ConvSpec::new(2 * w, w, 4, 2, 1)),
            BatchNorm { features: w },
            Relu,
            ConvTranspose(ConvSpec::new(w, self.channels, 4, 2, 1)),
            Tanh,
        ]
    }

    /// D: 1×28×28 → w×14×14 → 2w×7×7 → one logit (no sigmoid: the loss takes logits).
    pub fn discriminator(&self) -> Vec<LayerSpec> {
        let w = self.d_width;
        vec![
            Conv(ConvSpec::new(self.channels, w, 4, 2, 1)),
            LeakyRelu { slope: 0.2 },
            Conv(ConvSpec::new(w, 2 * w, 4, 2, 1)),
            BatchNorm { features: 2 * w },
            LeakyRelu { slope: 0.2 },
            Conv(ConvSpec::new(2 * w, 1, 7, 1, 0)),
        ]
    }
}
