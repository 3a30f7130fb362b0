//! `gan study plan` and `gan study run`: "Are GANs Created Equal?"'s search on this machine, one run
//! after another, each scored at its end (see `gan_playground::study`).

use std::io::Write;
use std::time::Instant;

use burn::tensor::read_sync;
use gan_playground::classifier::Classifier;
use gan_playground::score::{self, Recall, TOLERANCE_PIXELS};
use gan_playground::study::{self, PlannedRun, RunResult};
use gan_playground::trainer::settings::{POINTS_GRID_SAMPLES, POINTS_NZ};
use gan_playground::trainer::{TrainConfig, Trainer};

use crate::cli::{Source, StudyPlanArgs, StudyRunArgs, device};
use crate::output::{read, write_atomic};

/// Recall on triangles, as the page measures it (a run's score, not the study's final figure).
const RECALL: Recall = Recall { m: 50, steps: 60, tolerance_pixels: TOLERANCE_PIXELS };

pub fn plan(args: &StudyPlanArgs) -> Result<(), String> {
    let mut base = TrainConfig {
        dataset: args.source.dataset.clone(),
        batch_size: args.batch,
        seed: args.seed,
        ..TrainConfig::default()
    };
    (base.model.g_width, base.model.d_width) = (args.g_width, args.d_width);
    if base.is_points() {
        (base.model.nz, base.grid_samples) = (POINTS_NZ, POINTS_GRID_SAMPLES);
    }
    let variants: Vec<&str> = args.variants.iter().map(String::as_str).collect();
    let plan = study::search_plan(&variants, args.settings as usize, args.draw_seed, args.steps, &base)?;
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_atomic(&args.out, &serde_json::to_vec_pretty(&plan).map_err(|e| e.to_string())?)?;
    println!("{} runs of {} steps planned in {}", plan.runs.len(), plan.steps, args.out.display());
    Ok(())
}

pub fn run(args: &StudyRunArgs, backend: &str) -> Result<(), String> {
    let plan: study::Plan =
        serde_json::from_slice(&read(&args.plan)?).map_err(|e| format!("{}: not a plan ({e})", args.plan.display()))?;
    let done = match std::fs::read_to_string(&args.results) {
        Ok(text) => study::read_results(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", args.results.display())),
    };
    let pending = study::pending(&plan, &done);
    let limit = args.limit.map_or(pending.len(), |l| l as usize);
    println!("{} of {} runs done; running {}", done.len(), plan.runs.len(), pending.len().min(limit));
    if pending.is_empty() {
        return Ok(());
    }
    let (device, _) = device(backend)?;
    let classifier = Classifier::load(&read(&args.classifier)?, &device)
        .map_err(|e| format!("{}: {e}", args.classifier.display()))?;
    let source = Source { dataset: String::new(), data: args.data.clone() };
    if let Some(dir) = args.results.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    for run in pending.into_iter().take(limit) {
        let started = Instant::now();
        let outcome = train_and_score(run, plan.steps, &source, &classifier, args.n as usize, &device);
        let (fid, kid, error) = match outcome {
            Ok((fid, kid)) => (Some(fid), Some(kid), None),
            Err(e) => (None, None, Some(e)),
        };
        let result = RunResult {
            id: run.id,
            variant: run.config.variant.clone(),
            setting: run.setting,
            seed: run.config.seed,
            steps: plan.steps,
            fid,
            kid,
            seconds: started.elapsed().as_secs_f64(),
            error,
        };
        println!(
            "run {} ({} setting {}): {}",
            run.id,
            result.variant,
            run.setting,
            result.fid.map_or_else(|| result.error.clone().unwrap_or_default(), |f| format!("FID-style {f:.3}"))
        );
        append(&args.results, &result)?;
    }
    Ok(())
}

/// Trains a planned run for `steps` steps and scores its generator: (FID-style, KID).
fn train_and_score(
    run: &PlannedRun,
    steps: u64,
    source: &Source,
    classifier: &Classifier,
    n: usize,
    device: &burn::tensor::Device,
) -> Result<(f64, f64), String> {
    let data = source.load_named(&run.config.dataset)?;
    let mut trainer = Trainer::new(run.config.clone(), data, device)?;
    for _ in 0..steps {
        trainer.train_step()?;
    }
    if !read_sync(trainer.readout(false))?.is_finite() {
        return Err(format!("diverged by step {steps}"));
    }
    let config = trainer.config();
    let plain = trainer.grid_latent().device();
    let scoring = (n, config.seed ^ 0x5C0E);
    let evaluation = read_sync(score::evaluate(
        classifier,
        trainer.generator(),
        config.model.nz,
        &config.dataset,
        trainer.data(),
        scoring,
        RECALL,
        &plain,
    ))?;
    Ok((evaluation.scores.fid, evaluation.scores.kid))
}

/// Appends one result as a line of JSON, written in one call and flushed, so that a study stopped
/// at any moment leaves whole lines and at most a last line cut short, which is ignored: the next
/// result starts on a line of its own.
fn append(path: &std::path::Path, result: &RunResult) -> Result<(), String> {
    let torn = std::fs::read(path).is_ok_and(|bytes| bytes.last().is_some_and(|&b| b != b'\n'));
    let mut line = if torn { "\n".to_string() } else { String::new() };
    line.push_str(&serde_json::to_string(result).map_err(|e| e.to_string())?);
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    file.write_all(line.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
