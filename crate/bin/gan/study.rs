//! `gan study plan|seeds|run|trial`: "Are GANs Created Equal?"'s two phases on this machine, runs
//! one after another or --jobs side by side, each scored at its checkpoints (see
//! `gan_playground::study`). `gan study figures` is in `figures.rs`.

use std::io::Write;
use std::time::Instant;

use burn::tensor::read_sync;
use gan_playground::classifier::Classifier;
use gan_playground::score::{self, Recall, TOLERANCE_PIXELS};
use gan_playground::study::{self, Checkpoint, PlannedRun, RunResult};
use gan_playground::trainer::settings::{POINTS_GRID_SAMPLES, POINTS_NZ};
use gan_playground::trainer::{TrainConfig, Trainer};

use crate::cli::{Source, StudyInputs, StudyPlanArgs, StudyRunArgs, StudySeedsArgs, StudyTrialArgs};
use crate::inputs::device;
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
    let timing = (args.steps, args.checkpoints);
    let plan = study::search_plan(&variants, args.settings as usize, args.draw_seed, timing, &base)?;
    write_plan(&plan, &args.out)
}

/// `gan study seeds`: the seeds phase's plan from a search's plan and results.
pub fn seeds(args: &StudySeedsArgs) -> Result<(), String> {
    let search = load_plan(&args.search)?;
    let results = study::read_results(
        &std::fs::read_to_string(&args.results).map_err(|e| format!("cannot read {}: {e}", args.results.display()))?,
    );
    let plan = study::seeds_plan(&search, &results, args.seeds, args.first_seed)?;
    write_plan(&plan, &args.out)
}

fn write_plan(plan: &study::Plan, out: &std::path::Path) -> Result<(), String> {
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_atomic(out, &serde_json::to_vec_pretty(plan).map_err(|e| e.to_string())?)?;
    println!(
        "{} runs of {} steps ({} checkpoints each) planned in {}",
        plan.runs.len(),
        plan.steps,
        plan.checkpoint_steps().len(),
        out.display()
    );
    Ok(())
}

fn load_plan(path: &std::path::Path) -> Result<study::Plan, String> {
    serde_json::from_slice(&read(path)?).map_err(|e| format!("{}: not a plan ({e})", path.display()))
}

pub fn run(args: &StudyRunArgs, backend: &str) -> Result<(), String> {
    let plan = load_plan(&args.inputs.plan)?;
    let done = match std::fs::read_to_string(&args.results) {
        Ok(text) => study::read_results(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", args.results.display())),
    };
    let pending = study::pending(&plan, &done);
    let todo: Vec<&PlannedRun> = pending.into_iter().take(args.limit.map_or(usize::MAX, |l| l as usize)).collect();
    println!("{} of {} runs done; running {}", done.len(), plan.runs.len(), todo.len());
    if todo.is_empty() {
        return Ok(());
    }
    if let Some(dir) = args.results.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    if args.jobs > 1 {
        return run_in_processes(args, backend, &todo);
    }
    let (device, _) = device(backend)?;
    let classifier = load_classifier(&args.inputs.classifier, &device)?;
    for run in todo {
        let result = one(run, &plan, &args.inputs, &classifier, &device);
        report(&result);
        append(&args.results, &result)?;
    }
    Ok(())
}

/// `gan study trial`: one run, its result printed as a JSON line.
pub fn trial(args: &StudyTrialArgs, backend: &str) -> Result<(), String> {
    let plan = load_plan(&args.inputs.plan)?;
    let run = plan.runs.iter().find(|r| r.id == args.id).ok_or_else(|| format!("the plan has no run {}", args.id))?;
    let (device, _) = device(backend)?;
    let classifier = load_classifier(&args.inputs.classifier, &device)?;
    let result = one(run, &plan, &args.inputs, &classifier, &device);
    println!("{}", serde_json::to_string(&result).map_err(|e| e.to_string())?);
    Ok(())
}

/// Runs `todo` in `gan study trial` processes, `--jobs` at a time, appending each result as its
/// process ends (so results come in the order runs finish; each names its run).
fn run_in_processes(args: &StudyRunArgs, backend: &str, todo: &[&PlannedRun]) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut queue = todo.iter();
    let mut running: Vec<(&PlannedRun, std::process::Child)> = Vec::new();
    loop {
        while running.len() < args.jobs as usize {
            let Some(run) = queue.next() else { break };
            let id = run.id.to_string();
            let inputs = &args.inputs;
            let n = inputs.n.to_string();
            let child = std::process::Command::new(&exe)
                .args(["--backend", backend, "study", "trial", "--id", &id, "--n", &n])
                .arg("--plan")
                .arg(&inputs.plan)
                .arg("--data")
                .arg(&inputs.data)
                .arg("--classifier")
                .arg(&inputs.classifier)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| format!("cannot start a trial: {e}"))?;
            running.push((run, child));
        }
        if running.is_empty() {
            return Ok(());
        }
        let finished = running.iter_mut().position(|(_, child)| child.try_wait().is_ok_and(|s| s.is_some()));
        let Some(at) = finished else {
            std::thread::sleep(std::time::Duration::from_millis(100));
            continue;
        };
        let (run, child) = running.swap_remove(at);
        let output = child.wait_with_output().map_err(|e| format!("trial {}: {e}", run.id))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let result = study::read_results(&stdout).pop().unwrap_or_else(|| {
            let why = String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or("no output").to_string();
            failed(run, format!("the trial process failed: {why}"))
        });
        report(&result);
        append(&args.results, &result)?;
    }
}

fn load_classifier(path: &std::path::Path, device: &burn::tensor::Device) -> Result<Classifier, String> {
    Classifier::load(&read(path)?, device).map_err(|e| format!("{}: {e}", path.display()))
}

/// A run's result: trained and scored at each checkpoint, or why not.
fn one(
    run: &PlannedRun,
    plan: &study::Plan,
    inputs: &StudyInputs,
    classifier: &Classifier,
    device: &burn::tensor::Device,
) -> RunResult {
    let started = Instant::now();
    let source = Source { dataset: String::new(), data: inputs.data.clone() };
    let mut result = RunResult::empty(run);
    if let Err(e) = train_and_score(run, plan, &source, classifier, inputs.n as usize, device, &mut result) {
        result.error = Some(e);
    }
    result.seconds = started.elapsed().as_secs_f64();
    result
}

/// A result with no scores.
fn failed(run: &PlannedRun, error: String) -> RunResult {
    RunResult { error: Some(error), ..RunResult::empty(run) }
}

fn report(result: &RunResult) {
    let outcome = match (&result.best, &result.error) {
        (Some(best), None) => format!("FID-style {:.3} (best at step {})", best.fid, best.step),
        (Some(best), Some(error)) => format!("FID-style {:.3} (best at step {}); then {error}", best.fid, best.step),
        (None, error) => error.clone().unwrap_or_default(),
    };
    println!("run {} ({} setting {}, seed {}): {outcome}", result.id, result.variant, result.setting, result.seed);
}

/// Trains a planned run, scoring its generator at each of the plan's checkpoints into `result`;
/// a run that diverges stops there and keeps the checkpoints before.
fn train_and_score(
    run: &PlannedRun,
    plan: &study::Plan,
    source: &Source,
    classifier: &Classifier,
    n: usize,
    device: &burn::tensor::Device,
    result: &mut RunResult,
) -> Result<(), String> {
    let data = crate::inputs::training_set_named(source, &run.config.dataset)?;
    let mut trainer = Trainer::new(run.config.clone(), data, device)?;
    for checkpoint in plan.checkpoint_steps() {
        while trainer.step() < checkpoint {
            trainer.train_step()?;
        }
        result.steps = trainer.step();
        if !read_sync(trainer.readout(false))?.is_finite() {
            return Err(format!("diverged by step {checkpoint}"));
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
        let triangles = evaluation.triangles.as_ref();
        result.record(Checkpoint {
            step: checkpoint,
            fid: evaluation.scores.fid,
            kid: evaluation.scores.kid,
            precision: triangles.map(|t| t.precision),
            recall: triangles.map(|t| t.recall),
            f1: triangles.map(|t| t.f1),
        });
    }
    Ok(())
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
