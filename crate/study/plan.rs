//! The plans of the study's two phases: the search (every run's config and seed, drawn from the
//! study's wide ranges, reproducible from a seed) and the seeds (each variant's best setting of a
//! search, rerun with other seeds).

use serde::{Deserialize, Serialize};

use crate::gan::{self, Optimizer, Training};
use crate::rng::Rng;
use crate::trainer::TrainConfig;
use crate::trainer::settings::setting_named;

use super::RunResult;

/// One run of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedRun {
    /// Its place in the plan: results name it.
    pub id: usize,
    /// The setting's number within its variant: 0 is the variant's published one.
    pub setting: usize,
    pub config: TrainConfig,
}

/// Which phase of the study a plan is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Settings drawn from the wide ranges, one seed each.
    #[default]
    Search,
    /// Each variant's best setting, several seeds.
    Seeds,
}

/// Every run of a study, how long each trains, and how often it is scored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    #[serde(default)]
    pub phase: Phase,
    /// The search's draw seed (a seeds plan keeps its search's).
    pub seed: u64,
    pub steps: u64,
    /// Each run is scored this many times, evenly spaced, the last at `steps`; its best score
    /// counts, as the study keeps each run's best checkpoint.
    #[serde(default = "one")]
    pub checkpoints: u64,
    pub runs: Vec<PlannedRun>,
}

fn one() -> u64 {
    1
}

impl Plan {
    /// The steps at which each run is scored.
    pub fn checkpoint_steps(&self) -> Vec<u64> {
        let n = self.checkpoints.clamp(1, self.steps.max(1));
        (1..=n).map(|k| (self.steps * k).div_ceil(n)).collect()
    }
}

/// A draw from the log-uniform distribution on [lo, hi].
fn log_uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + rng.uniform() * (hi.ln() - lo.ln())).exp()
}

/// A stream per variant, so that adding a variant to a plan leaves the others' draws as they were.
fn stream(seed: u64, variant: &str) -> Rng {
    let hash = variant.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    Rng::new(seed ^ hash)
}

/// The value of a setting or knob kept within the range this core accepts (the study's ranges are
/// wider in places: β₁ up to 1, WGAN's clip up to 1, BEGAN's γ down to 0).
fn within(value: f64, (lo, hi): (f64, f64)) -> f64 {
    value.clamp(lo, hi)
}

/// One random setting of `variant` over `base`, from the study's ranges (compare_gan's): learning
/// rate log-uniform in [1e-5, 1e-2], Adam's β₁ ~ U[0, 1], n_critic ∈ {1, 5}, WGAN's clip
/// log-uniform in [1e-3, 1], the penalties' λ log-uniform in [0.1, 100], BEGAN's λ_k log-uniform
/// in [1e-4, 1e-2] and γ ~ U[0, 1]; each kept within this core's range.
fn random_setting(variant: &str, base: &TrainConfig, rng: &mut Rng) -> Result<TrainConfig, String> {
    let published = gan::variant(variant)?;
    let range = |name: &str| setting_named(name).map_or((f64::MIN, f64::MAX), |s| (s.min, s.max));
    let lr = within(log_uniform(rng, 1e-5, 1e-2), range("lr"));
    let beta1 = within(rng.uniform(), range("beta1")) as f32;
    let optimizer = match published.optimizer() {
        Optimizer::Adam { beta2, .. } => Optimizer::Adam { learning_rate: lr, beta1, beta2 },
        Optimizer::RmsProp { .. } => Optimizer::RmsProp { learning_rate: lr },
    };
    // Drawn for every variant, so that each stream stays aligned; a joint model has no critic steps.
    let n_critic = if rng.uniform() < 0.5 { 1 } else { 5 };
    let n_critic = (published.training() == Training::Adversarial).then_some(n_critic);
    let mut knobs = std::collections::BTreeMap::new();
    for knob in published.knobs() {
        let value = match knob.name {
            "clip" => log_uniform(rng, 1e-3, 1.0),
            "lambda" => log_uniform(rng, 0.1, 100.0),
            "lambda_k" => log_uniform(rng, 1e-4, 1e-2),
            "gamma" => rng.uniform(),
            _ => continue,
        };
        knobs.insert(knob.name.to_string(), within(value, (knob.min, knob.max)));
    }
    Ok(TrainConfig { variant: variant.to_string(), optimizer: Some(optimizer), n_critic, knobs, ..base.clone() })
}

/// The search phase: for each variant, `settings` runs over `base` (setting 0 the variant's
/// published one, the rest random), each trained for `steps` steps from `base`'s seed.
pub fn search_plan(
    variants: &[&str],
    settings: usize,
    seed: u64,
    (steps, checkpoints): (u64, u64),
    base: &TrainConfig,
) -> Result<Plan, String> {
    let mut runs = Vec::new();
    for &variant in variants {
        let mut rng = stream(seed, variant);
        for setting in 0..settings {
            let config = if setting == 0 {
                TrainConfig {
                    variant: variant.to_string(),
                    optimizer: None,
                    n_critic: None,
                    knobs: Default::default(),
                    ..base.clone()
                }
            } else {
                random_setting(variant, base, &mut rng)?
            };
            config.validate().map_err(|e| format!("{variant}, setting {setting}: {e}"))?;
            runs.push(PlannedRun { id: runs.len(), setting, config });
        }
    }
    Ok(Plan { phase: Phase::Search, seed, steps, checkpoints, runs })
}

/// The seeds phase: each variant's best setting in `search` (its lowest FID-style score over the
/// runs that have one) rerun with seeds `first_seed`, `first_seed + 1`, … (`seeds` of them), for
/// as long and scored as often as the search.
pub fn seeds_plan(search: &Plan, results: &[RunResult], seeds: u64, first_seed: u64) -> Result<Plan, String> {
    let mut runs = Vec::new();
    let mut variants: Vec<&str> = Vec::new();
    for run in &search.runs {
        if !variants.contains(&run.config.variant.as_str()) {
            variants.push(&run.config.variant);
        }
    }
    for variant in variants {
        let best = results
            .iter()
            .filter(|r| r.variant == variant)
            .filter_map(|r| Some((r.best.as_ref()?.fid, r.id)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .ok_or_else(|| format!("{variant} has no scored run in the search's results"))?;
        let chosen = search.runs.iter().find(|r| r.id == best.1).ok_or_else(|| {
            format!("the results name run {} of {variant}, which the search plan does not have", best.1)
        })?;
        for k in 0..seeds {
            let config = TrainConfig { seed: first_seed + k, ..chosen.config.clone() };
            runs.push(PlannedRun { id: runs.len(), setting: chosen.setting, config });
        }
    }
    Ok(Plan { phase: Phase::Seeds, seed: search.seed, steps: search.steps, checkpoints: search.checkpoints, runs })
}
