//! Native tests on burn's CPU backend (`flex`).

use crate::common;

use std::sync::Arc;

use burn::module::Module;
use burn::tensor::{Device, Tensor, read_sync};
use gan_playground::data::ImageDataset;
use gan_playground::gan::Optimizer;
use gan_playground::model::{Layer, Sequential, parameter_count};
use gan_playground::model::{Sizes, dcgan28};
use gan_playground::rng::Rng;
use gan_playground::tensor::{latent, to_f32};
use gan_playground::trainer::Trainer;

fn values(t: Tensor<1>) -> Vec<f32> {
    to_f32(t.into_data()).unwrap()
}

fn mnist() -> Arc<ImageDataset> {
    let path = common::repo_file("www/data/mnist.bin");
    let bytes = std::fs::read(path).expect("www/data/mnist.bin is missing: run `npm run build:data`");
    Arc::new(ImageDataset::from_bytes(&bytes).unwrap())
}

#[test]
fn dcgan28_has_pytorchs_parameter_counts() {
    // sum(p.numel() for p in net.parameters()) of the shared spec's nn.Sequential in PyTorch:
    // G = 100·256·7·7 + 2·256 + 256·128·4·4 + 2·128 + 128·1·4·4; D = 1·64·16 + 64·128·16 + 2·128 + 128·49.
    let spec = Sizes::default();
    assert_eq!(parameter_count(&dcgan28::generator(&spec)), 1_781_504);
    assert_eq!(parameter_count(&dcgan28::discriminator(&spec)), 138_624);
    let device = Device::flex();
    let mut rng = Rng::new(0);
    let g = Sequential::init(&dcgan28::generator(&spec), &mut rng, &device);
    let d = Sequential::init(&dcgan28::discriminator(&spec), &mut rng, &device);
    assert_eq!(g.trainable_parameter_count(), 1_781_504);
    assert_eq!(d.trainable_parameter_count(), 138_624);
    // burn's count adds BatchNorm's running mean and variance (PyTorch's buffers).
    assert_eq!(g.num_params(), 1_781_504 + 2 * (256 + 128));
    assert_eq!(d.num_params(), 138_624 + 2 * 128);
}

#[test]
fn dcgan28_layer_shapes_follow_the_spec() {
    let device = Device::flex();
    let spec = Sizes::default();
    let mut rng = Rng::new(0);
    let g = Sequential::init(&dcgan28::generator(&spec), &mut rng, &device).valid();
    let d = Sequential::init(&dcgan28::discriminator(&spec), &mut rng, &device).valid();
    let mut x = latent(&mut rng, 3, 100, &device);
    let mut shapes = Vec::new();
    for layer in &g.main {
        x = layer.forward(x);
        shapes.push(x.dims());
    }
    assert_eq!(shapes[0], [3, 256, 7, 7]);
    assert_eq!(shapes[3], [3, 128, 14, 14]);
    assert_eq!(shapes[7], [3, 1, 28, 28]);
    assert_eq!(d.forward(x).dims(), [3, 1, 1, 1]);
    // Layer i is PyTorch's main.i: parameter-free layers keep their index.
    assert!(matches!(g.main[2], Layer::Relu(_)));
    assert!(matches!(d.main[3], Layer::BatchNorm(_)));
}

#[test]
fn dcgan_initialisation_has_the_published_statistics() {
    let device = Device::flex();
    let g = Sequential::init(&dcgan28::generator(&Sizes::default()), &mut Rng::new(4), &device);
    let Layer::ConvTranspose(conv) = &g.main[0] else { panic!("main.0 is a transposed conv") };
    let w = to_f32(conv.weight.val().into_data()).unwrap();
    let mean = w.iter().sum::<f32>() / w.len() as f32;
    let std = (w.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / w.len() as f32).sqrt();
    assert!(mean.abs() < 1e-3 && (std - 0.02).abs() < 1e-3, "N(0, 0.02) expected, got mean {mean} std {std}");
    let Layer::BatchNorm(bn) = &g.main[1] else { panic!("main.1 is BatchNorm") };
    let gamma = to_f32(bn.gamma.val().into_data()).unwrap();
    let mean = gamma.iter().sum::<f32>() / gamma.len() as f32;
    assert!((mean - 1.0).abs() < 0.01, "γ ~ N(1, 0.02) expected, mean {mean}");
}

#[test]
fn twenty_discriminator_steps_lower_its_loss_on_a_fixed_batch() {
    let device = Device::flex();
    let mut trainer = Trainer::new(common::small_config(16, 16), mnist(), &device).unwrap();
    let real = trainer.real_batch();
    let z = trainer.random_latent(16);
    let losses: Vec<f32> = (0..20)
        .map(|_| {
            let fake = trainer.fake_batch(z.clone());
            values(trainer.discriminator_step_on(real.clone(), fake).unwrap())[0]
        })
        .collect();
    assert!(losses.iter().all(|l| l.is_finite()));
    assert!(losses[19] < 0.5 * losses[0], "D loss should fall on a fixed batch: {losses:?}");
}

#[test]
fn training_on_mnist_keeps_losses_finite_and_samples_in_range() {
    let device = Device::flex();
    let mut trainer = Trainer::new(common::small_config(16, 16), mnist(), &device).unwrap();
    let before = read_sync(trainer.readout(true)).unwrap().samples.unwrap();
    for _ in 0..5 {
        trainer.train_step().unwrap();
    }
    let r = read_sync(trainer.readout(true)).unwrap();
    assert_eq!(r.step, 5);
    assert!(r.is_finite(), "{r:?}");
    let samples = r.samples.unwrap();
    assert_eq!(samples.len(), 16 * 784);
    assert!(samples.iter().all(|v| (-1.0..=1.0).contains(v)));
    assert!(common::relative_error(&samples, &before) > 1e-3, "training should change the samples");
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let device = Device::flex();
    let run = || {
        let mut t = Trainer::new(common::small_config(8, 8), mnist(), &device).unwrap();
        t.train_step().unwrap();
        t.train_step().unwrap();
        read_sync(t.readout(true)).unwrap()
    };
    let (a, b) = (run(), run());
    assert_eq!((a.d_loss, a.g_loss), (b.d_loss, b.g_loss));
    assert_eq!(a.samples, b.samples);
}

#[test]
fn the_mnist_asset_holds_the_10000_digits() {
    let data = mnist();
    assert_eq!(data.len(), 10_000);
    assert_eq!([data.channels, data.height, data.width], [1, 28, 28]);
    let mut per_class = [0usize; 10];
    for i in 0..data.len() {
        per_class[data.label(i) as usize] += 1;
    }
    assert!(per_class.iter().all(|&n| n > 800), "{per_class:?}");
    // Digits are bright strokes on black: mostly zeros, with some full-intensity pixels.
    let img = data.image(0);
    assert!(img.iter().filter(|&&p| p == 0).count() > 400 && img.iter().any(|&p| p > 200));
}

#[test]
fn bad_configs_are_rejected_with_a_reason() {
    let device = Device::flex();
    let mut config = common::small_config(8, 8);
    config.batch_size = 0;
    let err = Trainer::new(config, Arc::new(common::blobs(4, 1)), &device).err().unwrap();
    assert_eq!(err, "batch must be a whole number from 1 to 1024, got 0");
    let mut config = common::small_config(8, 8);
    config.optimizer = Some(Optimizer::Adam { learning_rate: f64::NAN, beta1: 0.5, beta2: 0.999 });
    assert!(Trainer::new(config, Arc::new(common::blobs(4, 1)), &device).is_err());
    // Each size is allowed alone, but together they would need a tensor WebGPU cannot hold.
    let mut config = common::small_config(1024, 1024);
    config.model.nz = 1024;
    let err = Trainer::new(config, Arc::new(common::blobs(4, 1)), &device).err().unwrap();
    assert!(err.contains("MiB"), "{err}");
}

/// Every tensor of a step may fit while all of them together do not: the estimate of a step's
/// peak memory refuses such a run with its figures, and a large run of the page's presets' shape fits.
#[test]
fn a_run_that_would_run_out_of_memory_is_refused_with_the_figures() {
    use gan_playground::trainer::{MEMORY_BUDGET_BYTES, TrainConfig};
    let mut config = common::small_config(512, 512);
    config.batch_size = 256;
    let err = config.validate().unwrap_err();
    assert!(
        err.contains("needs about") && err.contains(&format!("the limit is {} MiB", MEMORY_BUDGET_BYTES >> 20)),
        "{err}"
    );
    // Widths 256, nz 512, batch 256 fit, for every variant (BEGAN's autoencoder is refused there
    // already: one of its tensors would exceed 128 MiB; the VAE's encoder maps a 7×7 map to 2·nz
    // numbers, 25.7 M weights at nz 512, and is refused by the memory figure).
    for registered in gan_playground::gan::REGISTRY {
        let mut page = common::small_config(256, 256);
        page.model.nz = 512;
        page.batch_size = 256;
        page.variant = registered.id.into();
        let peak = page.peak_bytes(gan_playground::gan::variant(registered.id).unwrap().as_ref());
        println!("{}: widths 256, nz 512, batch 256 need about {} MiB", registered.id, peak >> 20);
        assert!(peak < MEMORY_BUDGET_BYTES || ["began", "vae"].contains(&registered.id), "{}: {peak}", registered.id);
        if let Err(e) = page.validate() {
            let expected = match registered.id {
                "began" => "tensor",
                "vae" => "needs about",
                _ => "nothing",
            };
            assert!(e.contains(expected), "{}: {e}", registered.id);
        }
    }
    // The reference run: weights, gradients and Adam's moments alone are 4 × 1.92 M values.
    let reference = TrainConfig::default();
    let peak = reference.peak_bytes(gan_playground::gan::variant("ns-gan").unwrap().as_ref());
    assert!(peak > 16 * 1_920_128 && peak < 256 << 20, "{peak}");
}

#[test]
fn colour_images_of_your_own_train_a_three_channel_pair_whose_file_says_so() {
    let device = Device::flex();
    // Colour blobs: the grey blobs in the red plane, their negative in the blue one.
    let grey = common::blobs(8, 2);
    let pixels: Vec<u8> = (0..grey.len())
        .flat_map(|i| [grey.image(i).to_vec(), vec![40; 784], grey.image(i).iter().map(|p| 255 - p).collect()].concat())
        .collect();
    let colour = Arc::new(ImageDataset::new(3, 28, 28, pixels, vec![255; 8]).unwrap());
    let config = gan_playground::trainer::TrainConfig { dataset: "images".into(), ..common::small_config(8, 4) };
    let mut trainer = Trainer::new(config.clone(), colour.clone(), &device).unwrap();
    assert_eq!(trainer.config().model.channels, 3, "the networks follow the file's channels");
    trainer.train_step().unwrap();
    let r = read_sync(trainer.readout(true)).unwrap();
    assert!(r.is_finite());
    assert_eq!(r.samples.unwrap().len(), 16 * 3 * 784);
    // The weight file is recognised as an RGB dcgan28.
    let bytes = read_sync(trainer.save_weights(gan_playground::safetensors::Dtype::F32)).unwrap();
    let file = gan_playground::safetensors::SafeTensors::parse(&bytes).unwrap();
    let arch =
        gan_playground::model::infer_generator(|name| file.get(name).map(|t| t.shape.clone()), "generator.").unwrap();
    assert_eq!((arch.model, arch.image), ("dcgan28", [3, 28, 28]));
    // Colour is for your own images only; MNIST stays grey.
    let mut mnist_rgb = common::small_config(8, 4);
    mnist_rgb.model.channels = 3;
    let err = Trainer::new(mnist_rgb, Arc::new(common::blobs(4, 1)), &device).err().unwrap();
    assert!(err.contains("channels must be 1, or 3 for your own colour images"), "{err}");
}
