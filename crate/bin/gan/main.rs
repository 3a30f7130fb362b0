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

#[cfg(not(target_family = "wasm"))]
fn main() {
    let cli = cli::Cli::parse_or_exit();
    let small = cli.trains_on_points();
    if let Err(message) = gan_playground::backend::on_cpu_threads(small, || cli.run()) {
        eprintln!("gan: {message}");
        std::process::exit(1);
    }
}

#[cfg(target_family = "wasm")]
fn main() {}
