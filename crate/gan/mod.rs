//! The GAN family, and the study's VAE baseline. A variant is one file implementing [`Variant`]
//! plus one line in [`REGISTRY`]; the trainer knows nothing of any particular variant.
//!
//! Every model here is a pair of networks of the same shapes: a generator (the VAE's decoder) and
//! a critic (the VAE's encoder, with a wider last layer). [`Training`] says whether they minimise
//! their own losses in turn (the GANs) or one loss together (the VAE).

pub mod began;
pub mod dragan;
pub mod lsgan;
pub mod mm_gan;
pub mod ns_gan;
mod scores;
pub mod vae;
pub mod wgan;
pub mod wgan_gp;

use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;

pub use crate::optim::Optimizer;
pub use scores::{BothScores, outputs_of_both, scores, scores_of_both, scores_with_input_gradient};

use crate::model::{LayerSpec, Sequential, Sizes, dcgan28, mlp2d};
use crate::rng::Rng;

/// A setting of a variant that the user may change, even while training (BEGAN's γ, WGAN's c).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Knob {
    pub name: &'static str,
    /// How the page labels it.
    pub label: &'static str,
    /// The current value (the published default until changed).
    pub value: f64,
    pub min: f64,
    pub max: f64,
}

/// How a model trains its pair of networks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Training {
    /// A critic and a generator, each minimising its own loss in turn ([`Variant::critic_loss`]
    /// `n_critic` times, then [`Variant::generator_loss`]): every GAN.
    Adversarial,
    /// Both networks minimise one loss together ([`Variant::joint_loss`]), one optimiser step of
    /// each per iteration: the VAE (critic = encoder, generator = decoder).
    Joint,
}

/// How a noise tensor is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draw {
    /// U[0, 1).
    Uniform,
    /// N(0, 1).
    Normal,
}

/// A noise tensor a loss consumes: its name (as `gan grads` files call it), shape and distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Noise {
    pub name: &'static str,
    pub shape: [usize; 4],
    pub draw: Draw,
}

impl Noise {
    pub fn uniform(name: &'static str, shape: [usize; 4]) -> Self {
        Self { name, shape, draw: Draw::Uniform }
    }

    pub fn normal(name: &'static str, shape: [usize; 4]) -> Self {
        Self { name, shape, draw: Draw::Normal }
    }
}

/// A loss to minimise and the numbers the variant wants shown, all still on the device
/// (they are read later, in one asynchronous transaction).
pub struct Loss {
    pub value: Tensor<1>,
    pub readouts: Vec<(&'static str, Tensor<1>)>,
}

impl Loss {
    pub fn new(value: Tensor<1>) -> Self {
        Self { value, readouts: Vec::new() }
    }

    pub fn with(mut self, name: &'static str, value: Tensor<1>) -> Self {
        self.readouts.push((name, value));
        self
    }
}

/// The read-out a variant may declare to have the trainer report the norm of its generator loss's
/// gradient over all of G's weights (the trainer computes it: a loss sees no weight gradients).
/// MM-GAN and NS-GAN declare it: with a winning critic, MM-GAN's vanishes and NS-GAN's does not.
pub const GENERATOR_GRADIENT_NORM: &str = "generator_gradient_norm";

/// Likewise for the critic: the norm of the critic loss's gradient over all of the critic's
/// weights, which WGAN declares (too small a clip c makes it vanish, as WGAN-GP's Fig. 1b shows).
pub const CRITIC_GRADIENT_NORM: &str = "critic_gradient_norm";

/// How the page labels each variant's read-outs, by name.
pub const READOUT_LABELS: &[(&str, &str)] = &[
    ("wasserstein", "W estimate"),
    ("gradient_norm", "‖∇D(x̂)‖"),
    ("penalty", "Penalty"),
    ("k", "k_t"),
    ("m_global", "M_global"),
    (GENERATOR_GRADIENT_NORM, "‖∇G‖"),
    (CRITIC_GRADIENT_NORM, "‖∇D‖"),
    ("reconstruction", "−log p(x|z)"),
    ("kl", "KL(q(z|x) ‖ p(z))"),
];

/// One member of the family: its losses, what runs after a critic step, its schedule and defaults.
/// A GAN implements [`Variant::critic_loss`] and [`Variant::generator_loss`]; a model trained on
/// one loss declares [`Training::Joint`] and implements [`Variant::joint_loss`] instead.
pub trait Variant: Send {
    /// The registry key, e.g. "wgan".
    fn id(&self) -> &'static str;

    /// Whether its networks train adversarially (the default) or on one joint loss.
    fn training(&self) -> Training {
        Training::Adversarial
    }

    /// The published optimiser settings (each file says where they come from).
    fn optimizer(&self) -> Optimizer;

    /// Critic (D) steps per generator step.
    fn n_critic(&self) -> usize {
        1
    }

    /// The names of the numbers its losses report besides their values ([`Loss::with`]), each
    /// labelled in [`READOUT_LABELS`].
    fn readouts(&self) -> &'static [&'static str] {
        &[]
    }

    /// The architecture of its networks on images (`crate::model`), as weight files name it.
    fn architecture(&self) -> &'static str {
        "dcgan28"
    }

    /// The generator's layers for a `dcgan28` of the given sizes (DCGAN's G unless the variant needs another).
    fn generator_layers(&self, model: &Sizes) -> Vec<LayerSpec> {
        dcgan28::generator(model)
    }

    /// The critic's layers for a `dcgan28` of the given sizes (DCGAN's D unless the variant needs another).
    fn critic_layers(&self, model: &Sizes) -> Vec<LayerSpec> {
        dcgan28::discriminator(model)
    }

    /// The critic's layers for 2-D points (an MLP, [`mlp2d::discriminator`], unless the variant
    /// needs another; G is always [`mlp2d::generator`]).
    fn point_critic_layers(&self, model: &Sizes) -> Vec<LayerSpec> {
        mlp2d::discriminator(model)
    }

    /// The critic's opinion of each input, higher meaning "more real": its raw score (a logit for
    /// the BCE variants), as the page's decision surface shows it.
    fn critic_opinion(&self, critic: &Sequential, x: Tensor<4>) -> Tensor<1> {
        scores(critic, x)
    }

    /// The noise its loss consumes, in the order the loss takes it, for a real batch of shape
    /// `real` and latent vectors of `nz` numbers (WGAN-GP's ε, DRAGAN's perturbation, the VAE's
    /// ε). The trainer draws it from the run's seeded stream; `gan grads` reads it from a file, so
    /// that the loss can be checked against another framework on the very same numbers.
    fn loss_noise(&self, real: [usize; 4], nz: usize) -> Vec<Noise> {
        let _ = (real, nz);
        Vec::new()
    }

    /// The critic's loss on a real batch, a fake batch (already detached from G) and the noise
    /// declared by [`Variant::loss_noise`].
    fn critic_loss(
        &mut self,
        critic: &Sequential,
        real: Tensor<4>,
        fake: Tensor<4>,
        noise: &[Tensor<4>],
    ) -> Result<Loss, String> {
        let _ = (critic, real, fake, noise);
        Err(format!("{} has no critic loss: it trains both networks on one loss", self.id()))
    }

    /// The generator's loss on a fake batch that still carries G's graph.
    fn generator_loss(&mut self, critic: &Sequential, fake: Tensor<4>) -> Result<Loss, String> {
        let _ = (critic, fake);
        Err(format!("{} has no generator loss: it trains both networks on one loss", self.id()))
    }

    /// The one loss of a [`Training::Joint`] model on a real batch and its noise, through both
    /// networks (the critic's place holds the encoder, the generator's the decoder).
    fn joint_loss(
        &mut self,
        critic: &Sequential,
        generator: &Sequential,
        real: Tensor<4>,
        noise: &[Tensor<4>],
    ) -> Result<Loss, String> {
        let _ = (critic, generator, real, noise);
        Err(format!("{} trains adversarially: it has no joint loss", self.id()))
    }

    /// A bound c to which every critic parameter (not BatchNorm's running statistics, which are
    /// buffers) is clipped, [−c, c], after each critic step: WGAN's. The optimiser clips in its
    /// update, so that a GPU does it in the update's own kernels.
    fn critic_clip(&self) -> Option<f64> {
        None
    }

    /// Runs after every critic optimiser step (BEGAN updates k_t here).
    fn after_critic_step(&mut self, critic: Sequential) -> Sequential {
        critic
    }

    /// The settings the user may change, with their ranges.
    fn knobs(&self) -> Vec<Knob> {
        Vec::new()
    }

    /// Where the knob `name` is stored (`None` for an unknown name); [`set_knob`] checks the range.
    fn knob_mut(&mut self, name: &str) -> Option<&mut f64> {
        let _ = name;
        None
    }

    /// Values the variant carries from step to step (BEGAN's k_t), by name, on the plain device;
    /// checkpoints save them and `gan grads` sets them.
    fn state(&self) -> Vec<(&'static str, Tensor<1>)> {
        Vec::new()
    }

    /// Sets one of the values of [`Variant::state`].
    fn set_state(&mut self, name: &str, value: Tensor<1>) -> Result<(), String> {
        let _ = value;
        Err(format!("{} keeps no state named \"{name}\"", self.id()))
    }
}

/// Sets a knob after checking that the variant has it and that `value` is in its range.
pub fn set_knob(variant: &mut dyn Variant, name: &str, value: f64) -> Result<(), String> {
    let knob = variant.knobs().into_iter().find(|k| k.name == name).ok_or_else(|| {
        let known: Vec<&str> = variant.knobs().iter().map(|k| k.name).collect();
        format!(
            "{} has no setting \"{name}\" (it has: {})",
            variant.id(),
            if known.is_empty() { "none".into() } else { known.join(", ") }
        )
    })?;
    if !(value.is_finite() && (knob.min..=knob.max).contains(&value)) {
        return Err(format!("{name} must be between {} and {}, got {value}", knob.min, knob.max));
    }
    let id = variant.id();
    *variant.knob_mut(name).ok_or_else(|| format!("{id} cannot set \"{name}\""))? = value;
    Ok(())
}

/// Draws the noise `variant` declares for a real batch of shape `real`, from `rng`, on `device`.
pub fn draw_noise(
    variant: &dyn Variant,
    real: [usize; 4],
    nz: usize,
    rng: &mut Rng,
    device: &Device,
) -> Vec<Tensor<4>> {
    variant
        .loss_noise(real, nz)
        .into_iter()
        .map(|noise| {
            let n = noise.shape.iter().product();
            let values = match noise.draw {
                Draw::Uniform => rng.uniform_vec(n),
                Draw::Normal => rng.normal_vec(n, 0.0, 1.0),
            };
            Tensor::from_data(TensorData::new(values, noise.shape), device)
        })
        .collect()
}

/// The `i`-th noise tensor, or an error naming it (a caller gave too few).
pub fn noise_at(noise: &[Tensor<4>], i: usize, name: &str) -> Result<Tensor<4>, String> {
    noise.get(i).cloned().ok_or_else(|| format!("the critic loss needs the noise tensor \"{name}\""))
}

/// A registry entry: the key, the name the page shows, and how to make the variant.
pub struct Registered {
    pub id: &'static str,
    pub title: &'static str,
    pub make: fn() -> Box<dyn Variant>,
}

/// Every variant, by id. The first is the default.
pub const REGISTRY: &[Registered] = &[
    Registered { id: "ns-gan", title: "NS-GAN (DCGAN)", make: || Box::new(ns_gan::NsGan) },
    Registered { id: "mm-gan", title: "MM-GAN (minimax)", make: || Box::new(mm_gan::MmGan) },
    Registered { id: "lsgan", title: "LSGAN", make: || Box::new(lsgan::LsGan) },
    Registered { id: "wgan", title: "WGAN (clipping)", make: || Box::new(wgan::Wgan::default()) },
    Registered { id: "wgan-gp", title: "WGAN-GP", make: || Box::new(wgan_gp::WganGp::default()) },
    Registered { id: "dragan", title: "DRAGAN", make: || Box::new(dragan::Dragan::default()) },
    Registered { id: "began", title: "BEGAN", make: || Box::new(began::Began::default()) },
    Registered { id: "vae", title: "VAE (baseline)", make: || Box::new(vae::Vae) },
];

/// The variant registered under `id`.
pub fn variant(id: &str) -> Result<Box<dyn Variant>, String> {
    REGISTRY.iter().find(|r| r.id == id).map(|r| (r.make)()).ok_or_else(|| {
        let known: Vec<&str> = REGISTRY.iter().map(|r| r.id).collect();
        format!("unknown GAN variant \"{id}\" (known: {})", known.join(", "))
    })
}
