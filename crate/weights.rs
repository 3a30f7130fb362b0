//! A [`Sequential`]'s tensors under PyTorch's `nn.Sequential` state-dict names, to and from
//! safetensors: `main.<i>.weight` / `.bias`, BatchNorm's `running_mean`, `running_var` and
//! `num_batches_tracked`, transposed-conv weights `[in, out, k, k]`, LayerNorm's weight and bias
//! shaped `[C, H, W]`. A file saved with `safetensors.torch.save_file(net.state_dict(), …)` loads
//! as is, and ours load into the matching `nn.Sequential` with `load_state_dict`.

use std::collections::BTreeSet;

use burn::module::{Param, RunningState};
use burn::tensor::{Gradients, Tensor, TensorData, Transaction};

use crate::model::{Layer, Sequential, layout};
use crate::safetensors::{Dtype, SafeTensors, TensorOut};

/// The largest weights file the page reads (and the largest that `TrainConfig::validate` lets a
/// run write, so that every run can be saved and loaded back): a file is held in the page's
/// memory and copied into wasm32's (at most 4 GiB, shared with the run), about three copies at
/// the peak. The page's own runs stay far below it (widths 256, nz 512: about 70 MB in f32).
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Which of a layer's tensors a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Weight,
    Bias,
    RunningMean,
    RunningVar,
}

impl Role {
    fn suffix(self) -> &'static str {
        match self {
            Role::Weight => "weight",
            Role::Bias => "bias",
            Role::RunningMean => "running_mean",
            Role::RunningVar => "running_var",
        }
    }
}

/// One named tensor of a network: its PyTorch name and shape, and where it lives.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub name: String,
    pub shape: Vec<usize>,
    /// Trainable (a parameter) or a buffer (BatchNorm's running statistics).
    pub trainable: bool,
    layer: usize,
    role: Role,
}

/// Every tensor of `model` in state-dict order, names prefixed by `prefix` (e.g. "" or "generator.").
pub fn entries(model: &Sequential, prefix: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, layer) in model.main.iter().enumerate() {
        let mut push = |role: Role, shape: Vec<usize>, trainable: bool| {
            out.push(Entry { name: format!("{prefix}main.{i}.{}", role.suffix()), shape, trainable, layer: i, role })
        };
        match layer {
            Layer::Conv(c) => {
                push(Role::Weight, c.weight.shape().to_vec(), true);
                if let Some(b) = &c.bias {
                    push(Role::Bias, b.shape().to_vec(), true);
                }
            }
            Layer::ConvTranspose(c) => {
                push(Role::Weight, c.weight.shape().to_vec(), true);
                if let Some(b) = &c.bias {
                    push(Role::Bias, b.shape().to_vec(), true);
                }
            }
            Layer::BatchNorm(bn) => {
                let features = bn.gamma.shape().to_vec();
                push(Role::Weight, features.clone(), true);
                push(Role::Bias, features.clone(), true);
                push(Role::RunningMean, features.clone(), false);
                push(Role::RunningVar, features, false);
            }
            Layer::LayerNorm(ln) => {
                // PyTorch's nn.LayerNorm([C, H, W]) holds [C, H, W]; burn's holds the flat C·H·W.
                let flat = ln.gamma.shape().to_vec();
                let shape = model.layer_norm_shape(i).map_or(flat, |s| s.to_vec());
                push(Role::Weight, shape.clone(), true);
                push(Role::Bias, shape, true);
            }
            Layer::Relu(_) | Layer::LeakyRelu(_) | Layer::Tanh(_) | Layer::Upsample(_) => {}
        }
    }
    out
}

/// An entry's tensor exactly as the module holds it (a parameter's leaf, so gradients can be found).
enum Leaf {
    Four(Tensor<4>),
    One(Tensor<1>),
}

impl Leaf {
    fn of(model: &Sequential, entry: &Entry) -> Self {
        let bias = |b: Option<&Param<Tensor<1>>>| Leaf::One(b.expect("entries lists existing biases").val());
        match (&model.main[entry.layer], entry.role) {
            (Layer::Conv(c), Role::Weight) => Leaf::Four(c.weight.val()),
            (Layer::Conv(c), Role::Bias) => bias(c.bias.as_ref()),
            (Layer::ConvTranspose(c), Role::Weight) => Leaf::Four(c.weight.val()),
            (Layer::ConvTranspose(c), Role::Bias) => bias(c.bias.as_ref()),
            (Layer::BatchNorm(bn), Role::Weight) => Leaf::One(bn.gamma.val()),
            (Layer::BatchNorm(bn), Role::Bias) => Leaf::One(bn.beta.val()),
            (Layer::BatchNorm(bn), Role::RunningMean) => Leaf::One(bn.running_mean.value_sync()),
            (Layer::BatchNorm(bn), Role::RunningVar) => Leaf::One(bn.running_var.value_sync()),
            (Layer::LayerNorm(ln), Role::Weight) => Leaf::One(ln.gamma.val()),
            (Layer::LayerNorm(ln), Role::Bias) => bias(ln.beta.as_ref()),
            (layer, role) => unreachable!("entries never pairs {layer:?} with {role:?}"),
        }
    }

    fn flat(self) -> Tensor<1> {
        match self {
            Leaf::Four(t) => {
                let n = t.shape().num_elements();
                t.reshape([n])
            }
            Leaf::One(t) => t,
        }
    }
}

/// The device tensor behind an entry, flattened (detached from any graph).
fn tensor_of(model: &Sequential, entry: &Entry) -> Tensor<1> {
    Leaf::of(model, entry).flat().detach()
}

/// The parameter id behind a trainable entry (`None` for buffers): how an optimiser's state,
/// kept by id, is found by name.
pub fn param_id(model: &Sequential, entry: &Entry) -> Option<burn::module::ParamId> {
    let bias = |b: Option<&Param<Tensor<1>>>| b.map(|b| b.id);
    match (&model.main[entry.layer], entry.role) {
        (Layer::Conv(c), Role::Weight) => Some(c.weight.id),
        (Layer::Conv(c), Role::Bias) => bias(c.bias.as_ref()),
        (Layer::ConvTranspose(c), Role::Weight) => Some(c.weight.id),
        (Layer::ConvTranspose(c), Role::Bias) => bias(c.bias.as_ref()),
        (Layer::BatchNorm(bn), Role::Weight) => Some(bn.gamma.id),
        (Layer::BatchNorm(bn), Role::Bias) => Some(bn.beta.id),
        (Layer::LayerNorm(ln), Role::Weight) => Some(ln.gamma.id),
        (Layer::LayerNorm(ln), Role::Bias) => bias(ln.beta.as_ref()),
        _ => None,
    }
}

/// ∂loss/∂(an entry's tensor), flattened, from the gradients of one backward; `None` for buffers
/// and for parameters the loss does not depend on.
pub fn gradient_of(model: &Sequential, entry: &Entry, grads: &Gradients) -> Option<Tensor<1>> {
    match Leaf::of(model, entry) {
        Leaf::Four(t) => t.grad(grads).map(|g| Leaf::Four(g).flat()),
        Leaf::One(t) => t.grad(grads),
    }
}

/// Reads every tensor of `model` from the device in one asynchronous transaction, as f32 values
/// in `entries` order.
pub async fn read(model: &Sequential, entries: &[Entry]) -> Result<Vec<Vec<f32>>, String> {
    let mut tx = Transaction::default();
    for entry in entries {
        tx = tx.register(tensor_of(model, entry).inner());
    }
    let data = tx.execute_async().await.map_err(|e| format!("reading weights from the device failed: {e:?}"))?;
    data.into_iter().map(crate::tensor::to_f32).collect()
}

/// The tensors of `model` ready to serialise, in `dtype` (F32, F16 or BF16). BatchNorm layers get
/// a `num_batches_tracked` of `batches` so that PyTorch's strict `load_state_dict` finds every key.
pub async fn export(model: &Sequential, prefix: &str, dtype: Dtype, batches: i64) -> Result<Vec<TensorOut>, String> {
    let entries = entries(model, prefix);
    let values = read(model, &entries).await?;
    let mut out = Vec::new();
    for (entry, values) in entries.iter().zip(values) {
        // A diverged run's weights are worth nothing and would replace a good file.
        if let Some(bad) = values.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "not saved: tensor \"{}\" holds a non-finite value ({}) at index {bad} (the run has diverged)",
                entry.name, values[bad]
            ));
        }
        out.push(TensorOut::from_f32(&entry.name, entry.shape.clone(), &values, dtype)?);
        if entry.role == Role::RunningVar {
            out.push(TensorOut::i64_scalar(format!("{prefix}main.{}.num_batches_tracked", entry.layer), batches));
        }
    }
    Ok(out)
}

/// The names in `file` under `prefix` (all names when the prefix is empty).
pub fn names_under<'f>(file: &'f SafeTensors, prefix: &str) -> BTreeSet<&'f str> {
    file.tensors.iter().map(|t| t.name.as_str()).filter(|n| n.starts_with(prefix)).collect()
}

/// A copy of `model` with every tensor taken from `file` (names under `prefix`). Every check runs
/// before anything is built, so on any error `model` is untouched and nothing half-loaded exists:
/// a missing or unexpected tensor, a shape that differs (which tensor, expected and found), a
/// non-float dtype. Parameter ids are kept, so an optimiser's state stays attached.
pub fn load(model: &Sequential, file: &SafeTensors, prefix: &str) -> Result<Sequential, String> {
    let entries = entries(model, prefix);
    let expected: BTreeSet<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    for name in names_under(file, prefix) {
        let bn_counter = name.strip_suffix(".num_batches_tracked").map(|layer| format!("{layer}.running_var"));
        if !expected.contains(name) && !bn_counter.is_some_and(|n| expected.contains(n.as_str())) {
            return Err(format!("unexpected tensor \"{name}\": the model has no such parameter"));
        }
    }
    let mut values = Vec::with_capacity(entries.len());
    for entry in &entries {
        let tensor = file.get(&entry.name).ok_or_else(|| format!("missing tensor \"{}\"", entry.name))?;
        if tensor.shape != entry.shape {
            return Err(format!(
                "tensor \"{}\" has shape {:?}; the model expects {:?}",
                entry.name, tensor.shape, entry.shape
            ));
        }
        let v = file.f32_values(tensor)?;
        if let Some(bad) = v.iter().position(|x| !x.is_finite()) {
            return Err(format!("tensor \"{}\" holds a non-finite value ({}) at index {bad}", entry.name, v[bad]));
        }
        values.push(v);
    }

    let mut main: Vec<Layer> = model.main.clone();
    for (entry, values) in entries.iter().zip(values) {
        let layer = &mut main[entry.layer];
        let device = layer_device(layer);
        // Each arm below builds exactly one tensor from the values, so they move in without a copy.
        let n = values.len();
        let data = move |shape: &[usize]| TensorData::new(values, shape.to_vec());
        fn param<const D: usize>(old: &Param<Tensor<D>>, data: TensorData) -> Param<Tensor<D>> {
            let device = old.val().device();
            let require_grad = old.val().is_require_grad();
            let t = Tensor::<D>::from_data(data, &device);
            Param::initialized(old.id, if require_grad { t.require_grad() } else { t })
        }
        // A convolution weight is laid out for its device (`model::layout`), under its old id.
        let conv_weight = |old: &Param<Tensor<4>>, data: TensorData| {
            let fresh = layout::conv_weight(data, &old.val().device());
            let require_grad = old.val().is_require_grad();
            Param::initialized(old.id, fresh.val().set_require_grad(require_grad))
        };
        match (layer, entry.role) {
            (Layer::Conv(c), Role::Weight) => c.weight = conv_weight(&c.weight, data(&entry.shape)),
            (Layer::ConvTranspose(c), Role::Weight) => c.weight = conv_weight(&c.weight, data(&entry.shape)),
            (Layer::Conv(c), Role::Bias) => c.bias = c.bias.as_ref().map(|b| param(b, data(&entry.shape))),
            (Layer::ConvTranspose(c), Role::Bias) => c.bias = c.bias.as_ref().map(|b| param(b, data(&entry.shape))),
            (Layer::BatchNorm(bn), Role::Weight) => bn.gamma = param(&bn.gamma, data(&entry.shape)),
            (Layer::BatchNorm(bn), Role::Bias) => bn.beta = param(&bn.beta, data(&entry.shape)),
            (Layer::BatchNorm(bn), Role::RunningMean) => {
                bn.running_mean = RunningState::new(Tensor::from_data(data(&entry.shape), &device))
            }
            (Layer::BatchNorm(bn), Role::RunningVar) => {
                bn.running_var = RunningState::new(Tensor::from_data(data(&entry.shape), &device))
            }
            (Layer::LayerNorm(ln), Role::Weight) => ln.gamma = param(&ln.gamma, data(&[n])),
            (Layer::LayerNorm(ln), Role::Bias) => ln.beta = ln.beta.as_ref().map(|b| param(b, data(&[n]))),
            (layer, role) => unreachable!("entries never pairs {layer:?} with {role:?}"),
        }
    }
    Ok(Sequential { main, ..model.clone() })
}

fn layer_device(layer: &Layer) -> burn::tensor::Device {
    match layer {
        Layer::BatchNorm(bn) => bn.gamma.val().device(),
        Layer::Conv(c) => c.weight.val().device(),
        Layer::ConvTranspose(c) => c.weight.val().device(),
        Layer::LayerNorm(ln) => ln.gamma.val().device(),
        Layer::Relu(_) | Layer::LeakyRelu(_) | Layer::Tanh(_) | Layer::Upsample(_) => {
            unreachable!("activations have no tensors")
        }
    }
}
