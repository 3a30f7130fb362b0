//! The triangles dataset of "Are GANs Created Equal?": its geometry checked on samples.

use gan_playground::data::triangles::{
    MIN_ARC_DEGREES, SCALE, SIZE, Triangle, arcs, displacement_distance, fit, rms, triangles, valid_angles,
};
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

/// Grey levels in [0, 1] of a rendered triangle.
fn unit(t: &Triangle) -> Vec<f32> {
    t.render().into_iter().map(|p| f32::from(p) / 255.0).collect()
}

/// The precision/recall distance: fit from the nearest of a bank of true triangles.
fn distance_to_manifold(image: &[f32], bank: &[(Triangle, Vec<f32>)]) -> (Triangle, f64) {
    let start = bank.iter().min_by(|a, b| rms(&a.1, image).total_cmp(&rms(&b.1, image))).unwrap().0;
    fit(image, start.angles)
}

#[test]
fn the_fit_finds_a_triangle_again_and_the_one_pixel_tolerance_separates_triangles_from_other_shapes() {
    let mut rng = Rng::new(21);
    let bank: Vec<(Triangle, Vec<f32>)> = (0..500).map(|_| Triangle::sample(&mut rng)).map(|t| (t, unit(&t))).collect();
    let shapes: Vec<Triangle> = (0..200).map(|_| Triangle::sample(&mut rng)).collect();
    let tolerance = displacement_distance(&shapes, 1.0);
    assert!((0.12..0.18).contains(&tolerance), "one pixel of displacement: RMS {tolerance}");
    assert!(displacement_distance(&shapes, 0.5) < tolerance && tolerance < displacement_distance(&shapes, 2.0));

    for t in &shapes[..20] {
        // A true triangle: found again (its angles to a few degrees: the 8×8 sub-pixel rendering is
        // flat under moves of a fraction of a degree), residual near zero.
        let (found, residual) = distance_to_manifold(&unit(t), &bank);
        assert!(residual < 0.02, "a true triangle is {residual} from the manifold");
        for (a, b) in found.angles.iter().zip(t.angles) {
            assert!((a - b).abs() < 3.0, "angles {:?} fitted as {:?} (residual {residual})", t.angles, found.angles);
        }
        assert!(valid_angles(found.angles));
        // Blurred by about a pixel: still a triangle.
        let blurred = box_blur(&unit(t));
        assert!(distance_to_manifold(&blurred, &bank).1 <= tolerance, "a blurred triangle passes");
        // Moved by three pixels: off the manifold (the triangles are centred on their centroid).
        let moved = Triangle { vertices: t.vertices.map(|v| [v[0] + 3.0, v[1]]), angles: t.angles };
        assert!(distance_to_manifold(&unit(&moved), &bank).1 > tolerance, "a triangle 3 pixels off centre fails");
    }
    // A disc of about a triangle's area, and noise: not triangles.
    let disc: Vec<f32> = (0..784)
        .map(|i| {
            let (x, y) = ((i % 28) as f64 + 0.5 - 14.0, (i / 28) as f64 + 0.5 - 14.0);
            if x.hypot(y) < 7.0 { 1.0 } else { 0.0 }
        })
        .collect();
    assert!(distance_to_manifold(&disc, &bank).1 > tolerance, "a disc is not a triangle");
    let noise: Vec<f32> = (0..784).map(|_| rng.uniform() as f32).collect();
    assert!(distance_to_manifold(&noise, &bank).1 > 2.0 * tolerance, "noise is far from every triangle");
}

/// A 3×3 box blur (σ ≈ 0.8 pixel), zero outside the image.
fn box_blur(image: &[f32]) -> Vec<f32> {
    (0..784)
        .map(|i| {
            let (x, y) = ((i % 28) as i64, (i / 28) as i64);
            let mut sum = 0.0;
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (u, v) = (x + dx, y + dy);
                    if (0..28).contains(&u) && (0..28).contains(&v) {
                        sum += image[(v * 28 + u) as usize];
                    }
                }
            }
            sum / 9.0
        })
        .collect()
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

#[test]
fn an_untrained_generator_has_neither_precision_nor_recall_on_triangles() {
    use burn::tensor::read_sync;
    let (device, _) = gan_playground::backend::cpu(None);
    let arch = gan_playground::model::Sizes { nz: 100, g_width: 8, d_width: 8, channels: 1 };
    let g = gan_playground::model::Sequential::init(
        &gan_playground::model::dcgan28::generator(&arch),
        &mut Rng::new(3),
        &device.clone().autodiff(),
    );
    let samples = gan_playground::score::generate(&burn::module::Module::valid(&g), 100, 50, 1, &device);
    let scores = read_sync(gan_playground::score::triangle_precision_recall(&g, 100, samples, 10, 20, 1, 1.0)).unwrap();
    assert_eq!((scores.n, scores.m), (50, 10));
    assert!((0.12..0.18).contains(&scores.threshold), "{scores:?}");
    assert_eq!((scores.precision, scores.recall, scores.f1), (0.0, 0.0, 0.0), "{scores:?}");
    assert!(scores.median_residual > scores.threshold);
}
