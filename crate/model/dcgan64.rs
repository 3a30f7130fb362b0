//! `dcgan64` of the shared model spec: pytorch/examples' DCGAN for 64×64 images (nz = 100,
//! ngf = ndf = 64, nc = 3), layer for layer, so its state dicts load with no conversion. Too big to
//! train in a browser tab; the page and `gan sample` can sample from it.

use super::ConvSpec;
use super::LayerSpec::{self, *};
use super::arch::{GeneratorArch, Shapes};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dcgan64 {
    pub nz: usize,
    pub ngf: usize,
    pub ndf: usize,
    /// Image channels (3 for RGB).
    pub nc: usize,
}

impl Default for Dcgan64 {
    fn default() -> Self {
        Self { nz: 100, ngf: 64, ndf: 64, nc: 3 }
    }
}

impl Dcgan64 {
    /// G: z [B, nz, 1, 1] → 8ngf×4×4 → 4ngf×8×8 → 2ngf×16×16 → ngf×32×32 → nc×64×64 in [-1, 1].
    pub fn generator(&self) -> Vec<LayerSpec> {
        let g = self.ngf;
        let mut layers = Vec::new();
        let widths = [self.nz, 8 * g, 4 * g, 2 * g, g];
        for (i, pair) in widths.windows(2).enumerate() {
            let (stride, padding) = if i == 0 { (1, 0) } else { (2, 1) };
            layers.extend([
                ConvTranspose(ConvSpec::new(pair[0], pair[1], 4, stride, padding)),
                BatchNorm { features: pair[1] },
                Relu,
            ]);
        }
        layers.extend([ConvTranspose(ConvSpec::new(g, self.nc, 4, 2, 1)), Tanh]);
        layers
    }

    /// D: nc×64×64 → … → one logit. pytorch/examples ends with a Sigmoid (main.12), which has no
    /// weights; the logit is kept here, as every loss of the core takes logits.
    pub fn discriminator(&self) -> Vec<LayerSpec> {
        let d = self.ndf;
        let lrelu = || LeakyRelu { slope: 0.2 };
        vec![
            Conv(ConvSpec::new(self.nc, d, 4, 2, 1)),
            lrelu(),
            Conv(ConvSpec::new(d, 2 * d, 4, 2, 1)),
            BatchNorm { features: 2 * d },
            lrelu(),
            Conv(ConvSpec::new(2 * d, 4 * d, 4, 2, 1)),
            BatchNorm { features: 4 * d },
            lrelu(),
            Conv(ConvSpec::new(4 * d, 8 * d, 4, 2, 1)),
            BatchNorm { features: 8 * d },
            lrelu(),
            Conv(ConvSpec::new(8 * d, 1, 4, 1, 0)),
        ]
    }
}

/// A dcgan64 generator: a 4×4 first kernel and five transposed convolutions.
pub fn recognise(first: &[usize], shapes: Shapes, prefix: &str) -> Option<Result<GeneratorArch, String>> {
    let &[nz, c0, 4, _] = first else { return None };
    let Some(last) = shapes(&format!("{prefix}main.12.weight")) else {
        return Some(Err(format!("a 4×4 first kernel means dcgan64, but \"{prefix}main.12.weight\" is missing")));
    };
    let nc = last.get(1).copied().unwrap_or(0);
    if !(1..=4).contains(&nc) {
        return Some(Err(format!("\"{prefix}main.12.weight\" has shape {last:?}: not a dcgan64 output layer")));
    }
    let model = Dcgan64 { nz, ngf: c0 / 8, ndf: 64, nc };
    Some(Ok(GeneratorArch { model: "dcgan64", nz, width: c0 / 8, image: [nc, 64, 64], specs: model.generator() }))
}
