//! A run as files: its weights (what PyTorch and the page's samplers read), or its whole state, from
//! which it goes on exactly as if it had never stopped.
//!
//! Both are safetensors files with the networks under PyTorch's state-dict names
//! (`generator.main.<i>.*`, `critic.main.<i>.*`), the variant's state under `state.*` (BEGAN's
//! k_t) and metadata describing the run (its whole config among it). A run's state adds:
//!
//! - `optimizer.<network name>.{exp_avg, exp_avg_sq}` (Adam) or `.square_avg` (RMSProp), each
//!   shaped as its parameter, and `.step`, the parameter's step count (I64), as PyTorch's
//!   optimisers name them: `optimizer.generator.main.0.weight.exp_avg`;
//! - `run.grid_latent` (the sample grid's z, [N, nz, 1, 1]) and `run.batch_order` (the epoch's
//!   order of the training examples, U32);
//! - metadata `run`: the host RNG's state and the position in the epoch, as JSON, and optionally
//!   `history`: the page's charts, kept as the page wrote them.
//!
//! A weights file (`format` "gan-playground weights 1") still loads into a run, as weights: the
//! optimiser's state and the data order then start afresh. It may carry `history` too: the
//! article's figures open on such files and chart how their runs got there.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use burn::tensor::{Device, Tensor, TensorData, Transaction};
use serde::{Deserialize, Serialize};

use crate::data::{BatchSampler, ImageDataset};
use crate::gan;
use crate::model::Sequential;
use crate::optim::{Optim, ParamState, state_names};
use crate::rng::Rng;
use crate::safetensors::{Dtype, SafeTensors, TensorOut, serialize};
use crate::tensor::to_f32;
use crate::trainer::{MAX_STEPS, TrainConfig, Trainer};
use crate::weights;

pub const WEIGHTS_FORMAT: &str = "gan-playground weights 1";
pub const RUN_FORMAT: &str = "gan-playground run 1";

/// Refuses a file that a later build wrote in a format this one does not know ("gan-playground
/// run 2"), naming both. Files of our formats' first version load in every build; a file with no
/// format (PyTorch's, anyone's) is judged by its tensors.
fn check_format(metadata: &BTreeMap<String, String>) -> Result<(), String> {
    let Some(theirs) = metadata.get("format") else { return Ok(()) };
    for ours in [WEIGHTS_FORMAT, RUN_FORMAT] {
        let (kind, version) = ours.rsplit_once(' ').expect("a format ends with its version");
        match theirs.strip_prefix(kind).and_then(|rest| rest.strip_prefix(' ')) {
            Some(v) if v == version => return Ok(()),
            Some(v) => {
                return Err(format!(
                    "this file is a {kind} of format {v}, and this page reads format {version}: a later version of the site wrote it"
                ));
            }
            None => {}
        }
    }
    Ok(())
}

/// The most bytes of chart history a run file carries (the page's charts of a long run are a few
/// hundred kilobytes).
pub const MAX_HISTORY_BYTES: usize = 16 << 20;

/// What `Trainer::load_weights` took from a file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Loaded {
    pub generator: bool,
    pub critic: bool,
    /// The whole run state came with it: the run goes on exactly where the file's stopped.
    pub resumed: bool,
    /// The file's `__metadata__`.
    pub metadata: BTreeMap<String, String>,
}

/// The run state's scalars, as the metadata `run` holds them (u64 as strings: JavaScript reads
/// this metadata too, and its numbers hold 53 bits).
#[derive(Serialize, Deserialize)]
struct RunScalars {
    rng_state: String,
    /// The bits of the RNG's left-over normal deviate, if any.
    rng_spare: Option<String>,
    batch_position: usize,
}

/// Adds the page's charts to a file's metadata, if given and not too large.
fn with_history(metadata: &mut BTreeMap<String, String>, history: Option<&str>) -> Result<(), String> {
    if let Some(history) = history {
        if history.len() > MAX_HISTORY_BYTES {
            return Err(format!("the chart history has {} bytes; the limit is {MAX_HISTORY_BYTES}", history.len()));
        }
        metadata.insert("history".into(), history.to_string());
    }
    Ok(())
}

impl Trainer {
    /// G and the critic (and the variant's state, e.g. BEGAN's k_t) as one safetensors file, so
    /// that the page and `gan` can rebuild the right model. Reads the device asynchronously.
    pub async fn save_weights(&self, dtype: Dtype) -> Result<Vec<u8>, String> {
        self.save_weights_with_history(dtype, None).await
    }

    /// As [`Trainer::save_weights`], with `history` (the page's charts) in the metadata: a figure
    /// that opens on these weights shows how the run got there.
    pub async fn save_weights_with_history(&self, dtype: Dtype, history: Option<&str>) -> Result<Vec<u8>, String> {
        let mut metadata = self.metadata(WEIGHTS_FORMAT);
        with_history(&mut metadata, history)?;
        serialize(&self.network_tensors(dtype).await?, &metadata)
    }

    /// The whole run (weights in f32, both optimisers' state, the RNG, the data order, the grid's
    /// z, the step), and `history` (the page's charts) if given: `Trainer::resume` of this file
    /// goes on exactly as this run would.
    pub async fn save_run(&self, history: Option<&str>) -> Result<Vec<u8>, String> {
        let mut tensors = self.network_tensors(Dtype::F32).await?;
        tensors.extend(optimizer_tensors(&self.generator, "generator.", &self.optim_g).await?);
        tensors.extend(optimizer_tensors(&self.discriminator, "critic.", &self.optim_d).await?);
        let z = to_f32(self.fixed_z.clone().into_data_async().await.map_err(|e| format!("reading z failed: {e:?}"))?)?;
        tensors.push(TensorOut::from_f32("run.grid_latent", self.fixed_z.dims().to_vec(), &z, Dtype::F32)?);
        let (order, batch_position) = self.sampler.parts();
        let bytes = order.iter().flat_map(|&i| (i as u32).to_le_bytes()).collect();
        tensors.push(TensorOut { name: "run.batch_order".into(), dtype: Dtype::U32, shape: vec![order.len()], bytes });
        let mut metadata = self.metadata(RUN_FORMAT);
        let (state, spare) = self.rng.snapshot();
        let scalars = RunScalars {
            rng_state: state.to_string(),
            rng_spare: spare.map(|s| s.to_bits().to_string()),
            batch_position,
        };
        metadata.insert("run".into(), serde_json::to_string(&scalars).map_err(|e| e.to_string())?);
        with_history(&mut metadata, history)?;
        serialize(&tensors, &metadata)
    }

    /// The networks' tensors and the variant's state.
    async fn network_tensors(&self, dtype: Dtype) -> Result<Vec<TensorOut>, String> {
        let mut tensors = weights::export(&self.generator, "generator.", dtype, self.step as i64).await?;
        tensors.extend(weights::export(&self.discriminator, "critic.", dtype, self.step as i64).await?);
        for (name, value) in self.variant.state() {
            let values = to_f32(value.into_data_async().await.map_err(|e| format!("reading {name} failed: {e:?}"))?)?;
            tensors.push(TensorOut::from_f32(format!("state.{name}"), vec![values.len()], &values, Dtype::F32)?);
        }
        Ok(tensors)
    }

    /// The metadata a file carries: enough to rebuild this run's networks.
    fn metadata(&self, format: &str) -> BTreeMap<String, String> {
        let c = &self.config;
        [
            ("format", format.to_string()),
            ("model", c.architecture(self.variant.as_ref()).to_string()),
            ("variant", c.variant.clone()),
            ("dataset", c.dataset.clone()),
            ("nz", c.model.nz.to_string()),
            ("g_width", c.model.g_width.to_string()),
            ("d_width", c.model.d_width.to_string()),
            ("steps", self.step.to_string()),
            ("config", serde_json::to_string(c).unwrap_or_default()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// The run config a file's metadata carries (parsed, not yet validated).
    pub fn config_of(bytes: &[u8]) -> Result<TrainConfig, String> {
        let file = SafeTensors::parse(bytes)?;
        check_format(&file.metadata)?;
        let config = file.metadata.get("config").ok_or("the file has no run config in its metadata")?;
        serde_json::from_str(config).map_err(|e| format!("the file's run config is not valid: {e}"))
    }

    /// A run built from a file's config and restored from it: exactly where the file's run
    /// stopped when the file holds a run's state, from its weights otherwise.
    pub fn resume(bytes: &[u8], data: Arc<ImageDataset>, device: &Device) -> Result<(Trainer, Loaded), String> {
        let mut trainer = Trainer::new(Self::config_of(bytes)?, data, device)?;
        let loaded = trainer.load_weights(bytes, None)?;
        Ok((trainer, loaded))
    }

    /// Replaces G and/or the critic with the weights in a safetensors file, and the rest of the
    /// run with the file's run state when it holds one. Names under `generator.` / `critic.` go to
    /// those networks; a bare PyTorch state dict (`main.*`) goes to `target` ("generator" or
    /// "critic"). Everything is checked before anything changes: on any error the run is exactly
    /// as it was. Without a run state, the optimisers' state is kept (same parameter ids).
    pub fn load_weights(&mut self, bytes: &[u8], target: Option<&str>) -> Result<Loaded, String> {
        let file = SafeTensors::parse(bytes)?;
        check_format(&file.metadata)?;
        let has = |prefix: &str| !weights::names_under(&file, prefix).is_empty();
        let (g_prefix, d_prefix) = if has("generator.") || has("critic.") {
            const PARTS: [&str; 5] = ["generator.", "critic.", "state.", "optimizer.", "run."];
            if let Some(other) =
                file.tensors.iter().map(|t| t.name.as_str()).find(|n| !PARTS.iter().any(|p| n.starts_with(p)))
            {
                return Err(format!("unexpected tensor \"{other}\" next to generator./critic. weights"));
            }
            (has("generator.").then_some("generator."), has("critic.").then_some("critic."))
        } else {
            match target {
                Some("generator") => (Some(""), None),
                Some("critic") => (None, Some("")),
                None => return Err(
                    "this file holds one network's state dict (main.*): say whether it is the generator or the critic"
                        .into(),
                ),
                Some(other) => return Err(format!("unknown target \"{other}\" (use \"generator\" or \"critic\")")),
            }
        };
        let generator =
            g_prefix.map(|p| weights::load(&self.generator, &file, p).map_err(|e| format!("generator: {e}")));
        let generator = generator.transpose()?;
        let critic = d_prefix.map(|p| weights::load(&self.discriminator, &file, p).map_err(|e| format!("critic: {e}")));
        let critic = critic.transpose()?;
        let plain = self.device.clone().without_autodiff();
        let mut state = Vec::new();
        for t in file.tensors.iter().filter(|t| t.name.starts_with("state.")) {
            let values = finite(&file, t)?;
            state.push((&t.name["state.".len()..], Tensor::<1>::from_data(TensorData::new(values, [t.len()]), &plain)));
        }
        let steps = match file.metadata.get("steps") {
            None => None,
            Some(s) => Some(s.parse::<u64>().ok().filter(|&n| n <= MAX_STEPS).ok_or_else(|| {
                format!("the metadata's \"steps\" must be a whole number up to {MAX_STEPS}, got {s:?}")
            })?),
        };
        let run = if has("optimizer.") || has("run.") || file.metadata.contains_key("run") {
            Some(self.run_state(&file, &plain)?)
        } else {
            None
        };
        // Nothing has changed so far; from here on nothing can fail but the state, checked first.
        let mut variant = gan::variant(&self.config.variant)?;
        for (name, value) in &state {
            variant.set_state(name, value.clone())?;
        }
        for (name, value) in state {
            self.variant.set_state(name, value)?;
        }
        let loaded = Loaded {
            generator: generator.is_some(),
            critic: critic.is_some(),
            resumed: run.is_some(),
            metadata: file.metadata.clone(),
        };
        // The step count goes on from the file's, so that a continued run counts on.
        if let Some(steps) = steps {
            self.step = steps;
        }
        if let Some(g) = generator {
            self.generator = g;
        }
        if let Some(d) = critic {
            self.discriminator = d;
        }
        if let Some(run) = run {
            self.optim_g.set_states(run.generator);
            self.optim_d.set_states(run.critic);
            self.rng = run.rng;
            self.sampler = run.sampler;
            self.fixed_z = run.grid_latent;
        }
        Ok(loaded)
    }

    /// The run state of a file, checked whole against this run (its networks, its optimiser,
    /// its data); nothing of the run changes here.
    fn run_state(&self, file: &SafeTensors, plain: &Device) -> Result<RunState, String> {
        let scalars = file.metadata.get("run").ok_or("the file has a run's tensors but no \"run\" metadata")?;
        let scalars: RunScalars =
            serde_json::from_str(scalars).map_err(|e| format!("the \"run\" metadata is not valid: {e}"))?;
        let rng_state = scalars.rng_state.parse::<u64>().map_err(|_| "the RNG state is not a 64-bit number")?;
        let spare = match &scalars.rng_spare {
            None => None,
            Some(bits) => {
                let bits = bits.parse::<u64>().map_err(|_| "the RNG's spare deviate is not a 64-bit number")?;
                let value = f64::from_bits(bits);
                if !value.is_finite() {
                    return Err("the RNG's spare deviate is not finite".into());
                }
                Some(value)
            }
        };
        let order = file.get("run.batch_order").ok_or("the file has no \"run.batch_order\"")?;
        if order.dtype != Dtype::U32 || order.shape.len() != 1 {
            return Err("\"run.batch_order\" must be a list of U32 indices".into());
        }
        let order: Vec<usize> = file
            .bytes_of(order)
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .collect();
        let sampler = BatchSampler::from_parts(order, scalars.batch_position, self.data.len())?;
        let z = file.get("run.grid_latent").ok_or("the file has no \"run.grid_latent\"")?;
        let nz = self.config.model.nz;
        if z.shape.len() != 4 || z.shape[1..] != [nz, 1, 1] || !(1..=256).contains(&z.shape[0]) {
            return Err(format!("\"run.grid_latent\" must be [N, {nz}, 1, 1] with N from 1 to 256, not {:?}", z.shape));
        }
        let grid_latent = Tensor::<4>::from_data(TensorData::new(finite(file, z)?, z.shape.clone()), plain);
        let generator = optimizer_states(file, &self.generator, "generator.", &self.optim_g, plain)?;
        let critic = optimizer_states(file, &self.discriminator, "critic.", &self.optim_d, plain)?;
        let known = |name: &str| {
            ["run.batch_order", "run.grid_latent"].contains(&name)
                || generator.1.iter().chain(&critic.1).any(|n| n == name)
        };
        let strays = file.tensors.iter().map(|t| t.name.as_str());
        let mut strays = strays.filter(|n| (n.starts_with("optimizer.") || n.starts_with("run.")) && !known(n));
        if let Some(stray) = strays.next() {
            return Err(format!("unexpected tensor \"{stray}\": this run has no such state"));
        }
        Ok(RunState {
            generator: generator.0,
            critic: critic.0,
            rng: Rng::restore((rng_state, spare)),
            sampler,
            grid_latent,
        })
    }
}

/// A file's run state, checked and on the device, ready to replace a run's.
struct RunState {
    generator: HashMap<burn::module::ParamId, ParamState>,
    critic: HashMap<burn::module::ParamId, ParamState>,
    rng: Rng,
    sampler: BatchSampler,
    grid_latent: Tensor<4>,
}

/// A float tensor's values, refused if any is not finite.
fn finite(file: &SafeTensors, t: &crate::safetensors::TensorInfo) -> Result<Vec<f32>, String> {
    let values = file.f32_values(t)?;
    match values.iter().position(|v| !v.is_finite()) {
        Some(bad) => Err(format!("tensor \"{}\" holds a non-finite value ({}) at index {bad}", t.name, values[bad])),
        None => Ok(values),
    }
}

/// The optimiser's state of every parameter of `model` that has one, under `optimizer.<name>.*`.
async fn optimizer_tensors(model: &Sequential, prefix: &str, optim: &Optim) -> Result<Vec<TensorOut>, String> {
    let mut tx = Transaction::default();
    let mut names = Vec::new();
    let mut out = Vec::new();
    for entry in weights::entries(model, prefix) {
        let Some(state) = weights::param_id(model, &entry).and_then(|id| optim.state(id)) else { continue };
        for (name, tensor) in state.tensors() {
            tx = tx.register(tensor);
            names.push((format!("optimizer.{}.{name}", entry.name), entry.shape.clone()));
        }
        out.push(TensorOut::i64_scalar(format!("optimizer.{}.step", entry.name), state.step() as i64));
    }
    let data = tx.execute_async().await.map_err(|e| format!("reading the optimiser's state failed: {e:?}"))?;
    for ((name, shape), data) in names.into_iter().zip(data) {
        let values = to_f32(data)?;
        if let Some(bad) = values.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "not saved: \"{name}\" holds a non-finite value ({}) (the run has diverged)",
                values[bad]
            ));
        }
        out.push(TensorOut::from_f32(name, shape, &values, Dtype::F32)?);
    }
    Ok(out)
}

/// The optimiser's state of `model`'s parameters from `file`, by parameter id, with the names it
/// used. A parameter has all of its rule's tensors and a step count, or none (a fresh state).
#[allow(clippy::type_complexity)]
fn optimizer_states(
    file: &SafeTensors,
    model: &Sequential,
    prefix: &str,
    optim: &Optim,
    plain: &Device,
) -> Result<(HashMap<burn::module::ParamId, ParamState>, Vec<String>), String> {
    let rule = optim.rule();
    let mut states = HashMap::new();
    let mut used = Vec::new();
    for entry in weights::entries(model, prefix).into_iter().filter(|e| e.trainable) {
        let Some(id) = weights::param_id(model, &entry) else { continue };
        let base = format!("optimizer.{}", entry.name);
        let names: Vec<String> =
            state_names(&rule).iter().map(|n| format!("{base}.{n}")).chain([format!("{base}.step")]).collect();
        let found: Vec<_> = names.iter().map(|n| file.get(n)).collect();
        if found.iter().all(Option::is_none) {
            continue;
        }
        let Some(found) = found.into_iter().collect::<Option<Vec<_>>>() else {
            let other = file.tensors.iter().find(|t| t.name.starts_with(&format!("{base}.")));
            let hint = other.map_or(String::new(), |t| format!(" (the file has \"{}\")", t.name));
            return Err(format!("{base}: the state of {rule:?} needs {}{hint}", names.join(", ")));
        };
        let (tensors, step) = found.split_at(found.len() - 1);
        let step = step[0];
        if step.dtype != Dtype::I64 || !step.shape.is_empty() {
            return Err(format!("\"{}\" must be an I64 scalar", step.name));
        }
        let step = i64::from_le_bytes(file.bytes_of(step).try_into().map_err(|_| "unreachable")?);
        let step = u64::try_from(step).ok().filter(|s| (1..=MAX_STEPS).contains(s));
        let step = step.ok_or_else(|| format!("{base}.step must be a whole number from 1 to {MAX_STEPS}"))?;
        let mut values = Vec::new();
        for t in tensors {
            if t.shape != entry.shape {
                return Err(format!("\"{}\" has shape {:?}; the parameter has {:?}", t.name, t.shape, entry.shape));
            }
            let v = finite(file, t)?;
            values.push(Tensor::<1>::from_data(TensorData::new(v, [t.len()]), plain));
        }
        let state = match values.as_slice() {
            [exp_avg, exp_avg_sq] => {
                ParamState::Adam { step, exp_avg: exp_avg.clone(), exp_avg_sq: exp_avg_sq.clone() }
            }
            [square_avg] => ParamState::RmsProp { step, square_avg: square_avg.clone() },
            _ => unreachable!("a rule keeps one or two tensors"),
        };
        states.insert(id, state);
        used.extend(names);
    }
    Ok((states, used))
}
