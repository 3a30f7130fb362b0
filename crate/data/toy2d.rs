//! 2-D toy distributions, the kind GAN Lab shows: points in the plane, where the whole of the
//! data, the generator's output and the discriminator's opinion can be drawn at once.
//!
//! A point set is an [`ImageDataset`] of 2-channel 1×1 "images": channel 0 is x, channel 1 is y,
//! both in [−1, 1] and stored as u8 like every pixel (a resolution of 1/127.5 ≈ 0.008, finer than
//! a pixel of the page's plot). The networks for points are MLPs ([`crate::model::mlp2d`]).
//!
//! The distributions, exactly ([`POINTS`] points each, seeded; coordinates clamped to [−1, 1]):
//! - `ring`: 8 Gaussians of σ 0.04, centred at radius 0.75 and angles k·45°;
//! - `grid`: 25 Gaussians of σ 0.03, centred on {−0.8, −0.4, 0, 0.4, 0.8}²;
//! - `spiral`: 1.5 turns, t ~ U[0, 1), angle 3π·t, radius 0.1 + 0.75·t, Gaussian noise σ 0.02;
//! - `moons`: two interleaved half circles (scikit-learn's `make_moons` layout, centred, scaled by
//!   0.6 and flipped so that the first moon is on top), Gaussian noise σ 0.04.
//!
//! A drawing of the user's own comes from the page as a dataset file of the same layout.

use std::f64::consts::PI;

use crate::data::ImageDataset;
use crate::rng::Rng;

/// The generated point sets, by dataset name.
pub const TOYS: &[&str] = &["ring", "grid", "spiral", "moons"];
/// The user's drawn points (a dataset file from the page).
pub const DRAWING: &str = "drawing";
/// Points in a generated set.
pub const POINTS: usize = 2000;

/// The point set `name` (one of [`TOYS`]), [`POINTS`] points from a fixed seed.
pub fn toy(name: &str) -> Result<ImageDataset, String> {
    let mut rng = Rng::new(0x2D + TOYS.iter().position(|&t| t == name).ok_or(format!("no 2-D toy \"{name}\""))? as u64);
    let mut normal = |std: f64| std * rng.normal();
    let points: Vec<[f64; 2]> = match name {
        "ring" => (0..POINTS)
            .map(|i| {
                let a = (i % 8) as f64 * PI / 4.0;
                [0.75 * a.cos() + normal(0.04), 0.75 * a.sin() + normal(0.04)]
            })
            .collect(),
        "grid" => (0..POINTS)
            .map(|i| {
                let (col, row) = ((i % 5) as f64, (i / 5 % 5) as f64);
                [-0.8 + 0.4 * col + normal(0.03), -0.8 + 0.4 * row + normal(0.03)]
            })
            .collect(),
        "spiral" => (0..POINTS)
            .map(|i| {
                let t = (i as f64 + 0.5) / POINTS as f64;
                let (a, r) = (3.0 * PI * t, 0.1 + 0.75 * t);
                [r * a.cos() + normal(0.02), r * a.sin() + normal(0.02)]
            })
            .collect(),
        _ => (0..POINTS)
            .map(|i| {
                let a = PI * (i / 2) as f64 / (POINTS / 2) as f64;
                // make_moons: (cos a, sin a) and (1 − cos a, 0.5 − sin a); centre (0.5, 0.25), × 0.6.
                let (x, y) = if i % 2 == 0 { (a.cos(), a.sin()) } else { (1.0 - a.cos(), 0.5 - a.sin()) };
                [(x - 0.5) * 0.6 + normal(0.04), (0.25 - y) * 0.6 + normal(0.04)]
            })
            .collect(),
    };
    from_points(&points)
}

/// Points in [−1, 1]² (clamped) as a dataset of 2×1×1 images.
pub fn from_points(points: &[[f64; 2]]) -> Result<ImageDataset, String> {
    let level = |v: f64| ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8;
    let pixels = points.iter().flat_map(|p| [level(p[0]), level(p[1])]).collect();
    ImageDataset::new(2, 1, 1, pixels, vec![255; points.len()]).map_err(|e| format!("{} points: {e}", points.len()))
}

/// A dataset's points back in [−1, 1]², as the networks see them.
pub fn points_of(data: &ImageDataset) -> Vec<[f32; 2]> {
    let value = |p: u8| p as f32 * (2.0 / 255.0) - 1.0;
    (0..data.len()).map(|i| data.image(i)).map(|p| [value(p[0]), value(p[1])]).collect()
}

/// The Gaussian mixtures' modes, their centres and σ: `ring` and `grid` (the other sets are curves).
pub fn modes(name: &str) -> Option<(Vec<[f64; 2]>, f64)> {
    match name {
        "ring" => Some(((0..8).map(|k| k as f64 * PI / 4.0).map(|a| [0.75 * a.cos(), 0.75 * a.sin()]).collect(), 0.04)),
        "grid" => Some(((0..25).map(|i| [-0.8 + 0.4 * (i % 5) as f64, -0.8 + 0.4 * (i / 5) as f64]).collect(), 0.03)),
        _ => None,
    }
}

/// How well generated points cover a mixture's modes, as the mode-collapse literature counts it: a
/// point is near a mode within 3σ of its centre, and a mode is covered when at least a quarter of
/// its fair share of the points (n / 4K for K modes) is near it.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    pub covered: usize,
    pub modes: usize,
    /// The share of the points near some mode (the samples' quality, apart from their variety).
    pub near: f64,
}

/// The coverage of `points` (x, y pairs) on the mixture `name`, or `None` where it has no modes.
pub fn coverage(name: &str, points: &[f32]) -> Option<Coverage> {
    let (centres, sigma) = modes(name)?;
    let n = points.len() / 2;
    let mut near = vec![0usize; centres.len()];
    for p in points.chunks_exact(2) {
        let d2 = |c: &[f64; 2]| (f64::from(p[0]) - c[0]).powi(2) + (f64::from(p[1]) - c[1]).powi(2);
        if let Some(k) = (0..centres.len()).find(|&k| d2(&centres[k]) <= (3.0 * sigma).powi(2)) {
            near[k] += 1;
        }
    }
    let needed = (n as f64 / (4.0 * centres.len() as f64)).max(1.0);
    Some(Coverage {
        covered: near.iter().filter(|&&c| c as f64 >= needed).count(),
        modes: centres.len(),
        near: if n == 0 { 0.0 } else { near.iter().sum::<usize>() as f64 / n as f64 },
    })
}
