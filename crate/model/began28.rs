//! `began28`: BEGAN's networks for 28×28 images (see [`crate::gan::began`] for the loss).
//!
//! A departure from the paper's §3.5, for the reason below:
//! - G ([`generator`]): a fully connected layer from z to 2w×7×7 and BatchNorm, then twice nearest
//!   2× upsampling, a 3×3 convolution, BatchNorm and LeakyReLU(0.2) (2w then w channels), and a 3×3
//!   output convolution with tanh (w = `g_width`).
//! - D ([`autoencoder`]): a 3×3 stride-2 convolution with ReLU (d×14×14, d = `d_width`), a fully
//!   connected layer to a 32-value code with BatchNorm and ReLU, a fully connected layer back to
//!   d×14×14 with BatchNorm and ReLU, nearest 2× upsampling and a linear 3×3 convolution. Fully
//!   connected layers are written as convolutions to and from a 1×1 map (the same map), so that
//!   the file layout is the other variants'.
//!
//! Why not the paper's networks (ELU decoders, no normalisation, a 64-value code in the middle of
//! two mirrored stacks)? Scaled to 28×28 they drew grey noise, then blobs, for thousands of steps:
//! L(G(z)) never fell below γ·L(x), so k_t stayed at 0 and D was a plain autoencoder of the data,
//! which reconstructs smooth grey images about as well as digits. A narrow, normalised bottleneck
//! reconstructs digits and little else, so G learns to draw digits even while k_t is still small;
//! with BatchNorm and tanh in G its samples look like digits within 500 steps.
//! The convolutions that BatchNorm follows have no bias (it would be removed again); the others do.
//! Weights start with He's initialisation.

use super::arch::{GeneratorArch, Shapes, image_channels};
use super::{ConvSpec, LayerSpec};

/// A convolution with bias and He initialisation.
fn conv(input: usize, output: usize, kernel: usize, stride: usize, padding: usize) -> LayerSpec {
    LayerSpec::Conv(ConvSpec::new(input, output, kernel, stride, padding).with_bias().with_he_init())
}

/// The same without a bias, for a convolution that BatchNorm follows (which removes any constant).
fn normalised_conv(input: usize, output: usize, kernel: usize, padding: usize) -> LayerSpec {
    LayerSpec::Conv(ConvSpec::new(input, output, kernel, 1, padding).with_he_init())
}

/// A fully connected layer from a 1×1 map to a k×k one, for BatchNorm to follow.
fn normalised_fully_connected(input: usize, output: usize, kernel: usize) -> LayerSpec {
    LayerSpec::ConvTranspose(ConvSpec::new(input, output, kernel, 1, 0).with_he_init())
}

/// G: z [B, nz, 1, 1] → 2w×7×7 → 2w×14×14 → w×28×28 → c×28×28 in [-1, 1].
pub fn generator(nz: usize, w: usize, c: usize) -> Vec<LayerSpec> {
    use LayerSpec::{BatchNorm, LeakyRelu, Tanh, Upsample};
    vec![
        normalised_fully_connected(nz, 2 * w, 7),
        BatchNorm { features: 2 * w },
        Upsample,
        normalised_conv(2 * w, 2 * w, 3, 1),
        BatchNorm { features: 2 * w },
        LeakyRelu { slope: 0.2 },
        Upsample,
        normalised_conv(2 * w, w, 3, 1),
        BatchNorm { features: w },
        LeakyRelu { slope: 0.2 },
        conv(w, c, 3, 1, 1),
        Tanh,
    ]
}

/// D: c×28×28 → d×14×14 → code [B, code, 1, 1] → d×14×14 → c×28×28 (linear output).
pub fn autoencoder(code: usize, d: usize, c: usize) -> Vec<LayerSpec> {
    use LayerSpec::{BatchNorm, Relu, Upsample};
    vec![
        conv(c, d, 3, 2, 1),
        Relu,
        normalised_conv(d, code, 14, 0),
        BatchNorm { features: code },
        Relu,
        normalised_fully_connected(code, d, 14),
        BatchNorm { features: d },
        Relu,
        Upsample,
        conv(d, c, 3, 1, 1),
    ]
}

/// A began28 generator: it starts like dcgan28's (a 7×7 fully connected layer and BatchNorm), then
/// upsamples into a 3×3 convolution where dcgan28 has a 4×4 transposed one.
pub fn recognise(first: &[usize], shapes: Shapes, prefix: &str) -> Option<Result<GeneratorArch, String>> {
    let &[nz, c0, 7, _] = first else { return None };
    if shapes(&format!("{prefix}main.3.weight"))?.get(2) != Some(&3) {
        return None;
    }
    Some(image_channels(shapes, &format!("{prefix}main.10.weight"), 0).map(|c| GeneratorArch {
        model: "began28",
        nz,
        width: c0 / 2,
        image: [c, 28, 28],
        specs: generator(nz, c0 / 2, c),
    }))
}
