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

/// A triangle in pixel coordinates, with the vertex angles (degrees) it was made from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Triangle {
    pub vertices: [[f64; 2]; 3],
    pub angles: [f64; 3],
}

impl Triangle {
    /// One triangle by the definition above.
    pub fn sample(rng: &mut Rng) -> Self {
        let angles = loop {
            let angles: [f64; 3] = std::array::from_fn(|i| 120.0 * (i as f64 + rng.uniform()));
            if valid_angles(angles) {
                break angles;
            }
        };
        Self::from_angles(angles)
    }

    /// The triangle with these vertex angles, scaled and centred by the definition above.
    pub fn from_angles(angles: [f64; 3]) -> Self {
        let radius = SCALE * SIZE as f64 / 2.0;
        let points = angles.map(|a| {
            let r = a.to_radians();
            [radius * r.cos(), radius * r.sin()]
        });
        let centroid = [0, 1].map(|k| points.iter().map(|p| p[k]).sum::<f64>() / 3.0);
        let centre = SIZE as f64 / 2.0;
        Self { vertices: points.map(|p| [p[0] - centroid[0] + centre, p[1] - centroid[1] + centre]), angles }
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

/// Whether vertex angles (degrees) make a triangle of the dataset: one in each third of the
/// circle, no arc below [`MIN_ARC_DEGREES`].
pub fn valid_angles(angles: [f64; 3]) -> bool {
    angles.iter().enumerate().all(|(i, &a)| (120.0 * i as f64..120.0 * (i + 1) as f64).contains(&a))
        && arcs(angles).iter().all(|&a| a >= MIN_ARC_DEGREES)
}

/// RMS difference, in grey levels in [0, 1], between two 28×28 images.
pub fn rms(a: &[f32], b: &[f32]) -> f64 {
    let sum: f64 = a.iter().zip(b).map(|(&x, &y)| f64::from(x - y).powi(2)).sum();
    (sum / a.len().max(1) as f64).sqrt()
}

/// A rendered triangle as grey levels in [0, 1].
fn unit(t: &Triangle) -> Vec<f32> {
    t.render().into_iter().map(|p| f32::from(p) / 255.0).collect()
}

/// The triangle of the dataset closest to `image` (784 grey levels in [0, 1], row-major) and the
/// RMS residual between the two: pattern search on the three vertex angles from `start` (each
/// vertex alone, or a rotation of all three), in steps of 4° halved down to 1/8°, staying inside the dataset's definition ([`valid_angles`]).
/// The residual is the image's distance to the triangle manifold (up to a local optimum: start
/// from a near neighbour).
pub fn fit(image: &[f32], start: [f64; 3]) -> (Triangle, f64) {
    let residual = |angles: [f64; 3]| rms(&unit(&Triangle::from_angles(angles)), image);
    let (mut best, mut cost) = (start, residual(start));
    let mut step = 4.0;
    while step >= 0.125 {
        let mut improved = true;
        while improved {
            improved = false;
            // One vertex at a time, or all three (a rotation: a ridge that single moves zigzag on).
            for moved in [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]] {
                for direction in [-1.0, 1.0] {
                    let angles: [f64; 3] = std::array::from_fn(|i| best[i] + moved[i] * direction * step);
                    if !valid_angles(angles) {
                        continue;
                    }
                    let c = residual(angles);
                    if c < cost {
                        (best, cost, improved) = (angles, c, true);
                    }
                }
            }
        }
        step /= 2.0;
    }
    (Triangle::from_angles(best), cost)
}

/// How far a true triangle is from itself moved by `shift` pixels (right, or down): the median RMS
/// difference over `shapes`. With one pixel it is the tolerance of precision and recall: a sample
/// counts as a triangle when it is no further from its fitted triangle than a triangle is from
/// itself displaced by a pixel (about 0.15; for scale: a triangle blurred by a Gaussian of σ 1.5
/// pixels is 0.12 from itself, two random triangles are about 0.3 apart).
pub fn displacement_distance(shapes: &[Triangle], shift: f64) -> f64 {
    let mut distances: Vec<f64> = shapes
        .iter()
        .flat_map(|t| {
            let image = unit(t);
            [[shift, 0.0], [0.0, shift]].map(|[dx, dy]| {
                let moved = Triangle { vertices: t.vertices.map(|v| [v[0] + dx, v[1] + dy]), angles: t.angles };
                rms(&unit(&moved), &image)
            })
        })
        .collect();
    distances.sort_by(|a, b| a.total_cmp(b));
    distances.get(distances.len() / 2).copied().unwrap_or(0.0)
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
