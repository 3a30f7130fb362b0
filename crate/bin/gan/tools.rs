//! The commands around training: samples, conversions, gradients, contact sheets, data grids,
//! the scores' classifier and the scores.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::tensor::read_sync;
use gan_playground::grads::{self, GradInputs};
use gan_playground::image::{tile_grid, to_u8};
use gan_playground::rng::Rng;
use gan_playground::safetensors::{Dtype, SafeTensors, TensorOut, serialize};
use gan_playground::tensor::{latent, to_f32};
use gan_playground::trainer::Trainer;
use gan_playground::{classifier, data, sampler, score};

use crate::cli::{ClassifierArgs, ConvertArgs, DataArgs, GradsArgs, SampleArgs, SchemaArgs, ScoreArgs, SheetArgs};
use crate::inputs::device;
use crate::output::{read, read_grid_tiles, write_atomic, write_png};

/// A file's path and bytes, kept together so that a parse error can name the file.
struct Loaded(PathBuf, Vec<u8>);

impl Loaded {
    fn read(path: &Path) -> Result<Self, String> {
        Ok(Self(path.to_path_buf(), read(path)?))
    }

    fn parse(&self) -> Result<SafeTensors<'_>, String> {
        SafeTensors::parse(&self.1).map_err(|e| format!("{}: {e}", self.0.display()))
    }
}

/// Draws from the generator of a weights file (ours, or a PyTorch state dict of dcgan28 or
/// dcgan64) in eval mode, or the grid a run from the file opens on (`--opening`).
pub fn sample(args: &SampleArgs, backend: &str) -> Result<(), String> {
    let weights = Loaded::read(&args.weights)?;
    let file = weights.parse()?;
    let z_file = args.z.as_deref().map(Loaded::read).transpose()?;
    let z_parsed = z_file.as_ref().map(Loaded::parse).transpose()?;
    let (device, _) = device(backend)?;
    let (generator, arch) = sampler::generator_from(&file, &device)?;
    let images = if args.opening {
        let config = Trainer::config_of(&weights.1).map_err(|e| format!("{}: {e}", weights.0.display()))?;
        sampler::run_grid(&generator, config.seed, config.grid_samples, arch.nz, &device)
    } else {
        generator.forward(match &z_parsed {
            Some(z) => sampler::latent_from(z, arch.nz, &device)?,
            None => latent(&mut Rng::new(args.seed), args.n as usize, arch.nz, &device),
        })
    };
    let n = images.dims()[0];
    let samples = to_f32(read_sync(images.into_data_async()).map_err(|e| format!("{e:?}"))?)?;
    let [c, h, w] = arch.image;
    if args.out.extension().is_some_and(|e| e == "safetensors") {
        let tensor = TensorOut::from_f32("samples", vec![n, c, h, w], &samples, Dtype::F32)?;
        let meta = BTreeMap::from([("model".to_string(), arch.model.to_string())]);
        write_atomic(&args.out, &serialize(&[tensor], &meta)?)?;
    } else if args.out.extension().is_some_and(|e| e == "u8") {
        write_atomic(&args.out, &samples.iter().map(|&v| to_u8(v)).collect::<Vec<u8>>())?;
    } else {
        let cols = (n as f64).sqrt().ceil() as usize;
        let (gw, gh, gc, pixels) = tile_grid(&samples, [n, c, h, w], cols, 2);
        write_png(&args.out, gw, gh, gc, &pixels)?;
    }
    println!("{n} samples of {} ({}) written to {}", arch.model, args.weights.display(), args.out.display());
    Ok(())
}

/// Rewrites every float tensor of a weights file in another dtype (f16 halves the download);
/// other tensors and the metadata are kept.
pub fn convert(args: &ConvertArgs) -> Result<(), String> {
    let source = Loaded::read(&args.input)?;
    let file = source.parse()?;
    let dtype = Dtype::from(args.dtype);
    let mut tensors = Vec::new();
    for t in &file.tensors {
        tensors.push(match t.dtype {
            Dtype::F32 | Dtype::F16 | Dtype::BF16 => {
                TensorOut::from_f32(&t.name, t.shape.clone(), &file.f32_values(t)?, dtype)?
            }
            _ => file.copy_of(t),
        });
    }
    let bytes = serialize(&tensors, &file.metadata)?;
    write_atomic(&args.out, &bytes)?;
    println!("{} → {} ({} → {} bytes)", args.input.display(), args.out.display(), source.1.len(), bytes.len());
    Ok(())
}

/// A variant's loss terms and the gradients with respect to every weight, keyed by parameter
/// name (see `gan_playground::grads`). The networks come from `--generator` / `--critic` or,
/// when those are not given, from the inputs file under `generator.` and `critic.`.
pub fn grads(args: &GradsArgs, backend: &str) -> Result<(), String> {
    let inputs = Loaded::read(&args.inputs)?;
    let (g_file, d_file) = (args.generator.as_deref().map(Loaded::read), args.critic.as_deref().map(Loaded::read));
    let (g_file, d_file) = (g_file.transpose()?, d_file.transpose()?);
    let inputs_file = inputs.parse()?;
    let g_parsed = g_file.as_ref().map(Loaded::parse).transpose()?;
    let d_parsed = d_file.as_ref().map(Loaded::parse).transpose()?;
    let generator = g_parsed.as_ref().map_or((&inputs_file, "generator."), |f| (f, ""));
    let critic = d_parsed.as_ref().map_or((&inputs_file, "critic."), |f| (f, ""));
    let (device, _) = device(backend)?;
    let grad_inputs = GradInputs::from_file(&args.variant, &inputs_file, generator, critic, &device)?;
    let named = read_sync(grads::evaluate(grad_inputs))?;
    let tensors = named
        .iter()
        .map(|n| TensorOut::from_f32(&n.name, n.shape.clone(), &n.values, Dtype::F32))
        .collect::<Result<Vec<_>, _>>()?;
    let metadata = BTreeMap::from([("variant".to_string(), args.variant.clone())]);
    write_atomic(&args.out, &serialize(&tensors, &metadata)?)?;
    for n in named.iter().filter(|n| n.shape.is_empty()) {
        println!("{:<16} {}", n.name, n.values[0]);
    }
    println!("{} tensors written to {}", named.len(), args.out.display());
    Ok(())
}

/// The contact sheet: for each variant's `gan train` run in `<runs>/<variant>`, the first
/// `samples` images of its final grid as one strip `sheet-<variant>.png`, all strips stacked
/// in `sheet.png`, and a Markdown table (variant, steps, wall time) on stdout.
pub fn sheet(args: &SheetArgs) -> Result<(), String> {
    let samples = args.samples as usize;
    let mut all = Vec::new();
    println!("| variant | samples (fixed z, final step) | steps | wall time |\n|---|---|---:|---:|");
    for variant in &args.variants {
        let dir = args.runs.join(variant);
        let tiles = read_grid_tiles(&dir.join("grid.png"), samples)?;
        let log = std::fs::read_to_string(dir.join("losses.csv")).map_err(|e| format!("{}: {e}", dir.display()))?;
        let last: Vec<&str> = log.lines().last().unwrap_or("").split(',').collect();
        let (steps, secs) = (last.first().copied().unwrap_or("?"), last.get(3).copied().unwrap_or("?"));
        let n = tiles.len() / 784;
        let (w, h, c, pixels) = tile_grid(&tiles, [n, 1, 28, 28], n.max(1), 2);
        let name = format!("sheet-{variant}.png");
        write_png(&args.out_dir.join(&name), w, h, c, &pixels)?;
        println!("| {variant} | ![{variant}](www/assets/{name}) | {steps} | {secs} s |");
        all.extend(tiles);
    }
    let rows = all.len() / 784 / samples;
    let (w, h, c, pixels) = tile_grid(&all, [rows * samples, 1, 28, 28], samples, 2);
    write_png(&args.out_dir.join("sheet.png"), w, h, c, &pixels)
}

/// The first `--n` images of a training set as one PNG grid.
pub fn data(args: &DataArgs) -> Result<(), String> {
    let data = crate::inputs::training_set(&args.source)?;
    let n = (args.n as usize).min(data.len());
    let samples: Vec<f32> = (0..n).flat_map(|i| data.image(i).iter().map(|&p| p as f32 / 127.5 - 1.0)).collect();
    let (w, h, c, pixels) = tile_grid(&samples, [n, data.channels, data.height, data.width], 8, 2);
    write_png(&args.out, w, h, c, &pixels)
}

/// Trains the MNIST classifier of the scores and writes it with its held-out accuracy.
pub fn classifier(args: &ClassifierArgs, backend: &str) -> Result<(), String> {
    let epochs = args.epochs as usize;
    let data = crate::inputs::training_set(&args.source)?;
    let (device, info) = device(backend)?;
    println!("training the MNIST classifier on the digits not held out for {epochs} epochs on {}", info.name);
    let start = Instant::now();
    let model = classifier::train(&data, epochs, args.seed, &device, |epoch, loss| {
        let loss = read_sync(loss.into_data_async()).ok().and_then(|d| to_f32(d).ok()).and_then(|v| v.first().copied());
        let loss = loss.unwrap_or(f32::NAN);
        println!("epoch {epoch}: last batch loss {loss:.4}  ({:.0} s)", start.elapsed().as_secs_f64());
    });
    let held_out = classifier::held_out(data.len());
    let images = data.batch(&held_out, &device);
    let predicted = read_sync(classifier::predict(&model, images).into_data_async()).map_err(|e| format!("{e:?}"))?;
    let predicted = predicted.convert::<i64>().try_to_vec::<i64>().map_err(|e| format!("{e:?}"))?;
    let correct = held_out.iter().zip(&predicted).filter(|&(&i, &p)| data.label(i) as i64 == p).count();
    let accuracy = correct as f64 / held_out.len() as f64;
    println!("held-out accuracy: {correct}/{} = {:.2} %", held_out.len(), 100.0 * accuracy);
    let metadata = BTreeMap::from([
        ("accuracy".to_string(), format!("{accuracy:.4}")),
        ("held_out".to_string(), format!("every fifth MNIST digit of www/data/mnist.bin ({})", held_out.len())),
        ("epochs".to_string(), epochs.to_string()),
        ("seed".to_string(), args.seed.to_string()),
        ("training_seconds".to_string(), format!("{:.0}", start.elapsed().as_secs_f64())),
    ]);
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_atomic(&args.out, &read_sync(model.save(&metadata))?)?;
    println!("wrote {}", args.out.display());
    Ok(())
}

/// FID-style distance, KID and the class histogram of a generator's samples against real data:
/// MNIST's held-out digits, or triangles drawn from a seed the training set does not use.
pub fn score(args: &ScoreArgs, backend: &str) -> Result<(), String> {
    let (device, _) = device(backend)?;
    let classifier_file = Loaded::read(&args.classifier)?;
    let classifier = classifier::Classifier::load(&classifier_file.1, &device)
        .map_err(|e| format!("{}: {e}", args.classifier.display()))?;
    let weights = Loaded::read(&args.weights)?;
    let file = weights.parse()?;
    let shapes = |name: &str| file.get(name).map(|t| t.shape.clone());
    let arch = gan_playground::model::infer_generator(shapes, sampler::generator_prefix(&file))?;
    if arch.image != [1, 28, 28] {
        return Err(format!("scores need 28×28 grey samples; this generator draws {:?}", arch.image));
    }
    let dataset = args.dataset.clone().or_else(|| file.metadata.get("dataset").cloned()).unwrap_or("mnist".into());
    let real_set = |name: &str| -> Result<data::ImageDataset, String> {
        match name {
            "mnist" => {
                let bytes = read(&args.data)?;
                data::ImageDataset::from_bytes(&bytes).map_err(|e| format!("{}: {e}", args.data.display()))
            }
            "triangles" => data::training_set("triangles", None),
            other => Err(format!("scores are defined for mnist and triangles, not {other}")),
        }
    };
    let data = real_set(&dataset)?;
    let n = args.n as usize;
    let evaluation = if args.real_vs_real {
        // The same scores for real training images in place of samples: the floor.
        let real = score::reference_images(&dataset, &data, n, &device)?;
        let n = real.dims()[0];
        let training: Vec<usize> = (0..data.len()).filter(|&i| !classifier::is_held_out(i)).collect();
        let indices: Vec<usize> = (0..n).map(|i| training[i * training.len() / n]).collect();
        let scores = read_sync(score::score(&classifier, real, data.batch(&indices, &device), args.seed))?;
        score::Evaluation { scores, triangles: None }
    } else {
        // G on an autodiff device: recall on triangles inverts it.
        let autodiff = device.clone().autodiff();
        let blank = gan_playground::model::Sequential::init(&arch.specs, &mut Rng::new(0), &autodiff);
        let g = gan_playground::weights::load(&blank, &file, sampler::generator_prefix(&file))?;
        let recall = score::Recall {
            m: args.recall_n as usize,
            steps: args.inversion_steps as usize,
            tolerance_pixels: args.tolerance_pixels,
        };
        read_sync(score::evaluate(&classifier, &g, arch.nz, &dataset, &data, (n, args.seed), recall, &device))?
    };
    let (scores, triangle_scores) = (&evaluation.scores, &evaluation.triangles);
    let n = scores.n;
    if args.json {
        println!("{}", serde_json::to_string(&evaluation).map_err(|e| e.to_string())?);
    } else {
        println!(
            "{} samples vs {n} real ({dataset}): FID-style {:.3}  KID {:.4} ± {:.4}  classes {:?}  confident {:.1} %",
            scores.n,
            scores.fid,
            scores.kid,
            scores.kid_std,
            scores.classes,
            100.0 * scores.confident as f64 / scores.n as f64
        );
        if let Some(t) = triangle_scores {
            println!(
                "triangles: precision {:.3}  recall {:.3}  F1 {:.3}  (threshold: RMS {:.4}; median distance of samples to the manifold {:.4}, of held-out triangles to their inversions {:.4})",
                t.precision, t.recall, t.f1, t.threshold, t.median_residual, t.median_inversion
            );
        }
    }
    Ok(())
}

/// The core's schema: as JSON (what the page reads), or as a table for people.
/// `gan config`: each line of stdin, a run's settings, as the run the core makes of them.
pub fn configs() -> Result<(), String> {
    use gan_playground::trainer::settings::{RunSettings, RunView, config_of};
    for line in std::io::stdin().lines() {
        let line = line.map_err(|e| format!("stdin: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = serde_json::from_str::<RunSettings>(&line)
            .map_err(|e| format!("the settings are not valid: {e}"))
            .and_then(|settings| config_of(&settings))
            .and_then(|config| serde_json::to_string(&RunView::of(&config)?).map_err(|e| e.to_string()));
        match answer {
            Ok(view) => println!("{view}"),
            Err(why) => println!("{}", serde_json::json!({ "error": why })),
        }
    }
    Ok(())
}

pub fn schema(args: &SchemaArgs) -> Result<(), String> {
    let schema = gan_playground::schema::schema();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&schema).map_err(|e| e.to_string())?);
        return Ok(());
    }
    let ids = |kind| schema.datasets.iter().filter(|d| d.kind == kind).map(|d| d.id).collect::<Vec<_>>().join(", ");
    println!("datasets: images {}; 2-D points {}", ids(data::Kind::Images), ids(data::Kind::Points));
    println!("\nsettings:");
    for s in &schema.settings {
        let default = s.default.map_or(s.setting.unset.to_string(), |d| d.to_string());
        println!(
            "  --{:<10} {} ({}; default {default})",
            s.setting.name.replace('_', "-"),
            s.setting.label,
            s.setting.expected()
        );
    }
    println!("\nvariants:");
    for v in &schema.variants {
        let knobs: Vec<_> = v.knobs.iter().map(|k| format!("{}={} [{}, {}]", k.name, k.value, k.min, k.max)).collect();
        println!(
            "  {:<8} {}{}",
            v.id,
            v.title,
            if knobs.is_empty() { String::new() } else { format!("; knobs {}", knobs.join(", ")) }
        );
    }
    Ok(())
}
