//! FID's Fréchet distance and KID against independent references (numpy/scipy fixtures made once by
//! scripts/metrics_reference.py), and their behaviour on same and different distributions.

use crate::common;

use gan_playground::metrics::{Features, frechet_distance, kernel_inception_distance, symmetric_eigen};
use gan_playground::rng::Rng;
use gan_playground::safetensors::SafeTensors;

fn fixture() -> (Features, Features, std::collections::BTreeMap<String, String>) {
    let bytes = std::fs::read(common::repo_file("tests/fixtures/metrics.safetensors")).unwrap();
    let file = SafeTensors::parse(&bytes).unwrap();
    let features = |name: &str| {
        let t = file.get(name).unwrap();
        let values = file.f32_values(t).unwrap().into_iter().map(f64::from).collect();
        Features::new(t.shape[0], t.shape[1], values).unwrap()
    };
    (features("a"), features("b"), file.metadata.clone())
}

fn expected(meta: &std::collections::BTreeMap<String, String>, key: &str) -> f64 {
    meta[key].parse().unwrap()
}

#[test]
fn frechet_distance_equals_scipys() {
    let (a, b, meta) = fixture();
    let ours = frechet_distance(&a, &b).unwrap();
    let reference = expected(&meta, "fid_ab");
    assert!((ours - reference).abs() <= 1e-9 * reference, "ours {ours} vs scipy {reference}");
    let same = frechet_distance(&a, &a).unwrap();
    assert!(same.abs() < 1e-9, "a set against itself: {same}");
}

#[test]
fn kid_equals_the_reference_on_whole_sets() {
    let (a, b, meta) = fixture();
    let (ours, spread) = kernel_inception_distance(&a, &b, 10, 1000, 1).unwrap();
    let reference = expected(&meta, "kid_ab");
    assert!((ours - reference).abs() <= 1e-9 * reference, "ours {ours} vs numpy {reference}");
    assert_eq!(spread, 0.0, "whole sets: one subset");
}

#[test]
fn same_distribution_scores_near_zero_and_a_different_one_far() {
    let mut rng = Rng::new(5);
    let mut gaussian = |n: usize, shift: f64| {
        let values = (0..n * 8).map(|_| rng.normal() + shift).collect();
        Features::new(n, 8, values).unwrap()
    };
    let (x, y, far) = (gaussian(2000, 0.0), gaussian(2000, 0.0), gaussian(2000, 1.0));
    let (fid_same, fid_far) = (frechet_distance(&x, &y).unwrap(), frechet_distance(&x, &far).unwrap());
    assert!(fid_same < 0.05 && fid_far > 7.5, "FID same {fid_same}, shifted by 1 in 8 dims {fid_far} (exact: 0 and 8)");
    let (kid_same, _) = kernel_inception_distance(&x, &y, 10, 500, 2).unwrap();
    let (kid_far, _) = kernel_inception_distance(&x, &far, 10, 500, 2).unwrap();
    assert!(kid_same.abs() < 0.02 && kid_far > 0.5, "KID same {kid_same}, shifted {kid_far}");
}

#[test]
fn jacobi_eigendecomposition_reconstructs_the_matrix() {
    let d = 6;
    let mut rng = Rng::new(9);
    let r: Vec<f64> = (0..d * d).map(|_| rng.normal()).collect();
    let m: Vec<f64> = (0..d * d).map(|k| (0..d).map(|j| r[(k / d) * d + j] * r[(k % d) * d + j]).sum()).collect();
    let (values, vectors) = symmetric_eigen(&m, d);
    for i in 0..d {
        for j in 0..d {
            let back: f64 = (0..d).map(|k| vectors[i * d + k] * values[k] * vectors[j * d + k]).sum();
            assert!((back - m[i * d + j]).abs() < 1e-10, "({i}, {j}): {back} vs {}", m[i * d + j]);
        }
    }
}

#[test]
fn bad_features_are_refused() {
    assert!(Features::new(1, 4, vec![0.0; 4]).is_err());
    assert!(Features::new(2, 2, vec![0.0, 1.0, f64::NAN, 0.0]).is_err());
    let a = Features::new(2, 2, vec![0.0; 4]).unwrap();
    let b = Features::new(2, 3, vec![0.0; 6]).unwrap();
    assert!(frechet_distance(&a, &b).is_err());
}
