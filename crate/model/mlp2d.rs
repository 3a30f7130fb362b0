//! The networks for 2-D points ([`crate::data::toy2d`]): MLPs, as GAN Lab's. A point is a
//! 2-channel 1×1 image, so a fully connected layer is a 1×1 convolution and the MLPs are
//! [`Sequential`](super::Sequential)s like the image networks: the same losses, optimisers, weight
//! files and gradient penalty serve both.
//!
//! Sizes come from [`Sizes`]'s fields: `nz` inputs to G, `g_width` and `d_width` hidden units.

use super::Sizes;
use super::{ConvSpec, LayerSpec};

/// The name weight files give this architecture.
pub const NAME: &str = "mlp2d";

/// What a point is to the networks: 2 channels, 1×1.
pub const POINT: [usize; 3] = [2, 1, 1];

/// A fully connected layer with bias, He-initialised (no BatchNorm follows to rescale it).
fn dense(input: usize, output: usize) -> LayerSpec {
    LayerSpec::Conv(ConvSpec::new(input, output, 1, 1, 0).with_bias().with_he_init())
}

/// G: z [B, nz, 1, 1] → h → h → a point [B, 2, 1, 1], ReLU between, linear output (the plane is
/// not squashed: a point G places outside the square is drawn there).
pub fn generator(model: &Sizes) -> Vec<LayerSpec> {
    let h = model.g_width;
    vec![dense(model.nz, h), LayerSpec::Relu, dense(h, h), LayerSpec::Relu, dense(h, 2)]
}

/// D: a point → h → h → one score, LeakyReLU(0.2) between (no normalisation: the gradient
/// penalty variants need none removed).
pub fn discriminator(model: &Sizes) -> Vec<LayerSpec> {
    let h = model.d_width;
    let lrelu = || LayerSpec::LeakyRelu { slope: 0.2 };
    vec![dense(2, h), lrelu(), dense(h, h), lrelu(), dense(h, 1)]
}

/// The VAE's encoder for points: D's MLP with 2·nz outputs (the mean of z and its standard
/// deviation before a softplus).
pub fn encoder(model: &Sizes) -> Vec<LayerSpec> {
    let mut layers = discriminator(model);
    if let Some(last) = layers.last_mut() {
        *last = dense(model.d_width, 2 * model.nz);
    }
    layers
}

/// BEGAN's D for points: an autoencoder point → h → h → point.
pub fn autoencoder(model: &Sizes) -> Vec<LayerSpec> {
    let h = model.d_width;
    vec![dense(2, h), LayerSpec::Relu, dense(h, h), LayerSpec::Relu, dense(h, 2)]
}
