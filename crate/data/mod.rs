//! Training data: image datasets held on the host as u8 pixels, batched into [-1, 1] tensors.
//!
//! The page fetches datasets as one compact binary file (written by `scripts/build-data.mjs`);
//! the native tools read the same file. Layout, all integers little-endian u32:
//!
//! ```text
//! magic "GDS1" | count | channels | height | width | pixels: count·channels·height·width u8 (NCHW)
//! | labels: count u8 (255 = no label)
//! ```

pub mod toy2d;
pub mod triangles;

use std::fmt;

use burn::tensor::{Device, Tensor, TensorData};

use crate::rng::Rng;

const MAGIC: &[u8; 4] = b"GDS1";
const HEADER_LEN: usize = 20;

/// What a dataset holds: images (dcgan28's networks) or 2-D points (MLPs, drawn as a plane).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Images,
    Points,
}

/// A dataset a run can train on, as the page and `gan` name it.
#[derive(Clone, Copy, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    /// The name in a run's config.
    pub id: &'static str,
    /// How the page names it.
    pub label: &'static str,
    pub kind: Kind,
    /// The user's own data (their images, their drawing): a file the page builds in their
    /// browser, which a link cannot bring along.
    pub from_user: bool,
}

/// Every dataset, in the order the page lists them: MNIST, the study's triangles, "images", the
/// user's own (the page turns PNG/JPEG files into a dataset file, see `www/lib/images.js`), and the
/// 2-D point sets of [`toy2d`] ("drawing": points the user drew on the page).
pub const DATASETS: &[Dataset] = &[
    Dataset { id: "mnist", label: "MNIST digits", kind: Kind::Images, from_user: false },
    Dataset { id: "triangles", label: "Triangles (the study's)", kind: Kind::Images, from_user: false },
    Dataset { id: "images", label: "Your images…", kind: Kind::Images, from_user: true },
    Dataset { id: "ring", label: "Ring of 8 Gaussians", kind: Kind::Points, from_user: false },
    Dataset { id: "grid", label: "Grid of 25 Gaussians", kind: Kind::Points, from_user: false },
    Dataset { id: "spiral", label: "Spiral", kind: Kind::Points, from_user: false },
    Dataset { id: "moons", label: "Two moons", kind: Kind::Points, from_user: false },
    Dataset { id: toy2d::DRAWING, label: "Draw your own…", kind: Kind::Points, from_user: true },
];

/// The dataset called `id`, or an error listing the known ones.
pub fn dataset(id: &str) -> Result<&'static Dataset, String> {
    DATASETS.iter().find(|d| d.id == id).ok_or_else(|| {
        let known: Vec<_> = DATASETS.iter().map(|d| d.id).collect();
        format!("unknown dataset \"{id}\" (known: {})", known.join(", "))
    })
}

/// How many triangles make the training set, and from which seed: fixed, so that every run (and
/// every held-out set drawn from another seed) agrees on the data.
pub const TRIANGLES_TRAINING: (usize, u64) = (10_000, 2017);

/// The training set called `name`: "mnist" and "images" from a dataset file's bytes (the page
/// fetches MNIST's and builds the user's, `gan` reads them from `--data`), "triangles" generated
/// (see [`triangles`]).
pub fn training_set(name: &str, file: Option<&[u8]>) -> Result<ImageDataset, String> {
    let from_file = |missing: &str| {
        let bytes = file.ok_or_else(|| missing.to_string())?;
        ImageDataset::from_bytes(bytes).map_err(|e| e.to_string())
    };
    match name {
        "mnist" => from_file("the MNIST data is not loaded"),
        "images" => from_file("no images are loaded"),
        toy2d::DRAWING => {
            let data = from_file("no drawing is loaded")?;
            if [data.channels, data.height, data.width] != [2, 1, 1] {
                return Err("a drawing is a file of 2-D points (2×1×1 images)".into());
            }
            Ok(data)
        }
        toy if toy2d::TOYS.contains(&toy) => toy2d::toy(toy),
        "triangles" => Ok(triangles::triangles(TRIANGLES_TRAINING.0, TRIANGLES_TRAINING.1)?.0),
        other => Err(dataset(other).err().unwrap_or_else(|| format!("no training set for \"{other}\""))),
    }
}

/// Why a dataset file was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatasetError {
    BadMagic,
    TooShort { expected: usize, found: usize },
    Empty,
}

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasetError::BadMagic => {
                write!(f, "not a dataset file (expected the magic bytes \"GDS1\")")
            }
            DatasetError::TooShort { expected, found } => {
                write!(f, "dataset file is truncated: expected {expected} bytes, found {found}")
            }
            DatasetError::Empty => write!(f, "dataset file holds no images"),
        }
    }
}

impl std::error::Error for DatasetError {}

/// A set of equally sized images, kept as u8 pixels (NCHW) with optional labels.
#[derive(Clone, Debug)]
pub struct ImageDataset {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl ImageDataset {
    pub fn new(
        channels: usize,
        height: usize,
        width: usize,
        pixels: Vec<u8>,
        labels: Vec<u8>,
    ) -> Result<Self, DatasetError> {
        let image_len = channels * height * width;
        if image_len == 0 || pixels.is_empty() {
            return Err(DatasetError::Empty);
        }
        let count = pixels.len() / image_len;
        if pixels.len() != count * image_len || labels.len() != count {
            return Err(DatasetError::TooShort {
                expected: count * image_len + count,
                found: pixels.len() + labels.len(),
            });
        }
        Ok(Self { channels, height, width, pixels, labels })
    }

    /// Parses the binary layout described in the module docs.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DatasetError> {
        if bytes.len() < 4 || &bytes[..4] != MAGIC {
            return Err(DatasetError::BadMagic);
        }
        if bytes.len() < HEADER_LEN {
            return Err(DatasetError::TooShort { expected: HEADER_LEN, found: bytes.len() });
        }
        let word = |i: usize| {
            u32::from_le_bytes([bytes[4 * i], bytes[4 * i + 1], bytes[4 * i + 2], bytes[4 * i + 3]]) as usize
        };
        let (count, channels, height, width) = (word(1), word(2), word(3), word(4));
        let image_len = channels.checked_mul(height).and_then(|n| n.checked_mul(width));
        let total = image_len
            .and_then(|n| n.checked_mul(count))
            .and_then(|n| n.checked_add(count))
            .and_then(|n| n.checked_add(HEADER_LEN));
        let Some(total) = total else {
            return Err(DatasetError::TooShort { expected: usize::MAX, found: bytes.len() });
        };
        if count == 0 || image_len == Some(0) {
            return Err(DatasetError::Empty);
        }
        if bytes.len() < total {
            return Err(DatasetError::TooShort { expected: total, found: bytes.len() });
        }
        let pixels_end = total - count;
        Self::new(channels, height, width, bytes[HEADER_LEN..pixels_end].to_vec(), bytes[pixels_end..total].to_vec())
    }

    /// Serialises into the layout that [`ImageDataset::from_bytes`] reads.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.pixels.len() + self.labels.len());
        out.extend_from_slice(MAGIC);
        for v in [self.len(), self.channels, self.height, self.width] {
            out.extend_from_slice(&(v as u32).to_le_bytes());
        }
        out.extend_from_slice(&self.pixels);
        out.extend_from_slice(&self.labels);
        out
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn image_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    pub fn label(&self, index: usize) -> u8 {
        self.labels[index]
    }

    /// Pixels of one image, u8, channel-major.
    pub fn image(&self, index: usize) -> &[u8] {
        let n = self.image_len();
        &self.pixels[index * n..(index + 1) * n]
    }

    /// The images at `indices` as a [B, C, H, W] tensor scaled to [-1, 1] (the generator's tanh range).
    pub fn batch(&self, indices: &[usize], device: &Device) -> Tensor<4> {
        let mut values = Vec::with_capacity(indices.len() * self.image_len());
        for &i in indices {
            values.extend(self.image(i).iter().map(|&p| p as f32 * (2.0 / 255.0) - 1.0));
        }
        let shape = [indices.len(), self.channels, self.height, self.width];
        Tensor::from_data(TensorData::new(values, shape), device)
    }
}

/// Walks a dataset in shuffled epochs, one batch of indices at a time.
#[derive(Clone, Debug)]
pub struct BatchSampler {
    order: Vec<usize>,
    position: usize,
}

impl BatchSampler {
    pub fn new(len: usize, rng: &mut Rng) -> Self {
        Self { order: rng.permutation(len), position: 0 }
    }

    /// The current epoch's order and how far into it the sampler is (saved with a run).
    pub fn parts(&self) -> (&[usize], usize) {
        (&self.order, self.position)
    }

    /// A sampler part-way through an epoch of a dataset of `len` examples: `order` must be a
    /// permutation of 0..len and `position` at most len.
    pub fn from_parts(order: Vec<usize>, position: usize, len: usize) -> Result<Self, String> {
        if order.len() != len {
            return Err(format!("the saved batch order covers {} examples; this dataset has {len}", order.len()));
        }
        let mut seen = vec![false; len];
        for &i in &order {
            if i >= len || std::mem::replace(&mut seen[i], true) {
                return Err("the saved batch order is not a permutation of the dataset".into());
            }
        }
        if position > len {
            return Err(format!("the saved batch position {position} lies past the epoch's {len} examples"));
        }
        Ok(Self { order, position })
    }

    /// The next `batch_size` indices; a new shuffled epoch starts when the current one runs out.
    pub fn next_batch(&mut self, batch_size: usize, rng: &mut Rng) -> Vec<usize> {
        let mut batch = Vec::with_capacity(batch_size);
        while batch.len() < batch_size {
            if self.position == self.order.len() {
                self.order = rng.permutation(self.order.len());
                self.position = 0;
            }
            batch.push(self.order[self.position]);
            self.position += 1;
        }
        batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> ImageDataset {
        ImageDataset::new(1, 2, 2, vec![0, 255, 128, 64, 1, 2, 3, 4], vec![3, 7]).unwrap()
    }

    #[test]
    fn bytes_round_trip() {
        let d = tiny();
        let back = ImageDataset::from_bytes(&d.to_bytes()).unwrap();
        assert_eq!(back.image(1), d.image(1));
        assert_eq!(back.label(0), 3);
        assert_eq!(back.len(), 2);
    }

    #[test]
    fn bad_files_are_rejected_with_reasons() {
        assert_eq!(ImageDataset::from_bytes(b"nope").unwrap_err(), DatasetError::BadMagic);
        let bytes = tiny().to_bytes();
        assert!(matches!(ImageDataset::from_bytes(&bytes[..bytes.len() - 1]), Err(DatasetError::TooShort { .. })));
        let mut huge = bytes.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(ImageDataset::from_bytes(&huge).is_err());
    }

    #[test]
    fn your_images_come_from_a_dataset_file_like_mnist() {
        let file = tiny().to_bytes();
        assert_eq!(training_set("images", Some(&file)).unwrap().image(1), tiny().image(1));
        assert_eq!(training_set("images", None).unwrap_err(), "no images are loaded");
        assert!(training_set("images", Some(b"nope")).unwrap_err().contains("GDS1"));
        assert!(training_set("faces", None).unwrap_err().contains("known: mnist, triangles, images, ring"));
    }

    #[test]
    fn the_2d_toys_are_point_sets_in_the_unit_square() {
        for name in toy2d::TOYS {
            let data = training_set(name, None).unwrap();
            assert_eq!([data.channels, data.height, data.width, data.len()], [2, 1, 1, toy2d::POINTS]);
            let points = toy2d::points_of(&data);
            let spread = |k: usize| points.iter().map(|p| p[k]).fold(0f32, |m, v| m.max(v.abs()));
            assert!(spread(0) > 0.5 && spread(1) > 0.3 && spread(0) <= 1.0, "{name} fills the plane");
        }
        // The ring: 8 clusters at radius 0.75.
        let ring = toy2d::points_of(&toy2d::toy("ring").unwrap());
        let radii: Vec<f32> = ring.iter().map(|p| p[0].hypot(p[1])).collect();
        assert!(radii.iter().all(|r| (0.55..0.95).contains(r)));
        // A drawing comes as a file of points; images are not one.
        let drawing = toy2d::from_points(&[[0.5, -0.5], [2.0, 0.0]]).unwrap();
        let back = training_set("drawing", Some(&drawing.to_bytes())).unwrap();
        let [x, y] = toy2d::points_of(&back)[1];
        assert!(x == 1.0 && y.abs() < 0.005, "clamped to the square, to 1/127.5: {x}, {y}");
        assert!(training_set("drawing", Some(&tiny().to_bytes())).unwrap_err().contains("2-D points"));
    }

    #[test]
    fn sampler_covers_an_epoch_without_repeats() {
        let mut rng = Rng::new(5);
        let mut s = BatchSampler::new(10, &mut rng);
        let mut seen: Vec<usize> = (0..5).flat_map(|_| s.next_batch(2, &mut rng)).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }
}
