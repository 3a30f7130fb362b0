//! `gan`: the playground's core on the command line. `gan --help` lists the commands and
//! `gan COMMAND --help` every option of one; an unknown option or a bad value is refused with the
//! usage, before anything runs.
//!
//! Every command takes `--backend auto|gpu|cpu` (auto: burn's wgpu backend on a hardware GPU
//! where the machine has one, else burn's CPU backend). Files are written whole or not at all:
//! each goes to a temporary file beside its destination and is renamed over it.

#[cfg(not(target_family = "wasm"))]
mod cli;
#[cfg(not(target_family = "wasm"))]
mod figures;
#[cfg(not(target_family = "wasm"))]
mod history;
#[cfg(not(target_family = "wasm"))]
mod inputs;
#[cfg(not(target_family = "wasm"))]
mod output;
#[cfg(not(target_family = "wasm"))]
mod study;
#[cfg(not(target_family = "wasm"))]
mod tools;
#[cfg(not(target_family = "wasm"))]
mod train;

// Keeps freed memory for the next step's tensors instead of handing it back to the system.
#[cfg(not(target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc.h's `mi_option_purge_delay` (mimalloc 3, which libmimalloc-sys builds by default).
#[cfg(not(target_family = "wasm"))]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[cfg(not(target_family = "wasm"))]
fn main() {
    // A step frees and allocates the same large tensors again within milliseconds; purging freed
    // memory (after mimalloc's default 10 ms) made every step fault in and zero those pages anew,
    // a sixth of an iteration's CPU time. The peak footprint is the same either way.
    // SAFETY: set once, before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let cli = cli::Cli::parse_or_exit();
    let small = cli.trains_on_points();
    if let Err(message) = gan_playground::backend::on_cpu_threads(small, || run(cli)) {
        eprintln!("gan: {message}");
        std::process::exit(1);
    }
}

/// Runs the command `cli` names.
#[cfg(not(target_family = "wasm"))]
fn run(cli: cli::Cli) -> Result<(), String> {
    let backend = cli.backend;
    match cli.command {
        cli::Command::Train(a) => crate::train::train(&a, &backend),
        cli::Command::Bench(a) => crate::train::bench(&a, &backend),
        cli::Command::Sample(a) => crate::tools::sample(&a, &backend),
        cli::Command::Convert(a) => crate::tools::convert(&a),
        cli::Command::Sheet(a) => crate::tools::sheet(&a),
        cli::Command::Grads(a) => crate::tools::grads(&a, &backend),
        cli::Command::Data(a) => crate::tools::data(&a),
        cli::Command::Classifier(a) => crate::tools::classifier(&a, &backend),
        cli::Command::Score(a) => crate::tools::score(&a, &backend),
        cli::Command::Schema(a) => crate::tools::schema(&a),
        cli::Command::Config => crate::tools::configs(),
        cli::Command::Study(cli::StudyAction::Plan(a)) => crate::study::plan(&a),
        cli::Command::Study(cli::StudyAction::Run(a)) => crate::study::run(&a, &backend),
        cli::Command::Study(cli::StudyAction::Trial(a)) => crate::study::trial(&a, &backend),
        cli::Command::Study(cli::StudyAction::Seeds(a)) => crate::study::seeds(&a),
        cli::Command::Study(cli::StudyAction::Figures(a)) => crate::figures::write(&a),
    }
}

#[cfg(target_family = "wasm")]
fn main() {}
