//! `gan train` and `gan bench`: a run of the core's `Trainer` on the chosen backend.

use std::time::Instant;

use burn::tensor::read_sync;
use gan_playground::backend::BackendInfo;
use gan_playground::gan::Training;
use gan_playground::safetensors::Dtype;
use gan_playground::trainer::Trainer;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{BenchArgs, TrainArgs};
use crate::history::ChartHistory;
use crate::inputs::device;
use crate::output::{LossLog, read, write_atomic, write_grid};

/// Losses are read back (and logged, and checked) every this many steps: each read waits for
/// the device, so not after every step.
const LOG_EVERY: u64 = 10;

pub fn train(args: &TrainArgs, backend: &str) -> Result<(), String> {
    let (mut trainer, info, history) = trainer(args, backend)?;
    let mut history = ChartHistory::parse(history.as_deref());
    let first = trainer.step() + 1;
    if first > args.steps {
        return Err(format!("the run is at step {} already; --steps is the step to stop at", trainer.step()));
    }
    let out = &args.out;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let dtype = if args.dtype == "f16" { Dtype::F16 } else { Dtype::F32 };
    let (weights, run) = (out.join("weights.safetensors"), out.join("run.safetensors"));
    let schedule = match trainer.training() {
        Training::Adversarial if trainer.config().d_learning_rate.is_some() => {
            format!("D learning rate {}, n_critic {}", trainer.d_learning_rate(), trainer.n_critic())
        }
        Training::Adversarial => format!("n_critic {}", trainer.n_critic()),
        Training::Joint => "one loss for both networks".to_string(),
    };
    println!(
        "training {} on {} ({:?}, {schedule}) on {} from step {} to {} ({})",
        trainer.config().variant,
        trainer.config().dataset,
        trainer.optimizer(),
        info.name,
        first - 1,
        args.steps,
        out.display()
    );
    let mut log = LossLog::open(&out.join("losses.csv"), first - 1)?;
    write_grid(&trainer, &out.join(format!("grid_{:06}.png", first - 1)))?;
    let bar = ProgressBar::new(args.steps).with_style(
        ProgressStyle::with_template("[{bar:30}] {pos}/{len}  {msg}  {per_sec}  eta {eta}")
            .map_err(|e| e.to_string())?
            .progress_chars("#>-"),
    );
    bar.set_position(first - 1);
    let start = Instant::now();
    for step in first..=args.steps {
        trainer.train_step()?;
        bar.inc(1);
        let last = step == args.steps;
        if step % LOG_EVERY == 0 || last {
            let r = read_sync(trainer.readout(false))?;
            history.record(&r);
            let (d, g) = (r.d_loss.unwrap_or(f32::NAN), r.g_loss.unwrap_or(f32::NAN));
            log.append(step, d, g, start.elapsed().as_secs_f64())?;
            bar.set_message(if r.d_loss.is_some() { format!("D {d:.3}  G {g:.3}") } else { format!("loss {g:.3}") });
            if !r.is_finite() {
                bar.abandon();
                return Err(format!(
                    "losses became non-finite at step {step}; {} is kept from before (lower the learning rate?)",
                    weights.display()
                ));
            }
        }
        if step % args.grid_every == 0 || last {
            write_grid(&trainer, &out.join(format!("grid_{step:06}.png")))?;
            // The core refuses to save non-finite weights, so a diverged run never replaces the
            // last good checkpoint.
            let charts = history.to_json();
            let bytes = read_sync(trainer.save_weights_with_history(dtype, Some(&charts)))
                .map_err(|e| format!("step {step}: {e}"))?;
            write_atomic(&weights, &bytes)?;
            let state = read_sync(trainer.save_run(Some(&charts))).map_err(|e| format!("step {step}: {e}"))?;
            write_atomic(&run, &state)?;
        }
    }
    bar.finish();
    let (secs, trained) = (start.elapsed().as_secs_f64(), args.steps + 1 - first);
    println!("done: {trained} steps in {secs:.0} s ({:.0} ms/step)", 1000.0 * secs / trained as f64);
    write_grid(&trainer, &out.join("grid.png"))
}

/// A new run of the command line's settings, or the run of `--resume` (with the page's chart
/// history, if the file came from the page: it is passed on to the run files written here), or
/// one starting from the weights of `--weights`.
fn trainer(args: &TrainArgs, backend: &str) -> Result<(Trainer, BackendInfo, Option<String>), String> {
    if let Some(path) = &args.resume {
        let bytes = read(path)?;
        let config = Trainer::config_of(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let data = crate::inputs::training_set_named(&args.run.source, &config.dataset)?;
        let (device, info) = device(backend)?;
        let (trainer, loaded) =
            Trainer::resume(&bytes, data, &device).map_err(|e| format!("{}: {e}", path.display()))?;
        if !loaded.resumed {
            eprintln!(
                "{}: a weights file, not a run's state: the optimiser and the data order start afresh",
                path.display()
            );
        }
        return Ok((trainer, info, loaded.metadata.get("history").cloned()));
    }
    let config = args.run.config()?;
    let data = crate::inputs::training_set(&args.run.source)?;
    let (device, info) = device(backend)?;
    let mut trainer = Trainer::new(config, data, &device)?;
    if let Some(path) = &args.weights {
        trainer.load_weights(&read(path)?, None).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok((trainer, info, None))
}

/// Times full generator iterations (n_critic D steps + one G step) and single D steps, each
/// synced by a read-back of the losses.
pub fn bench(args: &BenchArgs, backend: &str) -> Result<(), String> {
    let config = args.run.config()?;
    let data = crate::inputs::training_set(&args.run.source)?;
    let (device, info) = device(backend)?;
    gan_playground::model::conv::set_gpu_products(args.gpu_convolutions == "products");
    let batch = config.batch_size;
    let mut trainer = Trainer::new(config, data, &device)?;
    let mut times = Vec::new();
    let mut d_times = Vec::new();
    // The convolutions' floating-point operations in one iteration.
    let mut flops = 0;
    for _ in 0..args.warmup + args.steps {
        let before = gan_playground::model::conv::flops();
        let t = Instant::now();
        trainer.train_step()?;
        read_sync(trainer.readout(false))?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        flops = gan_playground::model::conv::flops() - before;
        // A joint model (the VAE) has no critic step of its own.
        if trainer.training() == Training::Adversarial {
            let t = Instant::now();
            trainer.discriminator_step()?;
            read_sync(trainer.readout(false))?;
            d_times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let first = times[0];
    let timed = sorted(&times[args.warmup as usize..]);
    // (none for a joint model)
    let d_timed = sorted(d_times.get(args.warmup as usize..).unwrap_or_default());
    let median = timed[timed.len() / 2];
    let d_median = d_timed.get(d_timed.len() / 2).copied().unwrap_or(f64::NAN);
    let (min, max) = (timed[0], timed[timed.len() - 1]);
    if args.json {
        println!(
            "{{\"backend\":\"native-{}\",\"name\":{:?},\"batch\":{batch},\"firstStepMs\":{first:.1},\"medianMs\":{median:.1},\"minMs\":{min:.1},\"maxMs\":{max:.1},\"steps\":{},\"dStepMedianMs\":{},\"nCritic\":{},\"gpuConvolutions\":{:?},\"convGflop\":{}}}",
            info.kind,
            info.name,
            timed.len(),
            if d_median.is_nan() { "null".to_string() } else { format!("{d_median:.1}") },
            trainer.n_critic(),
            args.gpu_convolutions,
            // The products' count: burn's kernels, where chosen, go uncounted.
            if flops == 0 { "null".to_string() } else { format!("{:.3}", flops as f64 / 1e9) }
        );
    } else {
        println!(
            "native ({}), batch {batch}: first iteration {first:.0} ms, median {median:.0} ms/iteration (min {min:.0}, max {max:.0}) over {} iterations; median {d_median:.0} ms per D step",
            info.name,
            timed.len()
        );
    }
    Ok(())
}

fn sorted(times: &[f64]) -> Vec<f64> {
    let mut times = times.to_vec();
    times.sort_by(f64::total_cmp);
    times
}
