//! The optimisers of G and the critic, written out so that their whole state belongs to the run:
//! it can be saved under the parameters' PyTorch names and restored into a new run exactly
//! (burn's own keep it behind parameter ids that a new run does not share).
//!
//! The arithmetic is burn 0.22's Adam and RMSProp, operation for operation, with PyTorch's
//! settings: Adam with ε = 1e-8; RMSProp with α = 0.99, ε = 1e-8, no momentum, not centred.
//! With m, v the moments, t the step count and g the gradient:
//!
//! ```text
//! Adam:    m ← β₁m + (1 − β₁)g    v ← β₂v + (1 − β₂)g²    t ← t + 1
//!          p ← p − lr · (√(1 − β₂ᵗ) / (1 − β₁ᵗ)) · m / (√v + ε√(1 − β₂ᵗ))
//! RMSProp: s ← αs + (1 − α)g²     p ← p − lr · g / (√s + ε)
//! ```
//!
//! which is PyTorch's `p − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)` rearranged.

use std::collections::HashMap;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::model::{Sequential, layout};

/// The optimiser both networks train with.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Optimizer {
    /// Adam with PyTorch's ε = 1e-8.
    Adam { learning_rate: f64, beta1: f32, beta2: f32 },
    /// RMSProp as PyTorch's defaults have it: α = 0.99, ε = 1e-8, no momentum, not centred.
    RmsProp { learning_rate: f64 },
}

impl Optimizer {
    pub fn learning_rate(&self) -> f64 {
        match *self {
            Optimizer::Adam { learning_rate, .. } | Optimizer::RmsProp { learning_rate } => learning_rate,
        }
    }

    /// The same optimiser with another learning rate.
    pub fn with_learning_rate(self, learning_rate: f64) -> Self {
        match self {
            Optimizer::Adam { beta1, beta2, .. } => Optimizer::Adam { learning_rate, beta1, beta2 },
            Optimizer::RmsProp { .. } => Optimizer::RmsProp { learning_rate },
        }
    }
}

/// Adam's and RMSProp's ε, as PyTorch's (burn's default is 1e-5).
pub const EPSILON: f32 = 1e-8;
/// RMSProp's smoothing constant, as PyTorch's default.
pub const RMSPROP_ALPHA: f32 = 0.99;

/// One parameter's state, flattened (values in the parameter's own order).
// Both variants hold tensors (a tensor handle is large): boxing them would only add a hop.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum ParamState {
    /// Adam: the step count and both moments (PyTorch's `step`, `exp_avg`, `exp_avg_sq`).
    Adam { step: u64, exp_avg: Tensor<1>, exp_avg_sq: Tensor<1> },
    /// RMSProp: the step count and the running mean of g² (PyTorch's `step`, `square_avg`).
    RmsProp { step: u64, square_avg: Tensor<1> },
}

impl ParamState {
    pub fn step(&self) -> u64 {
        match self {
            ParamState::Adam { step, .. } | ParamState::RmsProp { step, .. } => *step,
        }
    }

    /// The state's tensors by PyTorch's names.
    pub fn tensors(&self) -> Vec<(&'static str, Tensor<1>)> {
        match self {
            ParamState::Adam { exp_avg, exp_avg_sq, .. } => {
                vec![("exp_avg", exp_avg.clone()), ("exp_avg_sq", exp_avg_sq.clone())]
            }
            ParamState::RmsProp { square_avg, .. } => vec![("square_avg", square_avg.clone())],
        }
    }
}

/// The names of the state tensors a rule keeps for each parameter.
pub fn state_names(rule: &Optimizer) -> &'static [&'static str] {
    match rule {
        Optimizer::Adam { .. } => &["exp_avg", "exp_avg_sq"],
        Optimizer::RmsProp { .. } => &["square_avg"],
    }
}

/// Each parameter's part of the flat buffers starts at a multiple of this many values (256 bytes,
/// WebGPU's storage-offset alignment), so that the part is a view of the buffer, not a copy.
const FLAT_ALIGN: usize = 64;

/// A network's optimiser state as one buffer per moment, and where each parameter lies in it
/// (offset, length; the gaps between parts hold zeros, which stay zero). A parameter's own state
/// is cut from it only when asked for (a save): a part that does not end on a 256-byte block is a
/// copy, two kernels per such parameter and step otherwise.
#[derive(Clone, Debug)]
struct Flat {
    parts: Vec<(ParamId, usize, usize)>,
    state: ParamState,
}

/// An optimiser and its state, for one network.
///
/// A step updates every parameter at once: the gradients gathered into one flat buffer, the rule
/// applied to it and to the flat state, and each parameter's part subtracted. On WebGPU that is a
/// handful of kernels per network instead of a dozen per parameter tensor, with the same values:
/// the rule is element-wise.
#[derive(Clone, Debug)]
pub struct Optim {
    rule: Optimizer,
    /// Each parameter's state where there is no flat one (a restored run's, or one stepped alone).
    states: HashMap<ParamId, ParamState>,
    flat: Option<Flat>,
    /// Zeros kept from step to step for the gaps between the flat buffers' parts, one tensor per
    /// gap length: a slice of a longer one would be a copy (its end is off a block), and a
    /// concatenation that starts with new zeros is not fused.
    zeros: HashMap<usize, Tensor<1>>,
}

impl Optim {
    pub fn new(rule: Optimizer) -> Self {
        Self { rule, states: HashMap::new(), flat: None, zeros: HashMap::new() }
    }

    pub fn rule(&self) -> Optimizer {
        self.rule
    }

    /// One step of every parameter of `module` that has a gradient in `grads`, each then clipped
    /// to [−c, c] where a bound c is given (WGAN's critic).
    pub fn step(&mut self, module: Sequential, grads: GradientsParams, clip: Option<f64>) -> Sequential {
        let mut gathered = Gather { grads: &grads, found: Vec::new() };
        module.visit(&mut gathered);
        let found = gathered.found;
        let Some(previous) = self.flat_state(&found) else {
            // Parameters whose states are not one step count (a hand-made run file): one by one.
            return module.map(&mut Stepper { rule: self.rule, grads, states: &mut self.states, clip });
        };
        let Some((_, first)) = found.first() else { return module };
        let device = first.device();
        let (parts, total) = flat_parts(found.iter().map(|(id, g)| (*id, g.dims()[0])));
        let grad = flat(&parts, total, &mut self.zeros, &device, found.into_iter().map(|(_, g)| g));
        let (delta, state) = update(&self.rule, grad, previous);
        // The flat state holds every stepped parameter's now.
        for (id, ..) in &parts {
            self.states.remove(id);
        }
        let deltas = parts.iter().map(|&(id, offset, n)| (id, delta.clone().slice(offset..offset + n))).collect();
        self.flat = Some(Flat { parts, state });
        module.map(&mut Subtract { deltas, clip })
    }

    /// The flat state for parameters `found` (with their flattened gradients): the last step's
    /// when it was laid out for the same parameters; else gathered from the per-parameter states
    /// (a restored run's), None inside when there are none yet (the first step), or None when
    /// they cannot be one buffer (not every parameter has a state, or their step counts differ).
    fn flat_state(&mut self, found: &[(ParamId, Tensor<1>)]) -> Option<Option<ParamState>> {
        let same_parts = |flat: &Flat| {
            flat.parts.len() == found.len()
                && flat.parts.iter().zip(found).all(|(p, (id, g))| p.0 == *id && p.2 == g.dims()[0])
        };
        match self.flat.take() {
            Some(flat) if same_parts(&flat) => return Some(Some(flat.state)),
            Some(flat) => {
                self.states.extend(flat.parts.iter().map(|&(id, offset, n)| (id, flat.state.part(offset..offset + n))))
            }
            None => {}
        }
        if self.states.is_empty() {
            return Some(None);
        }
        let states: Vec<&ParamState> = found.iter().map(|(id, _)| self.states.get(id)).collect::<Option<_>>()?;
        let step = states.first()?.step();
        if states.iter().any(|s| s.step() != step || std::mem::discriminant(*s) != std::mem::discriminant(states[0])) {
            return None;
        }
        let (parts, total) = flat_parts(found.iter().map(|(id, g)| (*id, g.dims()[0])));
        let device = found.first()?.1.device();
        let mut gather =
            |k: usize| flat(&parts, total, &mut self.zeros, &device, states.iter().map(|s| s.tensors()[k].1.clone()));
        Some(Some(match states[0] {
            ParamState::Adam { .. } => ParamState::Adam { step, exp_avg: gather(0), exp_avg_sq: gather(1) },
            ParamState::RmsProp { .. } => ParamState::RmsProp { step, square_avg: gather(0) },
        }))
    }

    /// A parameter's state, once it has been stepped.
    pub fn state(&self, id: ParamId) -> Option<ParamState> {
        let in_flat = self.flat.as_ref().and_then(|flat| {
            let &(_, offset, n) = flat.parts.iter().find(|part| part.0 == id)?;
            Some(flat.state.part(offset..offset + n))
        });
        in_flat.or_else(|| self.states.get(&id).cloned())
    }

    /// Replaces every parameter's state (a restored run's).
    pub fn set_states(&mut self, states: HashMap<ParamId, ParamState>) {
        self.states = states;
        self.flat = None;
    }
}

/// One flat buffer of `total` values holding each of `values` at its part, the gaps between
/// them kept `zeros` (by length), as one concatenation: kernel fusion writes it in one kernel,
/// not one per part.
fn flat(
    parts: &[(ParamId, usize, usize)],
    total: usize,
    zeros: &mut HashMap<usize, Tensor<1>>,
    device: &Device,
    values: impl Iterator<Item = Tensor<1>>,
) -> Tensor<1> {
    let mut pieces = Vec::with_capacity(2 * parts.len() + 1);
    let mut end = 0;
    let mut gap = |len: usize| -> Tensor<1> {
        match zeros.get(&len) {
            Some(kept) if kept.device() == *device => kept.clone(),
            _ => zeros.entry(len).insert_entry(Tensor::zeros([len], device)).get().clone(),
        }
    };
    for ((_, offset, n), value) in parts.iter().zip(values) {
        if *offset > end {
            pieces.push(gap(offset - end));
        }
        end = offset + n;
        pieces.push(value);
    }
    if total > end {
        pieces.push(gap(total - end));
    }
    Tensor::cat(pieces, 0)
}

/// Where parameters of these lengths lie in a flat buffer, and its length. A part is a view only
/// where both the values before it and those after it fill whole 256-byte blocks, so the buffer
/// ends on a block too.
fn flat_parts(lengths: impl Iterator<Item = (ParamId, usize)>) -> (Vec<(ParamId, usize, usize)>, usize) {
    let mut total = 0;
    let parts = lengths
        .map(|(id, n)| {
            let part = (id, total, n);
            total += n.div_ceil(FLAT_ALIGN) * FLAT_ALIGN;
            part
        })
        .collect();
    (parts, total)
}

impl ParamState {
    /// The state of the part `range` of a flat state.
    fn part(&self, range: std::ops::Range<usize>) -> ParamState {
        match self {
            ParamState::Adam { step, exp_avg, exp_avg_sq } => ParamState::Adam {
                step: *step,
                exp_avg: exp_avg.clone().slice(range.clone()),
                exp_avg_sq: exp_avg_sq.clone().slice(range),
            },
            ParamState::RmsProp { step, square_avg } => {
                ParamState::RmsProp { step: *step, square_avg: square_avg.clone().slice(range) }
            }
        }
    }
}

/// The parameters of a network that have a gradient, in the network's order, with the gradient
/// flattened.
struct Gather<'a> {
    grads: &'a GradientsParams,
    found: Vec<(ParamId, Tensor<1>)>,
}

impl ModuleVisitor for Gather<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(grad) = self.grads.get::<D>(param.id) {
            let n = grad.shape().num_elements();
            self.found.push((param.id, grad.reshape([n])));
        }
    }
}

/// Subtracts each parameter's step (a part of the flat one).
struct Subtract {
    deltas: HashMap<ParamId, Tensor<1>>,
    clip: Option<f64>,
}

impl ModuleMapper for Subtract {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let next = match self.deltas.remove(&id) {
            Some(delta) => minus(tensor, delta, self.clip),
            None => tensor,
        };
        Param::from_mapped_value(id, next, mapper)
    }
}

struct Stepper<'a> {
    rule: Optimizer,
    grads: GradientsParams,
    states: &'a mut HashMap<ParamId, ParamState>,
    clip: Option<f64>,
}

impl ModuleMapper for Stepper<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.remove::<D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let n = tensor.shape().num_elements();
        let (delta, state) = update(&self.rule, grad.reshape([n]), self.states.remove(&id));
        self.states.insert(id, state);
        Param::from_mapped_value(id, minus(tensor, delta, self.clip), mapper)
    }
}

/// A parameter's value less a flattened step (then clipped), still tracked by autodiff where it was.
fn minus<const D: usize>(tensor: Tensor<D>, delta: Tensor<1>, clip: Option<f64>) -> Tensor<D> {
    let require_grad = tensor.is_require_grad();
    let value = tensor.inner();
    let shape = value.shape();
    let next = Tensor::from_inner(layout::subtract(value, delta.reshape(shape), clip));
    if require_grad { next.require_grad() } else { next }
}

/// The step to subtract from a parameter, and its new state.
fn update(rule: &Optimizer, grad: Tensor<1>, state: Option<ParamState>) -> (Tensor<1>, ParamState) {
    match *rule {
        Optimizer::Adam { learning_rate, beta1, beta2 } => {
            let (exp_avg, exp_avg_sq, step) = match state {
                Some(ParamState::Adam { step, exp_avg, exp_avg_sq }) => (
                    exp_avg.mul_scalar(beta1).add(grad.clone().mul_scalar(1.0 - beta1)),
                    exp_avg_sq.mul_scalar(beta2).add(grad.square().mul_scalar(1.0 - beta2)),
                    step + 1,
                ),
                _ => (grad.clone().mul_scalar(1.0 - beta1), grad.square().mul_scalar(1.0 - beta2), 1),
            };
            let t = step.min(i32::MAX as u64) as i32;
            let bias_correction2_sqrt = (1.0 - beta2.powi(t)).sqrt();
            let factor = bias_correction2_sqrt / (1.0 - beta1.powi(t));
            let direction = exp_avg
                .clone()
                .mul_scalar(factor)
                .div(exp_avg_sq.clone().sqrt().add_scalar(EPSILON * bias_correction2_sqrt));
            (direction.mul_scalar(learning_rate), ParamState::Adam { step, exp_avg, exp_avg_sq })
        }
        Optimizer::RmsProp { learning_rate } => {
            let (square_avg, step) = match state {
                Some(ParamState::RmsProp { step, square_avg }) => (
                    square_avg.mul_scalar(RMSPROP_ALPHA).add(grad.clone().square().mul_scalar(1.0 - RMSPROP_ALPHA)),
                    step + 1,
                ),
                _ => (grad.clone().square().mul_scalar(1.0 - RMSPROP_ALPHA), 1),
            };
            let direction = grad.div(square_avg.clone().sqrt().add_scalar(EPSILON));
            (direction.mul_scalar(learning_rate), ParamState::RmsProp { step, square_avg })
        }
    }
}
