//! `dcgan28` of the shared model spec: a DCGAN for 1×28×28 images (MNIST size), z = 100; with
//! `channels` 3, the same network for colour images (the user's own).
//!
//! With the default widths it is exactly the reference network; the widths can be narrowed for
//! quick tests and slow devices (the browser tests use narrow widths on SwiftShader).

use super::LayerSpec::{self, *};
use super::arch::{GeneratorArch, Shapes, image_channels};
use super::{ConvSpec, Sizes};

/// G: z [B, nz, 1, 1] → 2w×7×7 → w×14×14 → 1×28×28 in [-1, 1].
pub fn generator(sizes: &Sizes) -> Vec<LayerSpec> {
    let w = sizes.g_width;
    vec![
        ConvTranspose(ConvSpec::new(sizes.nz, 2 * w, 7, 1, 0)),
        BatchNorm { features: 2 * w },
        Relu,
        ConvTranspose(ConvSpec::new(2 * w, w, 4, 2, 1)),
        BatchNorm { features: w },
        Relu,
        ConvTranspose(ConvSpec::new(w, sizes.channels, 4, 2, 1)),
        Tanh,
    ]
}

/// D: 1×28×28 → w×14×14 → 2w×7×7 → one logit (no sigmoid: the loss takes logits).
pub fn discriminator(sizes: &Sizes) -> Vec<LayerSpec> {
    let w = sizes.d_width;
    vec![
        Conv(ConvSpec::new(sizes.channels, w, 4, 2, 1)),
        LeakyRelu { slope: 0.2 },
        Conv(ConvSpec::new(w, 2 * w, 4, 2, 1)),
        BatchNorm { features: 2 * w },
        LeakyRelu { slope: 0.2 },
        Conv(ConvSpec::new(2 * w, 1, 7, 1, 0)),
    ]
}

/// The VAE's encoder: D's trunk, its last layer widened to 2·nz numbers with a bias (the mean of
/// z and, through a softplus, its standard deviation), as the study's VAE reuses its critic.
pub fn encoder(sizes: &Sizes) -> Vec<LayerSpec> {
    let mut layers = discriminator(sizes);
    if let Some(Conv(last)) = layers.last_mut() {
        *last = ConvSpec::new(last.input, 2 * sizes.nz, 7, 1, 0).with_bias();
    }
    layers
}

/// A dcgan28 generator: a 7×7 first kernel ([`crate::model::began28`] is tried first).
pub fn recognise(first: &[usize], shapes: Shapes, prefix: &str) -> Option<Result<GeneratorArch, String>> {
    let &[nz, c0, 7, _] = first else { return None };
    Some(image_channels(shapes, &format!("{prefix}main.6.weight"), 1).map(|channels| {
        let sizes = Sizes { nz, g_width: c0 / 2, d_width: 64, channels };
        GeneratorArch { model: "dcgan28", nz, width: c0 / 2, image: sizes.image(), specs: generator(&sizes) }
    }))
}
