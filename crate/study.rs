//! "Are GANs Created Equal?" as data: the plan of a hyperparameter search (every run's config and
//! seed, drawn from the study's wide ranges) and the record each finished run leaves. Running a
//! plan is the command line's (`gan study`); a plan is reproducible from its seed, and a run's
//! record names its plan entry, so an interrupted study resumes where it stopped.

use serde::{Deserialize, Serialize};

use crate::gan::{self, Optimizer, Training};
use crate::rng::Rng;
use crate::trainer::TrainConfig;
use crate::trainer::settings::setting_named;

/// One run of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedRun {
    /// Its place in the plan: results name it.
    pub id: usize,
    /// The setting's number within its variant: 0 is the variant's published one.
    pub setting: usize,
    pub config: TrainConfig,
}

/// Every run of a study, and how long each trains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub seed: u64,
    pub steps: u64,
    pub runs: Vec<PlannedRun>,
}

/// What a finished run leaves: its scores at the end, or why it stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub id: usize,
    pub variant: String,
    pub setting: usize,
    pub seed: u64,
    pub steps: u64,
    pub fid: Option<f64>,
    pub kid: Option<f64>,
    pub seconds: f64,
    /// Why the run has no scores (it diverged, or its config was refused).
    pub error: Option<String>,
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
    steps: u64,
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
    Ok(Plan { seed, steps, runs })
}

/// The results recorded so far (one JSON object per line); a last line cut short by an
/// interruption is not a result, and is ignored.
pub fn read_results(text: &str) -> Vec<RunResult> {
    text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect()
}

/// The runs of `plan` that have no result yet, in plan order.
pub fn pending<'a>(plan: &'a Plan, results: &[RunResult]) -> Vec<&'a PlannedRun> {
    plan.runs.iter().filter(|run| !results.iter().any(|r| r.id == run.id)).collect()
}
