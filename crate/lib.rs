//! GAN Playground core: train and sample small GANs on WebGPU (in the browser) or on the CPU.
//!
//! Layers, each depending only on the ones above it:
//! - [`rng`]: host-side seeded randomness (same seed, same run, on every backend); [`tensor`]:
//!   device reads as f32, and latent vectors z
//! - [`data`]: the datasets (their catalogue, dataset files, generated sets) and batching
//!   ([`image`]: sample grids as pixels)
//! - [`model`]: networks as layer lists named like PyTorch's `nn.Sequential`, one file per
//!   architecture (each recognises its own generator in a weight file), their [`model::Sizes`]
//! - [`safetensors`], [`weights`]: weight files (PyTorch's state-dict names) in and out
//! - [`optim`]: Adam and RMSProp with their state in the open
//! - [`loss`]: loss building blocks from their formulas; [`gan`]: the GAN variants and their registry
//! - [`trainer`]: a run's config, its settings table and limits, its steps and batched async read-outs
//! - [`checkpoint`]: a run's weights, or its whole state, as a file and back; [`loading`]: what a
//!   file means for a run; [`sampler`]: G from any weights file; [`grads`]: a variant's losses and
//!   weight gradients on given inputs (for cross-framework checks)
//! - [`classifier`], [`metrics`], [`score`]: the scores of a generator; [`study`]: "Are GANs
//!   Created Equal?"'s search as a plan of runs and their results
//! - [`schema`]: what a run can be (datasets, settings, variants), for the page and `gan`
//! - [`backend`]: run-time device choice (WebGPU or CPU)
//! - `bindings` (wasm only): the thin JavaScript interface, no ML logic

pub mod backend;
pub mod checkpoint;
pub mod classifier;
pub mod data;
pub mod gan;
pub mod grads;
pub mod image;
pub mod loading;
pub mod loss;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod rng;
pub mod safetensors;
pub mod sampler;
pub mod schema;
pub mod score;
pub mod study;
pub mod tensor;
pub mod trainer;
pub mod weights;

#[cfg(target_family = "wasm")]
mod bindings;
