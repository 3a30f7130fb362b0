//! What a finished run of a study leaves: its scores at each checkpoint and its best, or why it
//! stopped. One JSON object per line of a results file, appended as runs finish.

use serde::{Deserialize, Serialize};

use super::{Plan, PlannedRun};

/// A run's scores at one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub step: u64,
    /// FID-style distance on the classifier's features (lower is better).
    pub fid: f64,
    pub kid: f64,
    /// On triangles: precision, recall and F1 on the triangle manifold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recall: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f1: Option<f64>,
}

/// What a finished run leaves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub id: usize,
    pub variant: String,
    pub setting: usize,
    pub seed: u64,
    /// The steps it trained (fewer than planned when it diverged).
    pub steps: u64,
    /// Its best checkpoint (lowest FID-style score): the run's score, as the study counts it.
    pub best: Option<Checkpoint>,
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    pub seconds: f64,
    /// Why it stopped early or has no scores (it diverged, or its config was refused).
    pub error: Option<String>,
}

impl RunResult {
    /// A result with no scores yet, for `run`.
    pub fn empty(run: &PlannedRun) -> Self {
        Self {
            id: run.id,
            variant: run.config.variant.clone(),
            setting: run.setting,
            seed: run.config.seed,
            steps: 0,
            best: None,
            checkpoints: Vec::new(),
            seconds: 0.0,
            error: None,
        }
    }

    /// Adds a checkpoint, and keeps the best.
    pub fn record(&mut self, checkpoint: Checkpoint) {
        if self.best.as_ref().is_none_or(|b| checkpoint.fid < b.fid) {
            self.best = Some(checkpoint.clone());
        }
        self.checkpoints.push(checkpoint);
    }

    /// The FID-style score of its best checkpoint.
    pub fn fid(&self) -> Option<f64> {
        self.best.as_ref().map(|b| b.fid)
    }
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
