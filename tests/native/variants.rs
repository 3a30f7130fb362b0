//! The GAN family: each variant's losses against its formula, computed independently in f64,
//! and the rules that run around the steps (WGAN's clipping, n_critic).

use crate::common;

use std::sync::Arc;

use burn::module::Param;
use burn::tensor::{Device, Tensor, TensorData, read_sync};
use gan_playground::gan::{self, REGISTRY, Variant};
use gan_playground::model::{ConvSpec, Layer, LayerSpec, Sequential};
use gan_playground::rng::Rng;
use gan_playground::tensor::to_f32;
use gan_playground::trainer::Trainer;

const REAL: [f32; 5] = [2.5, -0.3, 0.0, 12.0, -40.0];
const FAKE: [f32; 5] = [-1.0, 0.7, 30.0, -3.0, 0.1];

/// A critic whose score is the mean pixel: one 28×28 convolution with every weight 1/784.
fn mean_critic(device: &Device) -> Sequential {
    let mut critic = Sequential::init(&[LayerSpec::Conv(ConvSpec::new(1, 1, 28, 1, 0))], &mut Rng::new(0), device);
    let Layer::Conv(conv) = &mut critic.main[0] else { unreachable!() };
    conv.weight = Param::from_data(TensorData::new(vec![1.0f32 / 784.0; 784], [1, 1, 28, 28]), device);
    critic
}

/// Images filled with the given values, so that `mean_critic` scores them exactly so.
fn images(scores: &[f32], device: &Device) -> Tensor<4> {
    let values: Vec<f32> = scores.iter().flat_map(|&s| std::iter::repeat_n(s, 784)).collect();
    Tensor::from_data(TensorData::new(values, [scores.len(), 1, 28, 28]), device)
}

fn mean(v: &[f32], f: impl Fn(f64) -> f64) -> f64 {
    v.iter().map(|&x| f(x as f64)).sum::<f64>() / v.len() as f64
}

/// −log σ(s) and −log(1 − σ(s)), computed without overflow.
fn neg_log_sigmoid(s: f64) -> f64 {
    if s > 0.0 { (-s).exp().ln_1p() } else { -s + s.exp().ln_1p() }
}
fn neg_log_one_minus_sigmoid(s: f64) -> f64 {
    neg_log_sigmoid(-s)
}

/// (critic loss, generator loss, read-outs) of a variant on the fixed scores.
fn losses(variant: &mut dyn Variant) -> (f64, f64, Vec<(&'static str, f64)>) {
    let device = Device::flex();
    let critic = mean_critic(&device);
    let value = |t: Tensor<1>| to_f32(t.into_data()).unwrap()[0] as f64;
    let real = images(&REAL, &device);
    let noise = gan::draw_noise(variant, real.dims(), 100, &mut Rng::new(9), &device);
    let d = variant.critic_loss(&critic, real, images(&FAKE, &device), &noise).unwrap();
    let g = variant.generator_loss(&critic, images(&FAKE, &device)).unwrap();
    let readouts = d.readouts.into_iter().map(|(n, t)| (n, value(t))).collect();
    (value(d.value), value(g.value), readouts)
}

fn assert_close(name: &str, got: f64, expected: f64) {
    assert_within(name, got, expected, 1e-5);
}

fn assert_within(name: &str, got: f64, expected: f64, relative: f64) {
    assert!((got - expected).abs() <= relative * expected.abs().max(1.0), "{name}: got {got}, expected {expected}");
}

#[test]
fn ns_gan_losses_equal_the_formula() {
    let (d, g, _) = losses(gan::variant("ns-gan").unwrap().as_mut());
    // D: −E[log D(x)] − E[log(1 − D(G(z)))]; G: −E[log D(G(z))], D = σ(score).
    assert_close("D", d, mean(&REAL, neg_log_sigmoid) + mean(&FAKE, neg_log_one_minus_sigmoid));
    assert_close("G", g, mean(&FAKE, neg_log_sigmoid));
}

#[test]
fn mm_gan_losses_equal_the_formula() {
    let (d, g, _) = losses(gan::variant("mm-gan").unwrap().as_mut());
    assert_close("D", d, mean(&REAL, neg_log_sigmoid) + mean(&FAKE, neg_log_one_minus_sigmoid));
    // G minimises E[log(1 − D(G(z)))].
    assert_close("G", g, mean(&FAKE, |s| -neg_log_one_minus_sigmoid(s)));
}

#[test]
fn lsgan_losses_equal_the_formula() {
    let (d, g, _) = losses(gan::variant("lsgan").unwrap().as_mut());
    assert_close("D", d, 0.5 * mean(&REAL, |s| (s - 1.0).powi(2)) + 0.5 * mean(&FAKE, |s| s * s));
    assert_close("G", g, 0.5 * mean(&FAKE, |s| (s - 1.0).powi(2)));
}

#[test]
fn wgan_losses_equal_the_formula_and_report_the_estimate() {
    let (d, g, readouts) = losses(gan::variant("wgan").unwrap().as_mut());
    let estimate = mean(&REAL, |s| s) - mean(&FAKE, |s| s);
    assert_close("critic", d, -estimate);
    assert_close("G", g, -mean(&FAKE, |s| s));
    assert_eq!(readouts.len(), 1);
    assert_eq!(readouts[0].0, "wasserstein");
    assert_close("estimate", readouts[0].1, estimate);
}

#[test]
fn the_registry_resolves_every_variant_and_rejects_unknown_ones() {
    for r in REGISTRY {
        assert_eq!(gan::variant(r.id).unwrap().id(), r.id, "{}", r.title);
    }
    assert!(gan::variant("nope").err().unwrap().contains("ns-gan"));
}

#[test]
fn wgan_critic_weights_stay_within_c_after_every_critic_step() {
    let device = Device::flex();
    let mut config = common::small_config(8, 8);
    config.variant = "wgan".into();
    let mut trainer = Trainer::new(config, Arc::new(common::blobs(64, 5)), &device).unwrap();
    assert_eq!(trainer.n_critic(), 5);
    for _ in 0..3 {
        trainer.discriminator_step().unwrap();
        for layer in &trainer.discriminator().main {
            let params: Vec<Vec<f32>> = match layer {
                Layer::Conv(c) => vec![to_f32(c.weight.val().into_data()).unwrap()],
                Layer::BatchNorm(bn) => {
                    vec![to_f32(bn.gamma.val().into_data()).unwrap(), to_f32(bn.beta.val().into_data()).unwrap()]
                }
                _ => vec![],
            };
            for p in params {
                let max = p.iter().fold(0f32, |m, v| m.max(v.abs()));
                assert!(max <= 0.01 + 1e-7, "a critic parameter reached {max}");
            }
        }
    }
    // A full iteration is five critic steps and one G step; the estimate is read back.
    trainer.train_step().unwrap();
    let r = read_sync(trainer.readout(false)).unwrap();
    assert!(r.is_finite());
    assert!(r.values.iter().any(|(name, _)| name == "wasserstein"), "{r:?}");
}

#[test]
fn every_variant_trains_a_few_steps_with_finite_losses() {
    let device = Device::flex();
    for id in REGISTRY.iter().map(|r| r.id) {
        let mut config = common::small_config(8, 8);
        config.variant = id.to_string();
        let mut trainer = Trainer::new(config, Arc::new(common::blobs(64, 6)), &device).unwrap();
        for _ in 0..2 {
            trainer.train_step().unwrap();
        }
        let r = read_sync(trainer.readout(true)).unwrap();
        assert!(r.is_finite(), "{id}: {r:?}");
        // It reports the read-outs it declares (the page's schema lists them), each labelled.
        let mut reported: Vec<&str> = r.values.iter().map(|(name, _)| name.as_str()).collect();
        let mut declared = gan::variant(id).unwrap().readouts().to_vec();
        reported.sort();
        declared.sort();
        assert_eq!(reported, declared, "{id}");
        assert!(declared.iter().all(|n| gan::READOUT_LABELS.iter().any(|(name, _)| name == n)), "{id}");
        let samples = r.samples.unwrap();
        assert!(samples.iter().all(|v| v.is_finite()), "{id}");
        // Every G but BEGAN's ends in tanh; BEGAN's output layer is linear, as in its paper.
        if id != "began" {
            assert!(samples.iter().all(|v| (-1.0..=1.0).contains(v)), "{id}");
        }
    }
}

#[test]
fn wgan_gp_losses_equal_the_formula() {
    // The mean critic's input gradient is 1/784 at every pixel of every sample, so ‖∇D‖ = 1/28.
    let (d, g, readouts) = losses(gan::variant("wgan-gp").unwrap().as_mut());
    let estimate = mean(&REAL, |s| s) - mean(&FAKE, |s| s);
    let penalty = (1.0f64 / 28.0 - 1.0).powi(2);
    assert_close("critic", d, -estimate + 10.0 * penalty);
    assert_close("G", g, -mean(&FAKE, |s| s));
    let get = |name: &str| readouts.iter().find(|(n, _)| *n == name).unwrap().1;
    assert_close("estimate", get("wasserstein"), estimate);
    assert_close("gradient norm", get("gradient_norm"), 1.0 / 28.0);
    assert_close("penalty", get("penalty"), penalty);
}

#[test]
fn dragan_losses_equal_the_formula() {
    // The mean critic's gradient is 1/784 everywhere whatever the perturbation: ‖∇D‖ = 1/28.
    let (d, g, readouts) = losses(gan::variant("dragan").unwrap().as_mut());
    let penalty = (1.0f64 / 28.0 - 1.0).powi(2);
    let ns = mean(&REAL, neg_log_sigmoid) + mean(&FAKE, neg_log_one_minus_sigmoid);
    assert_close("D", d, ns + 10.0 * penalty);
    assert_close("G", g, mean(&FAKE, neg_log_sigmoid));
    assert_close("penalty", readouts.iter().find(|(n, _)| *n == "penalty").unwrap().1, penalty);
}

/// The WGAN-GP critic (LayerNorm instead of BatchNorm) at narrow widths, on `device`.
fn gp_critic(device: &Device) -> Sequential {
    gp_critic_with_slope(device, 0.2)
}

/// The same critic with another LeakyReLU slope (1.0 makes it smooth: no kinks for finite differences).
fn gp_critic_with_slope(device: &Device, slope: f64) -> Sequential {
    let model = common::small_config(8, 8).model;
    let specs: Vec<LayerSpec> = gan::variant("wgan-gp")
        .unwrap()
        .critic_layers(&model)
        .into_iter()
        .map(|l| if let LayerSpec::LeakyRelu { .. } = l { LayerSpec::LeakyRelu { slope } } else { l })
        .collect();
    Sequential::init(&specs, &mut Rng::new(21), device)
}

/// Four 28×28 inputs in [-1, 1].
fn inputs(device: &Device) -> Tensor<4> {
    let values: Vec<f32> = Rng::new(22).uniform_vec(4 * 784).into_iter().map(|u| 2.0 * u - 1.0).collect();
    Tensor::from_data(TensorData::new(values, [4, 1, 28, 28]), device)
}

#[test]
fn the_hand_written_input_gradient_equals_autodiffs() {
    let device = Device::flex().autodiff();
    let critic = gp_critic(&device);
    let x = inputs(&device).require_grad();
    let grads = critic.forward(x.clone()).sum().backward();
    let reference = to_f32(x.grad(&grads).unwrap().into_data()).unwrap();
    let manual = to_f32(critic.input_gradient(inputs(&device)).unwrap().inner().into_data()).unwrap();
    let err = common::relative_error(&manual, &reference);
    assert!(err < 1e-5, "∇ₓD differs from autodiff's: relative error {err}");
}

/// A gradient penalty's points go through the critic with the batches it scores: the input
/// gradient of a part of a batch is that part's own, and the pass's output is the plain forward's.
#[test]
fn the_input_gradient_of_part_of_a_batch_is_that_parts_own() {
    let device = Device::flex().autodiff();
    let critic = gp_critic(&device);
    let (out, part) = critic.forward_with_input_gradient(inputs(&device), 1..3).unwrap();
    let own = critic.input_gradient(inputs(&device).narrow(0, 1, 2)).unwrap();
    let values = |t: Tensor<4>| to_f32(t.inner().into_data()).unwrap();
    let err = common::relative_error(&values(part), &values(own));
    assert!(err < 1e-6, "the part's input gradient differs from its own: relative error {err}");
    let err = common::relative_error(&values(out), &values(critic.forward(inputs(&device))));
    assert!(err < 1e-6, "the pass's output differs from the forward pass: relative error {err}");
}

#[test]
fn the_input_gradient_refuses_a_batchnorm_critic() {
    let device = Device::flex();
    let d = Sequential::init(
        &gan_playground::model::dcgan28::discriminator(&common::small_config(8, 8).model),
        &mut Rng::new(1),
        &device,
    );
    assert!(d.input_gradient(inputs(&device)).unwrap_err().contains("BatchNorm"));
}

/// P(W) = mean_b (‖∇ₓD(x_b)‖ − 1)², the gradient penalty without its weight λ.
fn penalty(critic: &Sequential, x: Tensor<4>) -> Tensor<1> {
    gan::wgan_gp::gradient_penalty(critic, x).unwrap().0
}

/// Compares autodiff's gradient of the penalty with central finite differences on the three
/// entries with the largest gradient in each of the given layers.
fn check_penalty_gradient(slope: f64, layers: &[usize], h: f32, tolerance: f64) {
    let device = Device::flex().autodiff();
    let critic = gp_critic_with_slope(&device, slope);
    let grads = penalty(&critic, inputs(&device)).backward();
    let plain = Device::flex();
    let value = |c: &Sequential| to_f32(penalty(c, inputs(&plain)).into_data()).unwrap()[0] as f64;
    for &index in layers {
        let (param, analytic) = match &critic.main[index] {
            Layer::Conv(c) => (c.weight.val().inner(), c.weight.val().grad(&grads).unwrap()),
            Layer::LayerNorm(ln) => (ln.gamma.val().inner().reshape([1, 1, 1, ln.gamma.val().dims()[0]]), {
                let g = ln.gamma.val().grad(&grads).unwrap();
                let n = g.dims()[0];
                g.reshape([1, 1, 1, n])
            }),
            other => panic!("main.{index} has no weight: {other:?}"),
        };
        let shape = param.dims();
        let weight = to_f32(param.into_data()).unwrap();
        let analytic = to_f32(analytic.into_data()).unwrap();
        let mut order: Vec<usize> = (0..analytic.len()).collect();
        order.sort_by(|&a, &b| analytic[b].abs().total_cmp(&analytic[a].abs()));
        for &i in order.iter().take(3) {
            let at = |delta: f32| {
                let mut w = weight.clone();
                w[i] += delta;
                let mut c = gp_critic_with_slope(&plain, slope);
                match &mut c.main[index] {
                    Layer::Conv(conv) => conv.weight = Param::from_data(TensorData::new(w, shape), &plain),
                    Layer::LayerNorm(ln) => ln.gamma = Param::from_data(TensorData::new(w, [shape[3]]), &plain),
                    _ => unreachable!(),
                }
                value(&c)
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h as f64);
            let a = analytic[i] as f64;
            assert!(
                (numeric - a).abs() <= tolerance * a.abs() + 1e-4,
                "slope {slope}, main.{index} entry {i}: autodiff {a}, finite differences {numeric}"
            );
        }
    }
}

#[test]
fn the_penalty_gradient_matches_finite_differences() {
    // A smooth critic (LeakyReLU slope 1): every weighted layer, tight.
    check_penalty_gradient(1.0, &[0, 2, 3, 5], 5e-4, 0.01);
    // The real critic: its first layer feeds a LeakyReLU directly, so a perturbation flips masks
    // and finite differences jump; the layers after it are checked.
    check_penalty_gradient(0.2, &[2, 3, 5], 2e-4, 0.03);
}

#[test]
fn the_critic_weight_histogram_counts_every_conv_weight_and_shows_the_clip() {
    let device = Device::flex();
    let mut config = common::small_config(8, 8);
    config.variant = "wgan".into();
    let mut trainer = Trainer::new(config, Arc::new(common::blobs(64, 7)), &device).unwrap();
    trainer.discriminator_step().unwrap();
    let h = read_sync(trainer.readout_with(false, Some(21))).unwrap().histogram.unwrap();
    assert_eq!(h.counts.len(), 21);
    // conv 1→8 k4, 8→16 k4, 16→1 k7
    assert_eq!(h.counts.iter().sum::<u32>(), 8 * 16 + 16 * 8 * 16 + 16 * 49);
    assert!(h.limit <= 0.01 + 1e-7, "WGAN's weights lie in [−c, c]: limit {}", h.limit);
    let plain = gan_playground::trainer::Histogram::of(&[-2.0, -1.0, 0.0, 1.0, 2.0], 4);
    assert_eq!((plain.limit, plain.counts), (2.0, vec![1, 1, 1, 2]));
}

/// f32 tanh near saturation (|v| = 5) differs from f64's by about 1e-5 of L(x).
const TANH_F32: f64 = 1e-4;

#[test]
fn began_losses_k_update_and_convergence_measure_equal_the_formula() {
    let device = Device::flex();
    // A stand-in autoencoder AE(v) = tanh(v), so L(v) = E|tanh(v) − v| is known in closed form.
    let autoencoder = Sequential::init(&[LayerSpec::Tanh], &mut Rng::new(0), &device);
    let (real, fake) = ([3.0f32, -2.0, 4.0, 0.5, -5.0], [0.2f32, -0.1, 0.3, 0.0, 0.1]);
    let l = |v: &[f32]| mean(v, |s| (s.tanh() - s).abs());
    let (lx, lf) = (l(&real), l(&fake));
    let mut began = gan::variant("began").unwrap();
    let value = |t: Tensor<1>| to_f32(t.into_data()).unwrap()[0] as f64;
    let step = |began: &mut Box<dyn Variant>| {
        let loss = began.critic_loss(&autoencoder, images(&real, &device), images(&fake, &device), &[]).unwrap();
        let get = |name: &str| loss.readouts.iter().find(|(n, _)| *n == name).map(|(_, t)| value(t.clone())).unwrap();
        let out = (value(loss.value.clone()), get("k"), get("m_global"));
        let critic = Sequential::init(&[LayerSpec::Tanh], &mut Rng::new(0), &device);
        began.after_critic_step(critic);
        out
    };
    // k₀ = 0: D's loss is L(x).
    let (d0, k0, m0) = step(&mut began);
    assert_close("k0", k0, 0.0);
    assert_within("D at k0", d0, lx, TANH_F32);
    assert_within("M_global", m0, lx + (0.5 * lx - lf).abs(), TANH_F32);
    // k₁ = clip(k₀ + λ_k(γL(x) − L(G(z))), 0, 1) with γ = 0.5, λ_k = 1e-3.
    let k1 = (1e-3 * (0.5 * lx - lf)).clamp(0.0, 1.0);
    let (d1, k, _) = step(&mut began);
    assert!((k - k1).abs() < 1e-7, "k1 {k} vs {k1}");
    assert_within("D at k1", d1, lx - k1 * lf, TANH_F32);
    let g = value(began.generator_loss(&autoencoder, images(&fake, &device)).unwrap().value);
    assert_within("G", g, lf, TANH_F32);
}

#[test]
fn knobs_are_range_checked_and_recorded_in_the_config() {
    let mut began = gan::variant("began").unwrap();
    assert_eq!(began.knobs()[0].name, "gamma");
    assert_eq!(began.knobs()[0].value, 0.5);
    gan::set_knob(began.as_mut(), "gamma", 0.8).unwrap();
    assert_eq!(began.knobs()[0].value, 0.8);
    let low = gan::set_knob(began.as_mut(), "gamma", 0.1).unwrap_err();
    assert_eq!(low, "gamma must be between 0.3 and 1, got 0.1");
    let unknown = gan::set_knob(began.as_mut(), "clip", 0.1).unwrap_err();
    assert_eq!(unknown, "began has no setting \"clip\" (it has: gamma, lambda_k)");
    assert!(gan::set_knob(gan::variant("ns-gan").unwrap().as_mut(), "x", 1.0).unwrap_err().contains("it has: none"));
    for (id, knob) in [("wgan", "clip"), ("wgan-gp", "lambda"), ("dragan", "lambda")] {
        assert_eq!(gan::variant(id).unwrap().knobs()[0].name, knob);
    }

    let mut config = common::small_config(4, 2);
    config.variant = "began".into();
    config.knobs.insert("gamma".into(), 2.0);
    assert!(config.validate().unwrap_err().contains("gamma must be between"));
    config.knobs.insert("gamma".into(), 0.7);
    let mut trainer = Trainer::new(config, Arc::new(common::blobs(8, 1)), &Device::flex()).unwrap();
    assert_eq!(trainer.knobs()[0].value, 0.7);
    trainer.set_knob("gamma", 0.9).unwrap();
    assert_eq!((trainer.knobs()[0].value, trainer.config().knobs["gamma"]), (0.9, 0.9));
    assert!(trainer.set_knob("gamma", f64::NAN).is_err());
}

/// The VAE's loss on images (Bernoulli) and on points (Gaussian, σ = 0.05) against its formula
/// in f64, from its own networks' outputs: μ and σ = 10⁻⁶ + softplus(·) from the encoder, z =
/// μ + σε, the decoder's reconstruction, and the KL to N(0, I).
#[test]
fn vae_loss_equals_the_negative_elbo_from_its_formula() {
    let device = Device::flex();
    let mut vae = gan::variant("vae").unwrap();
    let sizes = gan_playground::model::Sizes { nz: 3, g_width: 4, d_width: 4, channels: 1 };
    for points in [false, true] {
        let mut rng = Rng::new(if points { 2 } else { 1 });
        let (encoder_layers, decoder_layers) = if points {
            (vae.point_critic_layers(&sizes), gan_playground::model::mlp2d::generator(&sizes))
        } else {
            (vae.critic_layers(&sizes), vae.generator_layers(&sizes))
        };
        let encoder = Sequential::init(&encoder_layers, &mut rng, &device);
        let decoder = Sequential::init(&decoder_layers, &mut rng, &device);
        let shape = if points { [4, 2, 1, 1] } else { [4, 1, 28, 28] };
        let x: Vec<f32> = rng.uniform_vec(shape.iter().product()).iter().map(|u| 2.0 * u - 1.0).collect();
        let real = Tensor::<4>::from_data(TensorData::new(x.clone(), shape), &device);
        let noise = gan::draw_noise(vae.as_ref(), shape, sizes.nz, &mut rng, &device);
        let eps = to_f32(noise[0].clone().into_data()).unwrap();
        let loss = vae.joint_loss(&encoder, &decoder, real.clone(), &noise).unwrap();
        let value = |t: Tensor<1>| to_f32(t.into_data()).unwrap()[0] as f64;
        let (got, readouts) = (value(loss.value), loss.readouts);

        let code = to_f32(encoder.forward(real).into_data()).unwrap();
        let (batch, nz) = (shape[0], sizes.nz);
        let (mut z, mut kl) = (Vec::new(), 0.0);
        for b in 0..batch {
            for j in 0..nz {
                let (mean, s) = (code[b * 2 * nz + j] as f64, code[b * 2 * nz + nz + j] as f64);
                let std = 1e-6 + s.exp().ln_1p();
                z.push((mean + std * eps[b * nz + j] as f64) as f32);
                kl += 0.5 * (mean * mean + std * std - (std * std).ln() - 1.0);
            }
        }
        let z = Tensor::<4>::from_data(TensorData::new(z, [batch, nz, 1, 1]), &device);
        let y = to_f32(decoder.forward(z).into_data()).unwrap();
        let nll: f64 = x
            .iter()
            .zip(&y)
            .map(|(&x, &y)| {
                let (x, y) = (x as f64, y as f64);
                if points {
                    (x - y).powi(2) / (2.0 * 0.05 * 0.05)
                } else {
                    let (t, p) = ((x + 1.0) / 2.0, ((y + 1.0) / 2.0).clamp(1e-6, 1.0 - 1e-6));
                    -(t * p.ln() + (1.0 - t) * (1.0 - p).ln())
                }
            })
            .sum();
        let (nll, kl) = (nll / batch as f64, kl / batch as f64);
        let kind = if points { "points" } else { "images" };
        assert_within(&format!("VAE loss on {kind}"), got, nll + kl, 1e-5);
        let readout = |name: &str| value(readouts.iter().find(|(n, _)| *n == name).unwrap().1.clone());
        assert_within(&format!("VAE reconstruction on {kind}"), readout("reconstruction"), nll, 1e-5);
        assert_within(&format!("VAE KL on {kind}"), readout("kl"), kl, 1e-5);
    }
    // It has no adversarial losses, and says so.
    let critic = mean_critic(&device);
    let err = vae.critic_loss(&critic, images(&REAL, &device), images(&FAKE, &device), &[]).err().unwrap();
    assert!(err.contains("one loss"), "{err}");
}

/// With a critic that wins (five critic steps per G step, a wider critic), the minimax G loss
/// saturates and NS-GAN's does not: MM-GAN's ‖∇G‖ falls far below NS-GAN's, from the same start.
#[test]
fn a_winning_critic_starves_the_minimax_generator_but_not_the_non_saturating_one() {
    let device = Device::flex();
    let norm = |variant: &str| {
        let mut config = common::small_config(4, 32);
        config.model.d_width = 32;
        config.variant = variant.into();
        config.n_critic = Some(5);
        let mut trainer = Trainer::new(config, Arc::new(common::blobs(256, 3)), &device).unwrap();
        let mut norms = Vec::new();
        for _ in 0..30 {
            trainer.train_step().unwrap();
            let r = read_sync(trainer.readout(false)).unwrap();
            norms.push(r.values.iter().find(|(n, _)| n == gan::GENERATOR_GRADIENT_NORM).unwrap().1);
        }
        norms
    };
    let (mm, ns) = (norm("mm-gan"), norm("ns-gan"));
    println!("‖∇G‖ MM-GAN {:?}\n‖∇G‖ NS-GAN {:?}", &mm[25..], &ns[25..]);
    let last = |v: &[f32]| v[25..].iter().sum::<f32>() / 5.0;
    assert!(last(&mm) * 10.0 < last(&ns), "MM {} vs NS {}", last(&mm), last(&ns));
}

/// WGAN-GP's Fig. 1b in small: the clipped critic's gradient shrinks with c (each layer's weights
/// are at most c, so the gradient reaching a layer scales with c to the power of the layers above).
#[test]
fn the_clipped_critics_gradient_vanishes_as_c_shrinks() {
    let device = Device::flex();
    let norm = |clip: f64| {
        let mut config = common::small_config(8, 16);
        config.variant = "wgan".into();
        config.knobs.insert("clip".into(), clip);
        let mut trainer = Trainer::new(config, Arc::new(common::blobs(64, 4)), &device).unwrap();
        for _ in 0..3 {
            trainer.train_step().unwrap();
        }
        let r = read_sync(trainer.readout(false)).unwrap();
        r.values.iter().find(|(n, _)| n == gan::CRITIC_GRADIENT_NORM).unwrap().1
    };
    let norms: Vec<f32> = [0.001, 0.01, 0.1].into_iter().map(norm).collect();
    println!("‖∇D‖ at c = 0.001, 0.01, 0.1: {norms:?}");
    assert!(norms[0] * 10.0 < norms[1] && norms[1] * 10.0 < norms[2], "{norms:?}");
}
