//! The synthetic triangles of "Are GANs Created Equal?" (Lucic et al. 2017, §5): 28×28 grey
//! images of one filled white triangle on black, a dataset whose every sample can be checked.
//!
//! The definition used here, exactly:
//! - Vertex angles: θ_i = 120°·(i + u_i), u_i ~ U[0, 1), i = 0, 1, 2 — one vertex in each third of
//!   the circle. Drawn again (all three) until every arc between neighbouring vertices, including
//!   the one across 0°, is at least [`MIN_ARC_DEGREES`] = 20°, so no triangle degenerates to a sliver.
//! - Scale: the vertices lie on a circle of diameter 0.75 × 28 = 21 pixels ([`SCALE`]).
//! - Centring: the triangle is moved so that its centroid is the image centre (14, 14).
//! - Rendering: each pixel is the share of its 8×8 sub-pixel grid ([`SUPERSAMPLING`]) that lies
//!   inside the triangle, × 255: anti-aliased edges, interior 255, background 0.
//!   Pixel (x, y) covers [x, x+1)×[y, y+1); y grows downwards.
//!
//! The generator is seeded ([`crate::rng::Rng`]), so a seed and a count give the same images everywhere.

use crate::data::ImageDataset;
use crate::rng::Rng;

pub const SIZE: usize = 28;
pub const SCALE: f64 = 0.75;
pub const MIN_ARC_DEGREES: f64 = 20.0;
pub const SUPERSAMPLING: usize = 8;

/// A triangle in pixel coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Triangle {
    pub vertices: [[f64; 2]; 3],
}

impl Triangle {
    /// One triangle by the definition above.
    pub fn sample(rng: &mut Rng) -> Self {
        let angles = loop {
            let angles: [f64; 3] = std::array::from_fn(|i| 120.0 * (i as f64 + rng.uniform()));
            if arcs(angles).iter().all(|&a| a >= MIN_ARC_DEGREES) {
                break angles;
            }
        };
        let radius = SCALE * SIZE as f64 / 2.0;
        let points = angles.map(|a| {
            let r = a.to_radians();
            [radius * r.cos(), radius * r.sin()]
        });
        let centroid = [0, 1].map(|k| points.iter().map(|p| p[k]).sum::<f64>() / 3.0);
        let centre = SIZE as f64 / 2.0;
        Self { vertices: points.map(|p| [p[0] - centroid[0] + centre, p[1] - centroid[1] + centre]) }
    }

    pub fn centroid(&self) -> [f64; 2] {
        [0, 1].map(|k| self.vertices.iter().map(|p| p[k]).sum::<f64>() / 3.0)
    }

    /// Whether the point lies inside (or on an edge of) the triangle, whatever its orientation.
    pub fn contains(&self, p: [f64; 2]) -> bool {
        let [a, b, c] = self.vertices;
        let edge = |u: [f64; 2], v: [f64; 2]| (v[0] - u[0]) * (p[1] - u[1]) - (v[1] - u[1]) * (p[0] - u[0]);
        let (e0, e1, e2) = (edge(a, b), edge(b, c), edge(c, a));
        (e0 >= 0.0 && e1 >= 0.0 && e2 >= 0.0) || (e0 <= 0.0 && e1 <= 0.0 && e2 <= 0.0)
    }

    /// The triangle's area in pixels².
    pub fn area(&self) -> f64 {
        let [a, b, c] = self.vertices;
        ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])).abs() / 2.0
    }

    /// The 28×28 image, u8, row-major.
    pub fn render(&self) -> Vec<u8> {
        let n = SUPERSAMPLING;
        let mut out = Vec::with_capacity(SIZE * SIZE);
        // Pixels outside the bounding box are background: skip their sub-pixels.
        let low = |k: usize| self.vertices.iter().map(|v| v[k]).fold(f64::INFINITY, f64::min).floor();
        let high = |k: usize| self.vertices.iter().map(|v| v[k]).fold(f64::NEG_INFINITY, f64::max).ceil();
        let (x0, x1, y0, y1) = (low(0), high(0), low(1), high(1));
        for y in 0..SIZE {
            for x in 0..SIZE {
                if (x as f64) < x0 - 1.0 || (x as f64) > x1 || (y as f64) < y0 - 1.0 || (y as f64) > y1 {
                    out.push(0);
                    continue;
                }
                let mut inside = 0;
                for j in 0..n {
                    for i in 0..n {
                        let p = [x as f64 + (i as f64 + 0.5) / n as f64, y as f64 + (j as f64 + 0.5) / n as f64];
                        inside += usize::from(self.contains(p));
                    }
                }
                out.push(((inside * 255) as f64 / (n * n) as f64).round() as u8);
            }
        }
        out
    }
}

/// The three arcs (degrees) between neighbouring vertex angles, the one across 0° included.
pub fn arcs(angles: [f64; 3]) -> [f64; 3] {
    [angles[1] - angles[0], angles[2] - angles[1], 360.0 + angles[0] - angles[2]]
}

/// `count` (≥ 1) triangles from `seed` as a dataset (no labels), with the triangles themselves.
pub fn triangles(count: usize, seed: u64) -> Result<(ImageDataset, Vec<Triangle>), String> {
    let mut rng = Rng::new(seed);
    let shapes: Vec<Triangle> = (0..count).map(|_| Triangle::sample(&mut rng)).collect();
    let pixels = shapes.iter().flat_map(|t| t.render()).collect();
    let dataset =
        ImageDataset::new(1, SIZE, SIZE, pixels, vec![255; count]).map_err(|e| format!("{count} triangles: {e}"))?;
    Ok((dataset, shapes))
}
