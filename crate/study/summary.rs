//! What the study's figures show, computed from results files, for `gan study figures` and the
//! page alike: per variant, the best score against the number of settings tried (the budget; the
//! mean of the best of k settings drawn with replacement, and its 95 % band, by bootstrap, as the
//! study estimates it), the spread of the best setting's score over seeds (a box plot's five
//! numbers), and, on triangles, precision against recall.

use serde::Serialize;

use super::RunResult;
use crate::rng::Rng;

/// The best-of-k score at one budget k.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BudgetPoint {
    pub k: usize,
    pub mean: f64,
    /// The 2.5th and 97.5th percentiles of the bootstrap draws.
    pub lo: f64,
    pub hi: f64,
}

/// A box plot's numbers: the extremes, the quartiles and the median (linear interpolation).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BoxStats {
    pub n: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    pub mean: f64,
}

/// One variant's part of every figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantSummary {
    pub variant: String,
    /// Search runs with a score, and without one (diverged or refused before the first).
    pub scored: usize,
    pub failed: usize,
    pub budget: Vec<BudgetPoint>,
    /// The best search setting's number, and its FID-style score.
    pub best_setting: Option<(usize, f64)>,
    /// The seeds phase's scores (each run's best), and their box plot's numbers.
    pub seed_scores: Vec<f64>,
    pub seeds: Option<BoxStats>,
    /// Each search run's (precision, recall) at its best checkpoint, where scored on triangles.
    pub precision_recall: Vec<(f64, f64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub variants: Vec<VariantSummary>,
}

/// Bootstrap resamples per budget point.
pub const RESAMPLES: usize = 1000;

/// The value at quantile `q` of sorted `values`, interpolated linearly between neighbours.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let at = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
}

/// The five numbers and mean of `values` (`None` when empty).
pub fn box_stats(values: &[f64]) -> Option<BoxStats> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    Some(BoxStats {
        n: sorted.len(),
        min: sorted[0],
        q1: quantile(&sorted, 0.25),
        median: quantile(&sorted, 0.5),
        q3: quantile(&sorted, 0.75),
        max: sorted[sorted.len() - 1],
        mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
    })
}

/// The best-of-k score for k = 1 … `scores.len()`: for each k, `resamples` draws of k scores with
/// replacement, the minimum of each; their mean and 95 % band. Reproducible from `seed`.
pub fn budget_curve(scores: &[f64], resamples: usize, seed: u64) -> Vec<BudgetPoint> {
    let mut rng = Rng::new(seed);
    (1..=scores.len())
        .map(|k| {
            let mut minima: Vec<f64> = (0..resamples)
                .map(|_| (0..k).map(|_| scores[rng.below(scores.len())]).fold(f64::INFINITY, f64::min))
                .collect();
            minima.sort_by(f64::total_cmp);
            let mean = minima.iter().sum::<f64>() / minima.len() as f64;
            BudgetPoint { k, mean, lo: quantile(&minima, 0.025), hi: quantile(&minima, 0.975) }
        })
        .collect()
}

/// The figures' numbers from a search's results and (possibly empty) seeds results, per variant
/// in the order they first appear. A run without a score counts as failed and is left out of the
/// budget curve.
pub fn summarise(search: &[RunResult], seeds: &[RunResult]) -> Summary {
    let mut order: Vec<&str> = Vec::new();
    for r in search.iter().chain(seeds) {
        if !order.contains(&r.variant.as_str()) {
            order.push(&r.variant);
        }
    }
    let variants = order
        .into_iter()
        .map(|variant| {
            let runs: Vec<&RunResult> = search.iter().filter(|r| r.variant == variant).collect();
            let scores: Vec<f64> = runs.iter().filter_map(|r| r.fid()).collect();
            let best_setting =
                runs.iter().filter_map(|r| Some((r.setting, r.fid()?))).min_by(|a, b| a.1.total_cmp(&b.1));
            let seed_scores: Vec<f64> = seeds.iter().filter(|r| r.variant == variant).filter_map(|r| r.fid()).collect();
            let precision_recall =
                runs.iter().filter_map(|r| r.best.as_ref().and_then(|b| Some((b.precision?, b.recall?)))).collect();
            VariantSummary {
                variant: variant.to_string(),
                scored: scores.len(),
                failed: runs.len() - scores.len(),
                budget: budget_curve(&scores, RESAMPLES, 0x5EED),
                best_setting,
                seeds: box_stats(&seed_scores),
                seed_scores,
                precision_recall,
            }
        })
        .collect();
    Summary { variants }
}
