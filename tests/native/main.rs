//! The native tests of the core, one module per concern, in one test binary: each binary of its
//! own would compile and link the crate's generic training code again.
#![cfg(not(target_family = "wasm"))]

#[path = "../common/mod.rs"]
mod common;

mod classifier;
mod cli;
mod cpu;
mod gpu;
mod loading;
mod metrics;
mod parity;
mod parsers;
mod resume;
mod settings;
mod study;
mod toy2d;
mod triangles;
mod variants;
mod weights;
