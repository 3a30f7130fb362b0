//! The command line: every command, option, type and default, parsed by clap. A run's settings
//! take their ranges, defaults and help from the core's table (`trainer::settings`), so that the
//! page and the command line accept the same values and refuse the rest with the same reasons.

use std::path::PathBuf;

use std::collections::BTreeMap;

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum, value_parser};

use gan_playground::data::DATASETS;
use gan_playground::gan::REGISTRY;
use gan_playground::safetensors::Dtype;
use gan_playground::trainer::TrainConfig;
use gan_playground::trainer::settings::{self, Kind, RunSettings, SETTINGS, Setting};

mod study;
pub use study::*;

#[derive(Parser)]
#[command(
    name = "gan",
    version,
    about = "The GAN playground's core on the command line: train, sample, score and convert."
)]
pub struct Cli {
    /// Where tensors live. auto: a hardware GPU where the machine has one, else the CPU.
    #[arg(long, global = true, default_value = "auto", value_parser = ["auto", "gpu", "cpu"])]
    pub backend: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Train a GAN: sample grids as PNG, checkpoints every --grid-every steps (weights.safetensors,
    /// and run.safetensors, the whole run to --resume from), and the loss log losses.csv, appended
    /// as training goes, all in --out.
    Train(TrainArgs),
    /// Time generator iterations (n_critic critic steps + one generator step) and critic steps.
    Bench(BenchArgs),
    /// Draw samples from a weights file's generator (ours, or a PyTorch dcgan28/dcgan64 state dict).
    Sample(SampleArgs),
    /// Rewrite every float tensor of a weights file in another dtype.
    Convert(ConvertArgs),
    /// The contact sheet of several `gan train` runs: one strip of samples per variant.
    Sheet(SheetArgs),
    /// A variant's loss terms and every weight's gradient for given weights, data and noise.
    Grads(GradsArgs),
    /// The first images of a training set as one PNG grid.
    Data(DataArgs),
    /// Train the MNIST classifier behind the scores.
    Classifier(ClassifierArgs),
    /// FID-style distance and KID (and on triangles precision, recall and F1) of a generator.
    Score(ScoreArgs),
    /// What a run can be: the datasets, every setting (range, default, label) and the variants.
    Schema(SchemaArgs),
    /// The config of a run's settings as the page sends them: one JSON object per line on stdin
    /// ({"variant":"wgan","dataset":"mnist","batch":32,"knobs":{}}), one line out for each: the
    /// run as the page would show it ({config, settings, inUse, …}), or {"error": why}.
    Config,
    /// "Are GANs Created Equal?": plan the search and the seeds phases, run them, draw the figures.
    #[command(subcommand)]
    Study(StudyAction),
}

impl Cli {
    /// The command line, or exit with status 2: clap's reason, then the usage of the command
    /// (clap shows it only for some mistakes; a bad value gets it too).
    pub fn parse_or_exit() -> Self {
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        Self::try_parse_from(&args).unwrap_or_else(|e| {
            if !e.use_stderr() || e.to_string().contains("Usage:") {
                e.exit();
            }
            let mut command = Self::command();
            command.build();
            let name = args.iter().skip(1).find_map(|a| command.find_subcommand(a).map(|c| c.get_name().to_string()));
            let usage = match name.and_then(|n| command.find_subcommand_mut(n)) {
                Some(sub) => sub.render_usage(),
                None => command.render_usage(),
            };
            let _ = e.print();
            eprintln!("\n{usage}");
            std::process::exit(2);
        })
    }

    /// Whether the command trains on 2-D points (tiny kernels: best on one CPU thread).
    pub fn trains_on_points(&self) -> bool {
        let source = match &self.command {
            Command::Train(a) => &a.run.source,
            Command::Bench(a) => &a.run.source,
            _ => return false,
        };
        gan_playground::data::dataset(&source.dataset).is_ok_and(|d| d.kind == gan_playground::data::Kind::Points)
    }
}

fn variant_ids() -> PossibleValuesParser {
    PossibleValuesParser::new(REGISTRY.iter().map(|r| r.id))
}

fn dataset_ids() -> PossibleValuesParser {
    PossibleValuesParser::new(DATASETS.iter().map(|d| d.id))
}

/// A setting's help: the core's line and its range.
fn help(name: &str) -> String {
    let setting = settings::setting_named(name).expect("a setting of trainer::settings");
    format!("{} ({})", setting.help, setting.expected())
}

/// A whole-number setting, checked against its range in the core's table.
fn whole<T: TryFrom<u64>>(name: &'static str) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    move |text| {
        let setting = settings::setting_named(name).expect("a setting of trainer::settings");
        let value = parse_setting(setting, text)?;
        T::try_from(value as u64).map_err(|_| format!("must be {}", setting.expected()))
    }
}

/// A value of `setting`, checked against its range in the core's table.
fn parse_setting(setting: &Setting, text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|v| setting.check(v).ok())
        .ok_or_else(|| format!("must be {}", setting.expected()))
}

/// Where the training images come from.
#[derive(Args)]
pub struct Source {
    /// The training data: a dataset file's (mnist, images, drawing) or generated.
    #[arg(long, default_value = DATASETS[0].id, value_parser = dataset_ids())]
    pub dataset: String,
    /// The dataset file of mnist, images and drawing (the GDS1 layout of crate/data).
    #[arg(long, default_value = "www/data/mnist.bin")]
    pub data: PathBuf,
}

/// Every setting of the core's table as an option (`--batch 32`, `--n-critic 5`, `--d-lr 4e-4`),
/// with its help, range and default: a setting added to the table is an option here.
#[derive(Clone, Debug, Default)]
pub struct SettingArgs(pub BTreeMap<String, f64>);

impl FromArgMatches for SettingArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let given = SETTINGS.iter().filter_map(|s| Some((s.name.to_string(), *matches.get_one::<f64>(s.name)?)));
        Ok(Self(given.collect()))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for SettingArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        SETTINGS.iter().fold(command, |command, setting: &'static Setting| {
            let default = setting.default_value().map_or(setting.unset.to_string(), |v| v.to_string());
            command.arg(
                Arg::new(setting.name)
                    .long(setting.name.replace('_', "-"))
                    .value_name(if setting.kind == Kind::Int { "N" } else { "X" })
                    .help(format!("{} ({}) [default: {default}]", setting.help, setting.expected()))
                    .value_parser(move |text: &str| parse_setting(setting, text)),
            )
        })
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

/// A run: its variant, its data, its settings and the variant's knobs. Unset values are the
/// core's defaults.
#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub source: Source,
    /// The loss.
    #[arg(long, default_value = REGISTRY[0].id, value_parser = variant_ids())]
    pub variant: String,
    #[command(flatten)]
    pub settings: SettingArgs,
    /// The variant's own settings, e.g. gamma=0.7,lambda=5 (`gan schema` lists them).
    #[arg(long, value_delimiter = ',', value_parser = parse_knob)]
    pub knobs: Vec<(String, f64)>,
}

/// A count of at least one (a count of zero would divide by zero, or do nothing).
fn at_least_one(text: &str) -> Result<u64, String> {
    text.parse().ok().filter(|&n| n >= 1).ok_or_else(|| "must be a whole number, at least 1".to_string())
}

fn at_least_two(text: &str) -> Result<u64, String> {
    text.parse().ok().filter(|&n| n >= 2).ok_or_else(|| "must be a whole number, at least 2".to_string())
}

fn parse_knob(pair: &str) -> Result<(String, f64), String> {
    let (name, value) = pair.split_once('=').ok_or_else(|| format!("expected name=value, got {pair:?}"))?;
    let value = value.parse().map_err(|_| format!("{name} needs a number, got {value:?}"))?;
    Ok((name.to_string(), value))
}

impl RunArgs {
    /// The run's settings, as the page would give them.
    pub fn settings(&self) -> RunSettings {
        RunSettings {
            variant: self.variant.clone(),
            dataset: self.source.dataset.clone(),
            values: self.settings.0.iter().map(|(name, v)| (name.clone(), Some(*v))).collect(),
            knobs: self.knobs.iter().cloned().collect(),
        }
    }

    /// The run's config, built and checked by the core.
    pub fn config(&self) -> Result<TrainConfig, String> {
        settings::config_of(&self.settings())
    }
}

/// Float types a weights file may be written in.
#[derive(Clone, Copy, ValueEnum)]
pub enum FloatType {
    F32,
    F16,
    Bf16,
}

impl From<FloatType> for Dtype {
    fn from(t: FloatType) -> Self {
        match t {
            FloatType::F32 => Dtype::F32,
            FloatType::F16 => Dtype::F16,
            FloatType::Bf16 => Dtype::BF16,
        }
    }
}

#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// The step to stop at (a resumed run goes on from its own step to this one).
    #[arg(long, default_value_t = 2000, value_parser = at_least_one)]
    pub steps: u64,
    /// Write a grid and a checkpoint every this many steps (and after the last).
    #[arg(long, default_value_t = 250, value_parser = at_least_one)]
    pub grid_every: u64,
    /// The folder of the grids, the checkpoint and the loss log.
    #[arg(long, default_value = "out/train")]
    pub out: PathBuf,
    /// Start from the weights of a checkpoint of the same model and variant (the optimiser and
    /// the data order start afresh).
    #[arg(long, conflicts_with = "resume")]
    pub weights: Option<PathBuf>,
    /// Go on with the run saved in a run.safetensors, exactly as if it had not stopped: its
    /// settings (the run options above are not used, but --data is), weights, optimiser state,
    /// data order, random stream and step.
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// The checkpoint's float type (bf16 is not offered: the page saves f32 or f16).
    #[arg(long, default_value = "f32", value_parser = ["f32", "f16"])]
    pub dtype: String,
}

#[derive(Args)]
pub struct BenchArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Timed iterations.
    #[arg(long, default_value_t = 10, value_parser = at_least_one)]
    pub steps: u64,
    /// Untimed iterations first (shader compilation, allocations).
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
    /// One JSON line instead of a sentence.
    #[arg(long)]
    pub json: bool,
    /// The convolutions' kernels on a GPU: `products` (im2col, col2im and matmuls, what every
    /// run uses) or `burn` (burn's direct kernels), to compare the two.
    #[arg(long, default_value = "products", value_parser = ["products", "burn"])]
    pub gpu_convolutions: String,
}

#[derive(Args)]
pub struct SampleArgs {
    #[arg(long)]
    pub weights: PathBuf,
    /// The latents: a tensor `z` [N, nz, 1, 1]; else N(0, I) from --seed.
    #[arg(long)]
    pub z: Option<PathBuf>,
    /// How many samples (without --z).
    #[arg(long, default_value_t = 64, value_parser = value_parser!(u64).range(1..=1024))]
    pub n: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The grid a training run from this file opens on (the file's seed and grid size, BatchNorm
    /// on the grid batch's statistics): the page's first samples of a pretrained run.
    #[arg(long, conflicts_with_all = ["z", "n", "seed"])]
    pub opening: bool,
    /// A PNG grid, a .safetensors file holding the raw G(z) as `samples` (NCHW, f32), or a .u8
    /// file of its pixels as the page draws them (NCHW, one byte each).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct ConvertArgs {
    #[arg(long = "in")]
    pub input: PathBuf,
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum)]
    pub dtype: FloatType,
}

#[derive(Args)]
pub struct SheetArgs {
    /// The folder holding one `gan train` run per variant, in <runs>/<variant>.
    #[arg(long, default_value = "out/sheet")]
    pub runs: PathBuf,
    #[arg(long, required = true, value_delimiter = ',', value_parser = variant_ids())]
    pub variants: Vec<String>,
    /// Samples per strip.
    #[arg(long, default_value_t = 16, value_parser = value_parser!(u64).range(1..=64))]
    pub samples: u64,
    #[arg(long, default_value = "out/sheet")]
    pub out_dir: PathBuf,
}

#[derive(Args)]
pub struct GradsArgs {
    #[arg(long, value_parser = variant_ids())]
    pub variant: String,
    /// Data, noise and (without --generator/--critic) the networks under `generator.` and `critic.`.
    #[arg(long)]
    pub inputs: PathBuf,
    /// A PyTorch state dict of the generator (unprefixed).
    #[arg(long)]
    pub generator: Option<PathBuf>,
    /// A PyTorch state dict of the critic (unprefixed).
    #[arg(long)]
    pub critic: Option<PathBuf>,
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct DataArgs {
    #[command(flatten)]
    pub source: Source,
    #[arg(long, default_value_t = 64, value_parser = at_least_one)]
    pub n: u64,
    #[arg(long, default_value = "data.png")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct ClassifierArgs {
    #[command(flatten)]
    pub source: Source,
    #[arg(long, default_value_t = 15, value_parser = at_least_one)]
    pub epochs: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value = "www/metrics/mnist-classifier.safetensors")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct ScoreArgs {
    #[arg(long)]
    pub weights: PathBuf,
    /// The real data to score against [default: the dataset the weights file names, else mnist].
    #[arg(long, value_parser = ["mnist", "triangles"])]
    pub dataset: Option<String>,
    /// MNIST's dataset file.
    #[arg(long, default_value = "www/data/mnist.bin")]
    pub data: PathBuf,
    /// Samples (and real images) scored.
    #[arg(long, default_value_t = 2000, value_parser = at_least_two)]
    pub n: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value = "www/metrics/mnist-classifier.safetensors")]
    pub classifier: PathBuf,
    /// One JSON line instead of sentences.
    #[arg(long)]
    pub json: bool,
    /// Score real training images in place of samples (the floor of each score).
    #[arg(long)]
    pub real_vs_real: bool,
    /// Triangles: held-out triangles inverted for recall.
    #[arg(long, default_value_t = 200, value_parser = at_least_one)]
    pub recall_n: u64,
    /// Triangles: gradient steps of each inversion.
    #[arg(long, default_value_t = 150, value_parser = at_least_one)]
    pub inversion_steps: u64,
    /// Triangles: how far (in pixels) a sample may lie from the manifold and still count.
    #[arg(long, default_value_t = gan_playground::score::TOLERANCE_PIXELS)]
    pub tolerance_pixels: f64,
}

#[derive(Args)]
pub struct SchemaArgs {
    /// Print it as JSON (the document the page reads); else as a table.
    #[arg(long)]
    pub json: bool,
}
