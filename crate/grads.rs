//! One evaluation of a variant's losses and of their gradients with respect to every weight, on
//! given weights, data and noise: what `gan grads` writes and what the parity tests compare
//! with PyTorch. It runs the trainer's own code path (same losses, same networks), without the
//! optimiser step.
//!
//! Input names (a safetensors file): `real` [B, 1, 28, 28] in [-1, 1], `z` [B, nz, 1, 1], each
//! noise tensor the variant declares (`epsilon` for WGAN-GP; `perturbation`, `alpha` for DRAGAN),
//! optionally the variant's state under `state.` (`state.k` for BEGAN's k_t), and the networks under `generator.` and `critic.`
//! with PyTorch's state-dict names.
//!
//! Output names: `d_loss`, `g_loss` (scalars), `d.<read-out>` for the critic loss's read-outs,
//! `fake` = G(z), and the gradients `critic.main.<i>.<weight|bias>` of the critic's loss with
//! respect to the critic and `generator.main.<i>.<weight|bias>` of G's loss with respect to G.
//! A joint model (the VAE: `epsilon` is its noise) writes `loss` and `loss.<read-out>` instead of
//! the two losses, and the gradients of that one loss with respect to both networks.

use burn::tensor::{Device, Tensor, TensorData, Transaction};

use crate::gan::{self, Loss, Training, Variant};
use crate::model::Sizes;
use crate::model::{LayerSpec, Sequential};
use crate::safetensors::SafeTensors;
use crate::tensor::to_f32;
use crate::weights;

/// A named f32 tensor read back from the device.
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    pub name: String,
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// Everything one evaluation needs, on the autodiff device.
pub struct GradInputs {
    pub variant: Box<dyn Variant>,
    pub generator: Sequential,
    pub critic: Sequential,
    pub real: Tensor<4>,
    pub z: Tensor<4>,
    pub noise: Vec<Tensor<4>>,
}

impl GradInputs {
    /// Reads the inputs of `variant` from `file` (see the module docs); the networks come from
    /// `generator` and `critic` (each a file and the prefix of its names). The `dcgan28` widths are
    /// read off the weights' shapes; every tensor is then checked strictly against them.
    pub fn from_file(
        variant: &str,
        file: &SafeTensors,
        generator: (&SafeTensors, &str),
        critic: (&SafeTensors, &str),
        device: &Device,
    ) -> Result<Self, String> {
        let mut variant = gan::variant(variant)?;
        let device = device.clone().without_autodiff().autodiff();
        let shape_of = |file: &SafeTensors, name: &str| {
            file.get(name).map(|t| t.shape.clone()).ok_or_else(|| format!("missing tensor \"{name}\""))
        };
        let z_shape = shape_of(file, "z")?;
        let g0 = shape_of(generator.0, &format!("{}main.0.weight", generator.1))?;
        let d0 = shape_of(critic.0, &format!("{}main.0.weight", critic.1))?;
        let (Some(&nz), Some(&g_first), Some(&d_first)) = (z_shape.get(1), g0.get(1), d0.first()) else {
            return Err("z, generator main.0.weight and critic main.0.weight must have at least two axes".into());
        };
        let with = |g_width, d_width| Sizes { nz, g_width, d_width, channels: 1 };
        let g_width = width_for(g_first, "generator", |w| variant.generator_layers(&with(w, 1)))?;
        let d_width = width_for(d_first, "critic", |w| variant.critic_layers(&with(1, w)))?;
        let model = with(g_width, d_width);
        let mut rng = crate::rng::Rng::new(0);
        let g = Sequential::init(&variant.generator_layers(&model), &mut rng, &device);
        let d = Sequential::init(&variant.critic_layers(&model), &mut rng, &device);
        let generator = weights::load(&g, generator.0, generator.1)?;
        let critic = weights::load(&d, critic.0, critic.1)?;

        let batch = shape_of(file, "real")?.first().copied().unwrap_or(0);
        let real_shape = [batch, 1, 28, 28];
        let tensor = |name: &str, shape: [usize; 4]| -> Result<Tensor<4>, String> {
            Ok(Tensor::from_data(TensorData::new(file.f32_tensor(name, &shape)?, shape), &device))
        };
        let real = tensor("real", real_shape)?;
        let z = tensor("z", [batch, nz, 1, 1])?;
        let noise = variant
            .loss_noise(real_shape, nz)
            .into_iter()
            .map(|noise| tensor(noise.name, noise.shape))
            .collect::<Result<Vec<_>, _>>()?;
        let plain = device.clone().without_autodiff();
        for t in file.tensors.iter().filter(|t| t.name.starts_with("state.")) {
            let values = file.f32_values(t)?;
            variant
                .set_state(&t.name["state.".len()..], Tensor::from_data(TensorData::new(values, [t.len()]), &plain))?;
        }
        Ok(Self { variant, generator, critic, real, z, noise })
    }
}

/// Computes the losses, read-outs, G(z) and all weight gradients (see the module docs).
pub async fn evaluate(inputs: GradInputs) -> Result<Vec<Named>, String> {
    let GradInputs { mut variant, generator, critic, real, z, noise } = inputs;
    let fake = generator.forward(z);
    let (critic_net, generator_net) = (("critic.", &critic), ("generator.", &generator));
    // Each loss: its output name, its read-outs' prefix (none: not written), the networks whose
    // gradients it reports.
    type Networks<'a> = Vec<(&'a str, &'a Sequential)>;
    let losses: Vec<(&str, Option<&str>, Loss, Networks)> = match variant.training() {
        Training::Adversarial => {
            let d = variant.critic_loss(&critic, real, fake.clone().detach(), &noise)?;
            let g = variant.generator_loss(&critic, fake.clone())?;
            vec![("d_loss", Some("d."), d, vec![critic_net]), ("g_loss", None, g, vec![generator_net])]
        }
        Training::Joint => {
            let loss = variant.joint_loss(&critic, &generator, real, &noise)?;
            vec![("loss", Some("loss."), loss, vec![critic_net, generator_net])]
        }
    };

    let mut names: Vec<(String, Vec<usize>)> = Vec::new();
    let mut tx = Transaction::default();
    let mut add = |name: String, shape: Vec<usize>, t: Tensor<1>, tx: Transaction| {
        names.push((name, shape));
        tx.register(t)
    };
    let mut gradients = Vec::new();
    for (loss_name, readout_prefix, loss, networks) in losses {
        tx = add(loss_name.into(), vec![], loss.value.clone().inner(), tx);
        if let Some(prefix) = readout_prefix {
            for (name, value) in loss.readouts {
                tx = add(format!("{prefix}{name}"), vec![], value.inner(), tx);
            }
        }
        gradients.push((networks, loss.value.backward()));
    }
    let dims = fake.dims();
    tx = add("fake".into(), dims.to_vec(), fake.inner().reshape([dims.iter().product::<usize>()]), tx);
    for (networks, grads) in &gradients {
        for (prefix, model) in networks {
            for entry in weights::entries(model, prefix).iter().filter(|e| e.trainable) {
                let grad = weights::gradient_of(model, entry, grads)
                    .ok_or_else(|| format!("no gradient reached {}", entry.name))?;
                tx = add(entry.name.clone(), entry.shape.clone(), grad, tx);
            }
        }
    }
    let data = tx.execute_async().await.map_err(|e| format!("reading from the device failed: {e:?}"))?;
    names.into_iter().zip(data).map(|((name, shape), data)| Ok(Named { name, shape, values: to_f32(data)? })).collect()
}

/// The width (`g_width` or `d_width`) whose network, built by `layers`, has a first layer with
/// `channels` outputs: the widths are read off the weight files.
fn width_for(channels: usize, network: &str, layers: impl Fn(usize) -> Vec<LayerSpec>) -> Result<usize, String> {
    let first_outputs = |specs: Vec<LayerSpec>| match specs.first() {
        Some(LayerSpec::Conv(c) | LayerSpec::ConvTranspose(c)) => Some(c.output),
        _ => None,
    };
    (1..=1024)
        .find(|&w| first_outputs(layers(w)) == Some(channels))
        .ok_or_else(|| format!("no {network} width gives a first layer with {channels} output channels"))
}
