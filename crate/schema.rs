//! What a run can be, in one document: the datasets, every setting with its range, default and
//! label, and the variants with their knobs and read-outs. The page builds its links, its form and
//! its menus from it (`schema()` in the bindings), `gan schema --json` prints it; nothing copies it.

use serde::Serialize;

use crate::data::{DATASETS, Dataset};
use crate::gan::{self, Knob, Optimizer, READOUT_LABELS, Training};
use crate::trainer::settings::{POINTS_GRID_SAMPLES, POINTS_NZ, SETTINGS, Setting};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    pub datasets: &'static [Dataset],
    pub settings: Vec<SettingInfo>,
    pub variants: Vec<VariantInfo>,
    /// Labels of the variants' read-outs, by name.
    pub readouts: Vec<ReadoutInfo>,
    /// What a run on 2-D points fixes: its z size and its grid's size.
    pub points: Points,
    /// The side of a trainable run's images (28: the page's image files are cut to it).
    pub image_side: usize,
}

/// A setting with its default (`null`: the variant's own).
#[derive(Serialize)]
pub struct SettingInfo {
    #[serde(flatten)]
    pub setting: Setting,
    pub default: Option<f64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub knobs: Vec<Knob>,
    /// The published optimiser settings, `{ kind, learning_rate, beta1?, beta2? }`.
    pub optimizer: Optimizer,
    pub n_critic: usize,
    /// `"adversarial"` (a critic loss and a generator loss) or `"joint"` (one loss: the VAE).
    pub training: Training,
    /// The names of its read-outs (labelled in `readouts`).
    pub readouts: &'static [&'static str],
}

#[derive(Serialize)]
pub struct ReadoutInfo {
    pub name: &'static str,
    pub label: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Points {
    pub nz: usize,
    pub grid_samples: usize,
}

/// The schema of this build.
pub fn schema() -> Schema {
    Schema {
        datasets: DATASETS,
        settings: SETTINGS.iter().map(|s| SettingInfo { setting: *s, default: s.default_value() }).collect(),
        variants: gan::REGISTRY
            .iter()
            .map(|r| {
                let variant = (r.make)();
                VariantInfo {
                    id: r.id,
                    title: r.title,
                    knobs: variant.knobs(),
                    optimizer: variant.optimizer(),
                    n_critic: variant.n_critic(),
                    training: variant.training(),
                    readouts: variant.readouts(),
                }
            })
            .collect(),
        readouts: READOUT_LABELS.iter().map(|&(name, label)| ReadoutInfo { name, label }).collect(),
        points: Points { nz: POINTS_NZ, grid_samples: POINTS_GRID_SAMPLES },
        image_side: crate::model::IMAGE_SIDE,
    }
}
