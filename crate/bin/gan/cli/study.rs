//! `gan study`'s commands and options ("Are GANs Created Equal?": plan, run, trial, seeds, figures).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use gan_playground::trainer::TrainConfig;

use super::{Source, at_least_one, at_least_two, help, variant_ids, whole};

#[derive(Subcommand)]
pub enum StudyAction {
    /// Write a plan: for each variant, --settings runs (the first with the variant's published
    /// settings, the others drawn from the study's ranges), reproducible from --draw-seed.
    Plan(StudyPlanArgs),
    /// Run the plan's runs that have no result yet (--jobs at a time), appending one JSON line per
    /// finished run to --results (an interrupted study goes on where it stopped).
    Run(StudyRunArgs),
    /// Train and score one run of a plan and print its result as one JSON line (what `run --jobs`
    /// and a Ray trial start for each run).
    Trial(StudyTrialArgs),
    /// Write the seeds phase's plan: each variant's best setting of a search, rerun with --seeds seeds.
    Seeds(StudySeedsArgs),
    /// Draw the study's figures as SVG from results files: the best score against the budget, the
    /// spread over seeds, and precision against recall on triangles.
    Figures(StudyFiguresArgs),
}

#[derive(Args)]
pub struct StudySeedsArgs {
    /// The search's plan.
    #[arg(long, default_value = "out/study/plan.json")]
    pub search: PathBuf,
    /// The search's results.
    #[arg(long, default_value = "out/study/results.jsonl")]
    pub results: PathBuf,
    /// Seeds per variant.
    #[arg(long, default_value_t = 10, value_parser = at_least_one)]
    pub seeds: u64,
    /// The first seed (the others follow it).
    #[arg(long, default_value_t = 1000)]
    pub first_seed: u64,
    /// The seeds plan file.
    #[arg(long, default_value = "out/study/seeds-plan.json")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct StudyFiguresArgs {
    /// The search phase's results.
    #[arg(long, default_value = "out/study/results.jsonl")]
    pub search: PathBuf,
    /// The seeds phase's results (none: no box plots).
    #[arg(long)]
    pub seeds: Option<PathBuf>,
    /// The folder the SVG files go to.
    #[arg(long, default_value = "out/study")]
    pub out: PathBuf,
    /// What the figures' titles name (e.g. "MNIST, 300 steps, widths 16").
    #[arg(long, default_value = "")]
    pub title: String,
}

#[derive(Args)]
pub struct StudyPlanArgs {
    #[command(flatten)]
    pub source: Source,
    /// The variants to search.
    #[arg(long, required = true, value_delimiter = ',', value_parser = variant_ids())]
    pub variants: Vec<String>,
    /// Runs per variant.
    #[arg(long, default_value_t = 8, value_parser = at_least_one)]
    pub settings: u64,
    /// Steps each run trains.
    #[arg(long, default_value_t = 200, value_parser = at_least_one)]
    pub steps: u64,
    /// Times each run is scored, evenly spaced (its best score counts).
    #[arg(long, default_value_t = 4, value_parser = at_least_one)]
    pub checkpoints: u64,
    /// Seeds the hyperparameter draws.
    #[arg(long, default_value_t = 1)]
    pub draw_seed: u64,
    #[arg(long, help = help("seed"), default_value_t = TrainConfig::default().seed, value_parser = whole::<u64>("seed"))]
    pub seed: u64,
    #[arg(long, help = help("batch"), default_value_t = TrainConfig::default().batch_size, value_parser = whole::<usize>("batch"))]
    pub batch: usize,
    #[arg(long, help = help("g_width"), default_value_t = TrainConfig::default().model.g_width, value_parser = whole::<usize>("g_width"))]
    pub g_width: usize,
    #[arg(long, help = help("d_width"), default_value_t = TrainConfig::default().model.d_width, value_parser = whole::<usize>("d_width"))]
    pub d_width: usize,
    /// The plan file.
    #[arg(long, default_value = "out/study/plan.json")]
    pub out: PathBuf,
}

/// What every run of a study reads: its plan, the data and the classifier, and how many samples
/// it is scored on.
#[derive(Args)]
pub struct StudyInputs {
    /// The plan file (`gan study plan`).
    #[arg(long, default_value = "out/study/plan.json")]
    pub plan: PathBuf,
    /// The dataset file of mnist, images and drawing.
    #[arg(long, default_value = "www/data/mnist.bin")]
    pub data: PathBuf,
    #[arg(long, default_value = "www/metrics/mnist-classifier.safetensors")]
    pub classifier: PathBuf,
    /// Samples (and real images) each run is scored on.
    #[arg(long, default_value_t = 500, value_parser = at_least_two)]
    pub n: u64,
}

#[derive(Args)]
pub struct StudyRunArgs {
    #[command(flatten)]
    pub inputs: StudyInputs,
    /// The results file, appended to.
    #[arg(long, default_value = "out/study/results.jsonl")]
    pub results: PathBuf,
    /// Stop after this many runs (the rest wait for the next `gan study run`).
    #[arg(long, value_parser = at_least_one)]
    pub limit: Option<u64>,
    /// Runs trained side by side, each in its own `gan study trial` process.
    #[arg(long, default_value_t = 1, value_parser = at_least_one)]
    pub jobs: u64,
}

#[derive(Args)]
pub struct StudyTrialArgs {
    #[command(flatten)]
    pub inputs: StudyInputs,
    /// The run's id in the plan.
    #[arg(long)]
    pub id: usize,
}
