//! The triangles dataset of "Are GANs Created Equal?": its geometry checked on samples.
#![cfg(not(target_family = "wasm"))]

use gan_playground::data::triangles::{MIN_ARC_DEGREES, SCALE, SIZE, Triangle, arcs, triangles};
use gan_playground::rng::Rng;

const SAMPLES: usize = 2000;

#[test]
fn every_triangle_has_one_vertex_per_third_and_no_arc_below_20_degrees() {
    let mut rng = Rng::new(11);
    for _ in 0..SAMPLES {
        let t = Triangle::sample(&mut rng);
        // Angles about the circumcentre, which is the centre shifted by the centring offset.
        let centre = circumcentre(&t);
        let angles = t.vertices.map(|v| (v[1] - centre[1]).atan2(v[0] - centre[0]).to_degrees().rem_euclid(360.0));
        for (i, a) in angles.iter().enumerate() {
            assert!((120.0 * i as f64..120.0 * (i + 1) as f64).contains(a), "vertex {i} at {a}° is not in its third");
        }
        assert!(arcs(angles).iter().all(|&a| a >= MIN_ARC_DEGREES - 1e-9), "{angles:?}");
    }
}

#[test]
fn triangles_are_inscribed_in_a_circle_of_0_75_of_the_image_and_centred_on_their_centroid() {
    let mut rng = Rng::new(12);
    let radius = SCALE * SIZE as f64 / 2.0;
    for _ in 0..SAMPLES {
        let t = Triangle::sample(&mut rng);
        let c = circumcentre(&t);
        for v in t.vertices {
            assert!(((v[0] - c[0]).hypot(v[1] - c[1]) - radius).abs() < 1e-9);
            assert!(
                (0.0..=SIZE as f64).contains(&v[0]) && (0.0..=SIZE as f64).contains(&v[1]),
                "vertex {v:?} leaves the image"
            );
        }
        let g = t.centroid();
        assert!((g[0] - 14.0).abs() < 1e-9 && (g[1] - 14.0).abs() < 1e-9);
    }
}

#[test]
fn rendering_covers_the_triangles_area_with_anti_aliased_edges() {
    let (data, shapes) = triangles(300, 13).unwrap();
    assert_eq!(data.len(), 300);
    let mut grey_edges = 0;
    for (i, t) in shapes.iter().enumerate() {
        let image = data.image(i);
        let covered: f64 = image.iter().map(|&p| p as f64 / 255.0).sum();
        // 8×8 supersampling: the covered area is exact to a fraction of a pixel per edge pixel.
        assert!((covered - t.area()).abs() < 0.02 * t.area() + 1.0, "area {} vs rendered {covered}", t.area());
        // The centroid, (14, 14), is a corner of pixel (14, 14): that pixel is at least partly inside.
        assert!(t.contains(t.centroid()) && image[14 * SIZE + 14] > 0);
        assert_eq!(image[0], 0, "the corner is background");
        grey_edges += image.iter().filter(|&&p| p > 0 && p < 255).count();
    }
    assert!(grey_edges > 300 * 20, "edges are anti-aliased ({grey_edges} grey pixels)");
    // Seeded: the same seed gives the same images.
    assert_eq!(triangles(5, 13).unwrap().0.image(4), data.image(4));
}

fn circumcentre(t: &Triangle) -> [f64; 2] {
    let [a, b, c] = t.vertices;
    let d = 2.0 * (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1]));
    let sq = |p: [f64; 2]| p[0] * p[0] + p[1] * p[1];
    [
        (sq(a) * (b[1] - c[1]) + sq(b) * (c[1] - a[1]) + sq(c) * (a[1] - b[1])) / d,
        (sq(a) * (c[0] - b[0]) + sq(b) * (a[0] - c[0]) + sq(c) * (b[0] - a[0])) / d,
    ]
}
