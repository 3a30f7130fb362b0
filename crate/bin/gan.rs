//! `gan`: the playground's core on the command line (CPU backend).
//!
//! ```text
//! Every command takes `--backend auto|gpu|cpu` (auto: burn's wgpu backend on a hardware GPU where
//! the machine has one, else burn's CPU backend).
//!
//! gan train [--variant ns-gan|mm-gan|lsgan|wgan|wgan-gp|dragan|began]
//!           [--dataset mnist|triangles|images|ring|grid|spiral|moons|drawing]
//!           [--data www/data/mnist.bin] [--steps 2000] [--batch 64] [--seed 1] [--nz 100 (points: 2)]
//!           [--g-width 128] [--d-width 64] [--grid-every 250] [--out out/train] [--weights W.safetensors]
//!           [--dtype f32|f16] [--knobs gamma=0.7,...]
//! gan sample --weights W.safetensors [--z Z.safetensors] [--n 64] [--seed 1] --out OUT.png|OUT.safetensors
//! gan bench [--variant ns-gan] [--steps 10] [--warmup 2] [--batch 64] [--g-width 128] [--d-width 64] [--json]
//! gan data [--dataset mnist|triangles] [--n 64] --out DATA.png
//! gan classifier [--epochs 15] [--seed 1] [--out www/metrics/mnist-classifier.safetensors]
//! gan score --weights W.safetensors [--dataset mnist|triangles] [--n 2000] [--seed 1]
//!           [--classifier www/metrics/mnist-classifier.safetensors] [--json] [--real-vs-real]
//!           [--recall-n 200] [--inversion-steps 150] [--tolerance-pixels 1]  (triangles: also precision, recall and F1;
//!           see score::TriangleScores)
//! gan convert --in W.safetensors --out W16.safetensors --dtype f16|bf16|f32
//! gan sheet --runs out/sheet --variants ns-gan,lsgan,... [--samples 16] --out-dir www/assets
//! gan grads --variant wgan-gp --inputs IN.safetensors [--generator G.safetensors] [--critic D.safetensors]
//!           --out GRADS.safetensors
//! ```
//! `train` writes the sample grid as PNG and a checkpoint `weights.safetensors` (G, critic, the
//! variant's state and metadata; loadable by the page) every `--grid-every` steps; `--weights`
//! starts from a checkpoint of the same model and variant.
//! `sample` draws from the generator of a weights file (ours, or a PyTorch state dict of dcgan28
//! or dcgan64) in eval mode: z from `--z` (a tensor `z` [N, nz, 1, 1]) or N(0, I) with `--seed`;
//! a `.safetensors` output holds the raw G(z) as `samples` (NCHW, f32).
//! `grads` writes a variant's loss terms and the gradients with respect to every weight, keyed by
//! parameter name, for given weights, data and noise (names: see `gan_playground::grads`). The
//! networks come from `--generator` / `--critic` (PyTorch state dicts, unprefixed) or, when those are
//! not given, from the inputs file under the prefixes `generator.` and `critic.`.

#[cfg(not(target_family = "wasm"))]
fn main() {
    if let Err(message) = native::run(std::env::args().skip(1).collect()) {
        eprintln!("gan: {message}");
        std::process::exit(2);
    }
}

#[cfg(target_family = "wasm")]
fn main() {}

#[cfg(not(target_family = "wasm"))]
mod native {
    use std::collections::HashMap;
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::time::Instant;

    use burn::tensor::read_sync;
    use gan_playground::backend;
    use gan_playground::data::ImageDataset;
    use gan_playground::grads::{self, GradInputs};
    use gan_playground::image::tile_grid;
    use gan_playground::rng::Rng;
    use gan_playground::safetensors::{Dtype, SafeTensors, TensorOut, serialize};
    use gan_playground::sampler;
    use gan_playground::trainer::{TrainConfig, Trainer, latent, to_f32};

    const USAGE: &str = "usage: gan train|sample|convert|bench|sheet|grads|data|classifier|score [--option value ...] (see the source header or README)";

    pub fn run(args: Vec<String>) -> Result<(), String> {
        let (command, options) = args.split_first().ok_or(USAGE)?;
        let options = Options::parse(options)?;
        match command.as_str() {
            "train" => train(&options),
            "bench" => bench(&options),
            "grads" => grads(&options),
            "sample" => sample(&options),
            "convert" => convert(&options),
            "sheet" => sheet(&options),
            "data" => data(&options),
            "classifier" => classifier(&options),
            "score" => score(&options),
            _ => Err(USAGE.into()),
        }
    }

    struct Options(HashMap<String, String>);

    impl Options {
        fn parse(args: &[String]) -> Result<Self, String> {
            let mut map = HashMap::new();
            let mut it = args.iter();
            while let Some(key) = it.next() {
                let name = key.strip_prefix("--").ok_or_else(|| format!("unexpected argument {key}"))?;
                if name == "json" || name == "real-vs-real" {
                    map.insert(name.to_string(), "true".to_string());
                    continue;
                }
                let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
                map.insert(name.to_string(), value.clone());
            }
            Ok(Self(map))
        }

        fn get<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
            match self.0.get(name) {
                None => Ok(default),
                Some(v) => v.parse().map_err(|_| format!("--{name}: cannot read {v:?}")),
            }
        }

        fn config(&self) -> Result<TrainConfig, String> {
            let mut config = TrainConfig::default();
            config.variant = self.get("variant", config.variant)?;
            config.dataset = self.get("dataset", config.dataset)?;
            config.batch_size = self.get("batch", config.batch_size)?;
            config.seed = self.get("seed", config.seed)?;
            config.model.g_width = self.get("g-width", config.model.g_width)?;
            config.model.d_width = self.get("d-width", config.model.d_width)?;
            // 2-D points: a 2-D z by default (the page's plane draws its warped grid), more samples.
            if config.is_points() {
                (config.model.nz, config.grid_samples) = (2, 256);
            }
            config.model.nz = self.get("nz", config.model.nz)?;
            // --knobs gamma=0.7,lambda=5: the variant's settings (see `Variant::knobs`).
            for pair in self.get("knobs", String::new())?.split(',').filter(|p| !p.is_empty()) {
                let (name, value) =
                    pair.split_once('=').ok_or_else(|| format!("--knobs: expected name=value, got {pair:?}"))?;
                let value = value.parse().map_err(|_| format!("--knobs: {name} needs a number, got {value:?}"))?;
                config.knobs.insert(name.to_string(), value);
            }
            config.validate()?;
            Ok(config)
        }

        /// `--backend auto|gpu|cpu` (auto: a hardware GPU where there is one, else the CPU).
        fn device(&self) -> Result<(burn::tensor::Device, backend::BackendInfo), String> {
            let (device, info) = backend::native(&self.get("backend", String::from("auto"))?)?;
            match &info.fallback_reason {
                Some(reason) => eprintln!("backend: {} (no GPU: {reason})", info.name),
                None => eprintln!("backend: {}", info.name),
            }
            Ok((device, info))
        }

        /// The MNIST file of `--data`.
        fn dataset_file(&self) -> Result<ImageDataset, String> {
            let path: PathBuf = self.get("data", PathBuf::from("www/data/mnist.bin"))?;
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("cannot read {} ({e}); build it with `npm run build:data`", path.display()))?;
            ImageDataset::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
        }

        /// The training set of `--dataset`: the dataset file of `--data` (MNIST's, your images' or
        /// a drawing's, in the same layout), or generated (triangles, the 2-D toys).
        fn dataset(&self) -> Result<Arc<ImageDataset>, String> {
            let name = self.get("dataset", String::from("mnist"))?;
            if ["mnist", "images", "drawing"].contains(&name.as_str()) {
                return self.dataset_file().map(Arc::new);
            }
            Ok(Arc::new(gan_playground::data::training_set(&name, None)?))
        }
    }

    fn train(options: &Options) -> Result<(), String> {
        let config = options.config()?;
        let steps: u64 = options.get("steps", 2000)?;
        let grid_every: u64 = options.get("grid-every", 250)?;
        let out: PathBuf = options.get("out", PathBuf::from("out/train"))?;
        std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
        let dtype = match options.get("dtype", String::from("f32"))?.as_str() {
            "f32" => Dtype::F32,
            "f16" => Dtype::F16,
            other => return Err(format!("--dtype must be f32 or f16, got {other}")),
        };
        let data = options.dataset()?;
        let (device, info) = options.device()?;
        let mut trainer = Trainer::new(config, data, &device)?;
        if let Some(path) = options.0.get("weights") {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            trainer.load_weights(&bytes, None).map_err(|e| format!("{path}: {e}"))?;
        }
        let checkpoint = |trainer: &Trainer| -> Result<(), String> {
            let bytes = read_sync(trainer.save_weights(dtype))?;
            let path = out.join("weights.safetensors");
            std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        println!(
            "training dcgan28 ({}, {:?}, n_critic {}) on {} for {steps} steps ({})",
            trainer.config().variant,
            trainer.optimizer(),
            trainer.n_critic(),
            info.name,
            out.display()
        );
        let mut log = String::from("step,d_loss,g_loss,seconds\n");
        let start = Instant::now();
        write_grid(&trainer, &out.join("grid_000000.png"))?;
        for step in 1..=steps {
            trainer.train_step()?;
            let last = step == steps;
            if step % 10 == 0 || last {
                let r = read_sync(trainer.readout(false))?;
                let secs = start.elapsed().as_secs_f64();
                let (d, g) = (r.d_loss.unwrap_or(f32::NAN), r.g_loss.unwrap_or(f32::NAN));
                log.push_str(&format!("{step},{d},{g},{secs:.2}\n"));
                print!(
                    "\r[{:<30}] {step}/{steps}  D {d:.3}  G {g:.3}  {:.0} ms/step   ",
                    bar(step, steps),
                    1000.0 * secs / step as f64
                );
                std::io::stdout().flush().ok();
                if !r.is_finite() {
                    return Err(format!("losses became non-finite at step {step}"));
                }
            }
            if step % grid_every == 0 || last {
                write_grid(&trainer, &out.join(format!("grid_{step:06}.png")))?;
                checkpoint(&trainer)?;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!("\ndone: {steps} steps in {secs:.0} s ({:.0} ms/step)", 1000.0 * secs / steps as f64);
        write_grid(&trainer, &out.join("grid.png"))?;
        std::fs::write(out.join("losses.csv"), log).map_err(|e| e.to_string())
    }

    fn bar(step: u64, steps: u64) -> String {
        "#".repeat((30 * step / steps.max(1)) as usize)
    }

    /// Times full generator iterations (n_critic D steps + one G step) and single D steps, each
    /// synced by a read-back of the losses.
    fn bench(options: &Options) -> Result<(), String> {
        let config = options.config()?;
        let steps: usize = options.get("steps", 10)?;
        let warmup: usize = options.get("warmup", 2)?;
        let data = options.dataset()?;
        let (device, info) = options.device()?;
        let batch = config.batch_size;
        let mut trainer = Trainer::new(config, data, &device)?;
        let mut times = Vec::new();
        let mut d_times = Vec::new();
        for _ in 0..warmup + steps {
            let t = Instant::now();
            trainer.train_step()?;
            read_sync(trainer.readout(false))?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            trainer.discriminator_step()?;
            read_sync(trainer.readout(false))?;
            d_times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let mut d_timed = d_times[warmup.min(d_times.len() - 1)..].to_vec();
        d_timed.sort_by(f64::total_cmp);
        let d_median = d_timed[d_timed.len() / 2];
        let first = times[0];
        let mut timed = times[warmup.min(times.len() - 1)..].to_vec();
        timed.sort_by(f64::total_cmp);
        let median = timed[timed.len() / 2];
        let (min, max) = (timed[0], timed[timed.len() - 1]);
        if options.0.contains_key("json") {
            println!(
                "{{\"backend\":\"native-{}\",\"name\":{:?},\"batch\":{batch},\"firstStepMs\":{first:.1},\"medianMs\":{median:.1},\"minMs\":{min:.1},\"maxMs\":{max:.1},\"steps\":{},\"dStepMedianMs\":{d_median:.1},\"nCritic\":{}}}",
                info.kind,
                info.name,
                timed.len(),
                trainer.n_critic()
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

    fn grads(options: &Options) -> Result<(), String> {
        let read = |name: &str| -> Result<Option<(PathBuf, Vec<u8>)>, String> {
            let Some(path) = options.0.get(name).map(PathBuf::from) else { return Ok(None) };
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok(Some((path, bytes)))
        };
        let variant: String = options.get("variant", String::new())?;
        let inputs = read("inputs")?.ok_or("--inputs is required")?;
        let out: PathBuf = options.get("out", PathBuf::new())?;
        if out.as_os_str().is_empty() {
            return Err("--out is required".into());
        }
        let (g_file, d_file) = (read("generator")?, read("critic")?);
        let inputs_file = parse(&inputs)?;
        let g_parsed = g_file.as_ref().map(parse).transpose()?;
        let d_parsed = d_file.as_ref().map(parse).transpose()?;
        let generator = g_parsed.as_ref().map_or((&inputs_file, "generator."), |f| (f, ""));
        let critic = d_parsed.as_ref().map_or((&inputs_file, "critic."), |f| (f, ""));
        let (device, _) = options.device()?;
        let grad_inputs = GradInputs::from_file(&variant, &inputs_file, generator, critic, &device)?;
        let named = read_sync(grads::evaluate(grad_inputs))?;
        let tensors = named
            .iter()
            .map(|n| TensorOut::from_f32(&n.name, n.shape.clone(), &n.values, Dtype::F32))
            .collect::<Result<Vec<_>, _>>()?;
        let metadata = std::collections::BTreeMap::from([("variant".to_string(), variant.clone())]);
        std::fs::write(&out, serialize(&tensors, &metadata)?)
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        for n in named.iter().filter(|n| n.shape.is_empty()) {
            println!("{:<16} {}", n.name, n.values[0]);
        }
        println!("{} tensors written to {}", named.len(), out.display());
        Ok(())
    }

    /// The contact sheet: for each variant's `gan train` run in `<runs>/<variant>`, the first
    /// `samples` images of its final grid as one strip `sheet-<variant>.png`, all strips stacked
    /// in `sheet.png`, and a Markdown table (variant, steps, wall time) on stdout.
    fn sheet(options: &Options) -> Result<(), String> {
        let runs: PathBuf = options.get("runs", PathBuf::from("out/sheet"))?;
        let out: PathBuf = options.get("out-dir", PathBuf::from("out/sheet"))?;
        let samples: usize = options.get("samples", 16)?;
        let variants: String = options.get("variants", String::new())?;
        let mut all = Vec::new();
        println!("| variant | samples (fixed z, final step) | steps | wall time |\n|---|---|---:|---:|");
        for variant in variants.split(',').filter(|v| !v.is_empty()) {
            let dir = runs.join(variant);
            let tiles = read_grid_tiles(&dir.join("grid.png"), samples)?;
            let log = std::fs::read_to_string(dir.join("losses.csv")).map_err(|e| format!("{}: {e}", dir.display()))?;
            let last: Vec<&str> = log.lines().last().unwrap_or("").split(',').collect();
            let (steps, secs) = (last.first().copied().unwrap_or("?"), last.get(3).copied().unwrap_or("?"));
            let n = tiles.len() / 784;
            let (w, h, c, pixels) = tile_grid(&tiles, [n, 1, 28, 28], n, 2);
            let name = format!("sheet-{variant}.png");
            write_png(&out.join(&name), w, h, c, &pixels)?;
            println!("| {variant} | ![{variant}](www/assets/{name}) | {steps} | {secs} s |");
            all.extend(tiles);
        }
        let rows = all.len() / 784 / samples.max(1);
        let (w, h, c, pixels) = tile_grid(&all, [rows * samples, 1, 28, 28], samples, 2);
        write_png(&out.join("sheet.png"), w, h, c, &pixels)
    }

    /// The first `n` 28×28 tiles of a grid PNG written by `write_grid` (8 columns, 2-pixel gaps),
    /// as values in [-1, 1].
    fn read_grid_tiles(path: &Path, n: usize) -> Result<Vec<f32>, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().map_err(|e| e.to_string())?;
        let mut buf = vec![0; reader.output_buffer_size().ok_or("PNG too large")?];
        let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
        if info.color_type != png::ColorType::Grayscale || info.bit_depth != png::BitDepth::Eight {
            return Err(format!("{}: expected an 8-bit grey grid", path.display()));
        }
        let width = info.width as usize;
        let mut out = Vec::with_capacity(n * 784);
        for i in 0..n.min(64) {
            let (ty, tx) = (i / 8, i % 8);
            for y in 0..28 {
                for x in 0..28 {
                    let (px, py) = (2 + tx * 30 + x, 2 + ty * 30 + y);
                    out.push(buf[py * width + px] as f32 / 127.5 - 1.0);
                }
            }
        }
        Ok(out)
    }

    /// Rewrites every float tensor of a weights file in another dtype (f16 halves the download);
    /// other tensors and the metadata are kept.
    fn convert(options: &Options) -> Result<(), String> {
        let input: PathBuf = options.get("in", PathBuf::new())?;
        let out: PathBuf = options.get("out", PathBuf::new())?;
        let dtype = match options.get("dtype", String::new())?.as_str() {
            "f32" => Dtype::F32,
            "f16" => Dtype::F16,
            "bf16" => Dtype::BF16,
            other => return Err(format!("--dtype must be f32, f16 or bf16, got {other:?}")),
        };
        let bytes = std::fs::read(&input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
        let source = (input.clone(), bytes);
        let file = parse(&source)?;
        let mut tensors = Vec::new();
        for t in &file.tensors {
            tensors.push(match t.dtype {
                Dtype::F32 | Dtype::F16 | Dtype::BF16 => {
                    TensorOut::from_f32(&t.name, t.shape.clone(), &file.f32_values(t)?, dtype)?
                }
                other => TensorOut {
                    name: t.name.clone(),
                    dtype: other,
                    shape: t.shape.clone(),
                    bytes: file.bytes_of(t).to_vec(),
                },
            });
        }
        let bytes = serialize(&tensors, &file.metadata)?;
        std::fs::write(&out, &bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        println!("{} → {} ({} → {} bytes)", input.display(), out.display(), source.1.len(), bytes.len());
        Ok(())
    }

    fn sample(options: &Options) -> Result<(), String> {
        let weights_path: PathBuf = options.get("weights", PathBuf::new())?;
        let out: PathBuf = options.get("out", PathBuf::new())?;
        if weights_path.as_os_str().is_empty() || out.as_os_str().is_empty() {
            return Err("usage: gan sample --weights W.safetensors [--z Z.safetensors] [--n 64] [--seed 1] --out OUT.png|OUT.safetensors".into());
        }
        let bytes = std::fs::read(&weights_path).map_err(|e| format!("cannot read {}: {e}", weights_path.display()))?;
        let weights_file = (weights_path.clone(), bytes);
        let file = parse(&weights_file)?;
        let (device, _) = options.device()?;
        let z_file = options.0.get("z").map(|p| std::fs::read(p).map(|b| (PathBuf::from(p), b)));
        let z_file = z_file.transpose().map_err(|e| format!("cannot read --z: {e}"))?;
        let z_parsed = z_file.as_ref().map(parse).transpose()?;
        let (generator, arch) = sampler::generator_from(&file, &device)?;
        let z = match &z_parsed {
            Some(z) => sampler::latent_from(z, arch.nz, &device)?,
            None => latent(&mut Rng::new(options.get("seed", 1)?), options.get("n", 64)?, arch.nz, &device),
        };
        let n = z.dims()[0];
        let samples = to_f32(read_sync(generator.forward(z).into_data_async()).map_err(|e| format!("{e:?}"))?)?;
        let [c, h, w] = arch.image;
        if out.extension().is_some_and(|e| e == "safetensors") {
            let tensor = TensorOut::from_f32("samples", vec![n, c, h, w], &samples, Dtype::F32)?;
            let meta = std::collections::BTreeMap::from([("model".to_string(), arch.model.to_string())]);
            std::fs::write(&out, serialize(&[tensor], &meta)?)
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        } else {
            let cols = (n as f64).sqrt().ceil() as usize;
            let (gw, gh, gc, pixels) = tile_grid(&samples, [n, c, h, w], cols, 2);
            write_png(&out, gw, gh, gc, &pixels)?;
        }
        println!("{n} samples of {} ({}) written to {}", arch.model, weights_path.display(), out.display());
        Ok(())
    }

    fn parse((path, bytes): &(PathBuf, Vec<u8>)) -> Result<SafeTensors<'_>, String> {
        SafeTensors::parse(bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Trains the MNIST classifier of the scores and writes it with its held-out accuracy.
    fn classifier(options: &Options) -> Result<(), String> {
        use gan_playground::classifier;
        let epochs: usize = options.get("epochs", 15)?;
        let seed: u64 = options.get("seed", 1)?;
        let out: PathBuf = options.get("out", PathBuf::from("www/metrics/mnist-classifier.safetensors"))?;
        let data = options.dataset()?;
        let (device, info) = options.device()?;
        println!("training the MNIST classifier on the digits not held out for {epochs} epochs on {}", info.name);
        let start = Instant::now();
        let model = classifier::train(&data, epochs, seed, &device, |epoch, loss| {
            let loss =
                read_sync(loss.into_data_async()).ok().and_then(|d| to_f32(d).ok()).and_then(|v| v.first().copied());
            let loss = loss.unwrap_or(f32::NAN);
            println!("epoch {epoch}: last batch loss {loss:.4}  ({:.0} s)", start.elapsed().as_secs_f64());
        });
        let held_out = classifier::held_out(data.len());
        let images = data.batch(&held_out, &device);
        let predicted =
            read_sync(classifier::predict(&model, images).into_data_async()).map_err(|e| format!("{e:?}"))?;
        let predicted = predicted.convert::<i64>().try_to_vec::<i64>().map_err(|e| format!("{e:?}"))?;
        let correct = held_out.iter().zip(&predicted).filter(|&(&i, &p)| data.label(i) as i64 == p).count();
        let accuracy = correct as f64 / held_out.len() as f64;
        println!("held-out accuracy: {correct}/{} = {:.2} %", held_out.len(), 100.0 * accuracy);
        let metadata = std::collections::BTreeMap::from([
            ("accuracy".to_string(), format!("{accuracy:.4}")),
            ("held_out".to_string(), format!("every fifth MNIST digit of www/data/mnist.bin ({})", held_out.len())),
            ("epochs".to_string(), epochs.to_string()),
            ("seed".to_string(), seed.to_string()),
            ("training_seconds".to_string(), format!("{:.0}", start.elapsed().as_secs_f64())),
        ]);
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let bytes = read_sync(model.save(&metadata))?;
        std::fs::write(&out, bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        println!("wrote {}", out.display());
        Ok(())
    }

    /// FID-style distance, KID and the class histogram of a generator's samples against real data:
    /// MNIST's held-out digits, or triangles drawn from a seed the training set does not use.
    fn score(options: &Options) -> Result<(), String> {
        use gan_playground::classifier::Classifier;
        let weights_path: PathBuf = options.get("weights", PathBuf::new())?;
        if weights_path.as_os_str().is_empty() {
            return Err("usage: gan score --weights W.safetensors [--dataset mnist|triangles] [--n 2000]".into());
        }
        let classifier_path: PathBuf =
            options.get("classifier", PathBuf::from("www/metrics/mnist-classifier.safetensors"))?;
        let n: usize = options.get("n", 2000)?;
        let seed: u64 = options.get("seed", 1)?;
        let (device, _) = options.device()?;
        let bytes =
            std::fs::read(&classifier_path).map_err(|e| format!("cannot read {}: {e}", classifier_path.display()))?;
        let classifier =
            Classifier::load(&bytes, &device).map_err(|e| format!("{}: {e}", classifier_path.display()))?;
        let weights = (
            weights_path.clone(),
            std::fs::read(&weights_path).map_err(|e| format!("cannot read {}: {e}", weights_path.display()))?,
        );
        let file = parse(&weights)?;
        let (generator, arch) = sampler::generator_from(&file, &device)?;
        if arch.image != [1, 28, 28] {
            return Err(format!("scores need 28×28 grey samples; this generator draws {:?}", arch.image));
        }
        let dataset =
            options.get("dataset", file.metadata.get("dataset").cloned().unwrap_or_else(|| "mnist".into()))?;
        let real = match dataset.as_str() {
            "mnist" => gan_playground::score::reference_images("mnist", &options.dataset_file()?, n, &device)?,
            "triangles" => {
                let data = gan_playground::data::training_set("triangles", None)?;
                gan_playground::score::reference_images("triangles", &data, n, &device)?
            }
            other => return Err(format!("--dataset must be mnist or triangles, got {other}")),
        };
        let n = real.dims()[0];
        // --real-vs-real: the same scores for real training images in place of samples (the floor).
        let fake = if options.0.contains_key("real-vs-real") {
            let data = match dataset.as_str() {
                "mnist" => options.dataset_file()?,
                _ => gan_playground::data::training_set("triangles", None)?,
            };
            let training: Vec<usize> =
                (0..data.len()).filter(|&i| !gan_playground::classifier::is_held_out(i)).collect();
            let indices: Vec<usize> = (0..n).map(|i| training[i * training.len() / n]).collect();
            data.batch(&indices, &device)
        } else {
            gan_playground::score::generate(&generator, arch.nz, n, seed, &device)
        };
        let scores = read_sync(gan_playground::score::score(&classifier, real, fake.clone(), seed))?;
        // Triangles: precision and recall against the manifold (G on an autodiff device for inversion).
        let triangle_scores = if dataset == "triangles" && !options.0.contains_key("real-vs-real") {
            let autodiff = device.clone().autodiff();
            let blank = gan_playground::model::Sequential::init(&arch.specs, &mut Rng::new(0), &autodiff);
            let g = gan_playground::weights::load(&blank, &file, sampler::generator_prefix(&file))?;
            let recall_n: usize = options.get("recall-n", 200)?;
            let steps: usize = options.get("inversion-steps", 150)?;
            let tolerance: f64 = options.get("tolerance-pixels", gan_playground::score::TOLERANCE_PIXELS)?;
            Some(read_sync(gan_playground::score::triangle_precision_recall(
                &g, arch.nz, fake, recall_n, steps, seed, tolerance,
            ))?)
        } else {
            None
        };
        if options.0.contains_key("json") {
            let mut json = serde_json::to_value(&scores).map_err(|e| e.to_string())?;
            if let (Some(t), Some(map)) = (&triangle_scores, json.as_object_mut()) {
                map.insert("triangles".into(), serde_json::to_value(t).map_err(|e| e.to_string())?);
            }
            println!("{json}");
        } else {
            println!(
                "{} samples vs {n} real ({dataset}): FID-style {:.3}  KID {:.4} ± {:.4}  classes {:?}",
                scores.n, scores.fid, scores.kid, scores.kid_std, scores.classes
            );
            if let Some(t) = &triangle_scores {
                println!(
                    "triangles: precision {:.3}  recall {:.3}  F1 {:.3}  (threshold: RMS {:.4}; median distance of samples to the manifold {:.4}, of held-out triangles to their inversions {:.4})",
                    t.precision, t.recall, t.f1, t.threshold, t.median_residual, t.median_inversion
                );
            }
        }
        Ok(())
    }

    /// The first `--n` images of a training set as one PNG grid.
    fn data(options: &Options) -> Result<(), String> {
        let data = options.dataset()?;
        let n: usize = options.get("n", 64)?;
        let out: PathBuf = options.get("out", PathBuf::from("data.png"))?;
        let n = n.clamp(1, data.len());
        let samples: Vec<f32> = (0..n).flat_map(|i| data.image(i).iter().map(|&p| p as f32 / 127.5 - 1.0)).collect();
        let (w, h, c, pixels) = tile_grid(&samples, [n, data.channels, data.height, data.width], 8, 2);
        write_png(&out, w, h, c, &pixels)
    }

    fn write_grid(trainer: &Trainer, path: &Path) -> Result<(), String> {
        let samples = read_sync(trainer.readout(true))?.samples.ok_or("no samples read")?;
        let n = trainer.config().grid_samples;
        if trainer.config().is_points() {
            // 2-D points: G's points as white dots on [−1.25, 1.25]² (the data's square in grey).
            const SIDE: usize = 256;
            let at = |v: f32| ((v + 1.25) / 2.5 * SIDE as f32).round() as i64;
            let mut pixels = vec![0u8; SIDE * SIDE];
            let (lo, hi) = (at(-1.0) as usize, (at(1.0) as usize).min(SIDE - 1));
            for k in lo..=hi {
                for (x, y) in [(k, lo), (k, hi), (lo, k), (hi, k)] {
                    pixels[y * SIDE + x] = 80;
                }
            }
            for p in samples.chunks(2) {
                let (x, y) = (at(p[0]), at(-p[1]));
                for (dx, dy) in [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)] {
                    if (0..SIDE as i64).contains(&(x + dx)) && (0..SIDE as i64).contains(&(y + dy)) {
                        pixels[(y + dy) as usize * SIDE + (x + dx) as usize] = 255;
                    }
                }
            }
            return write_png(path, SIDE, SIDE, 1, &pixels);
        }
        let (w, h, c, pixels) = tile_grid(&samples, [n, trainer.config().model.channels, 28, 28], 8, 2);
        write_png(path, w, h, c, &pixels)
    }

    fn write_png(path: &Path, width: usize, height: usize, channels: usize, pixels: &[u8]) -> Result<(), String> {
        let file = std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width as u32, height as u32);
        encoder.set_color(if channels == 3 { png::ColorType::Rgb } else { png::ColorType::Grayscale });
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(pixels).map_err(|e| e.to_string())
    }
}
