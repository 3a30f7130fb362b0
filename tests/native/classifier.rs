//! The shipped MNIST classifier behind the scores: it loads strictly, classifies the held-out
//! digits at ≥ 98 %, names nearly all of them with confidence, and its features score real against
//! real near zero and real against noise far.

use crate::common;

use burn::tensor::{Device, Tensor, TensorData, read_sync};
use gan_playground::classifier::{Classifier, held_out, is_held_out, predict};
use gan_playground::data::ImageDataset;
use gan_playground::score::{features_of, score};

fn load() -> (Classifier, ImageDataset, Device) {
    let device = Device::flex();
    let bytes = std::fs::read(common::repo_file("www/metrics/mnist-classifier.safetensors")).unwrap();
    let classifier = Classifier::load(&bytes, &device).unwrap();
    let data = ImageDataset::from_bytes(&std::fs::read(common::repo_file("www/data/mnist.bin")).unwrap()).unwrap();
    (classifier, data, device)
}

#[test]
fn the_classifier_gets_98_percent_of_the_held_out_digits() {
    let (classifier, data, device) = load();
    let training: Vec<usize> = (0..data.len()).filter(|&i| !is_held_out(i)).step_by(4).collect();
    for (name, indices) in [("training", training), ("held-out", held_out(data.len()))] {
        let predicted = read_sync(predict(&classifier, data.batch(&indices, &device)).into_data_async()).unwrap();
        let predicted = predicted.convert::<i64>().try_to_vec::<i64>().unwrap();
        let correct = indices.iter().zip(&predicted).filter(|&(&i, &p)| data.label(i) as i64 == p).count();
        let accuracy = correct as f64 / indices.len() as f64;
        println!("{name} accuracy {:.2} %", 100.0 * accuracy);
        if name == "held-out" {
            assert!(accuracy >= 0.98, "held-out accuracy {:.2} %", 100.0 * accuracy);
        }
    }
}

#[test]
fn real_against_real_scores_near_zero_and_real_against_noise_far() {
    let (classifier, data, device) = load();
    // Two disjoint sets of real digits, every class in each.
    let first: Vec<usize> = held_out(data.len()).into_iter().step_by(2).collect();
    let other: Vec<usize> = held_out(data.len()).into_iter().skip(1).step_by(2).collect();
    let real = data.batch(&first, &device);
    let same = read_sync(score(&classifier, real.clone(), data.batch(&other, &device), 1)).unwrap();
    let noise = Tensor::<4>::random([1000, 1, 28, 28], burn::tensor::Distribution::Uniform(-1.0, 1.0), &device);
    let far = read_sync(score(&classifier, real.clone(), noise, 1)).unwrap();
    let blank = Tensor::<4>::from_data(TensorData::new(vec![-1.0f32; 1000 * 784], [1000, 1, 28, 28]), &device);
    let collapsed = read_sync(score(&classifier, real, blank, 1)).unwrap();
    println!("real vs real: {same:?}\nreal vs noise: {far:?}\nreal vs blank: {collapsed:?}");
    assert!(same.fid < 0.05 * far.fid, "FID real/real {} vs real/noise {}", same.fid, far.fid);
    assert!(same.kid.abs() < 0.05 * far.kid, "KID real/real {} vs real/noise {}", same.kid, far.kid);
    // Every digit class appears among real digits; blank images all fall in one class.
    assert!(same.classes.iter().all(|&c| c > 50), "{:?}", same.classes);
    assert_eq!(collapsed.classes.iter().filter(|&&c| c > 0).count(), 1, "{:?}", collapsed.classes);
    // Nearly every real digit is named with confidence (the openings' "named" share is read against it).
    assert!(same.confident > 9 * same.n / 10, "{} of {} named", same.confident, same.n);
}

#[test]
fn the_scores_classes_are_the_classifiers_predictions() {
    let (classifier, data, device) = load();
    let images = data.batch(&held_out(data.len())[..500], &device);
    let seen = read_sync(features_of(&classifier, images.clone())).unwrap();
    let predicted = predict(&classifier, images).into_data().convert::<i64>().try_to_vec::<i64>().unwrap();
    assert_eq!(seen.classes, predicted.iter().map(|&c| c as usize).collect::<Vec<_>>());
    assert!(seen.confidences.iter().all(|p| (0.1..=1.0).contains(p)), "a top probability of 10 classes is in [0.1, 1]");
}
