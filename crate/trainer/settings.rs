//! The settings a user can give a run, with their ranges, defaults and labels: one table that the
//! core's checks, the page's links and settings form, and `gan`'s options all read (the page gets
//! it through `schema()`, `gan schema --json` prints it).

use serde::Serialize;

use super::TrainConfig;
use crate::gan::Optimizer;

/// Whole numbers or any number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Int,
    Number,
}

/// One setting of a run, named as in links (`#batch=32`) and `gan`'s options (`--batch 32`).
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Setting {
    pub name: &'static str,
    pub label: &'static str,
    /// The label on 2-D points, where the networks are MLPs (`None`: the same label).
    pub points_label: Option<&'static str>,
    /// One line for help texts.
    pub help: &'static str,
    pub kind: Kind,
    pub min: f64,
    pub max: f64,
    /// Only for image runs (a run on points has a 2-D z, [`POINTS_NZ`]).
    pub images_only: bool,
    /// Only for variants trained with Adam.
    pub adam_only: bool,
    /// Only for adversarial variants (a joint model, the VAE, has no critic steps).
    pub adversarial_only: bool,
    /// The value in a config; `None` where the config leaves it to the variant.
    #[serde(skip)]
    pub get: fn(&TrainConfig) -> Option<f64>,
}

/// A run on 2-D points draws its latent grid as a plane: z is 2-D, and the grid holds more points.
pub const POINTS_NZ: usize = 2;
pub const POINTS_GRID_SAMPLES: usize = 256;

fn adam(config: &TrainConfig) -> Option<(f32, f32)> {
    match config.optimizer? {
        Optimizer::Adam { beta1, beta2, .. } => Some((beta1, beta2)),
        Optimizer::RmsProp { .. } => None,
    }
}

const fn setting(
    name: &'static str,
    label: &'static str,
    help: &'static str,
    kind: Kind,
    range: (f64, f64),
) -> Setting {
    Setting {
        name,
        label,
        points_label: None,
        help,
        kind,
        min: range.0,
        max: range.1,
        images_only: false,
        adam_only: false,
        adversarial_only: false,
        get: |_| None,
    }
}

/// Every setting, in the order the page's form shows them.
pub const SETTINGS: &[Setting] = &[
    Setting {
        get: |c| c.optimizer.map(|o| o.learning_rate()),
        ..setting("lr", "Learning rate", "Learning rate of both networks", Kind::Number, (1e-6, 0.1))
    },
    Setting {
        adam_only: true,
        get: |c| adam(c).map(|(b1, _)| f64::from(b1)),
        ..setting("beta1", "Adam β₁", "Adam's β₁", Kind::Number, (0.0, 0.999))
    },
    Setting {
        adam_only: true,
        get: |c| adam(c).map(|(_, b2)| f64::from(b2)),
        ..setting("beta2", "Adam β₂", "Adam's β₂", Kind::Number, (0.0, 0.9999))
    },
    Setting {
        adversarial_only: true,
        get: |c| c.n_critic.map(|n| n as f64),
        ..setting("n_critic", "D steps per G step", "Critic steps per generator step", Kind::Int, (1.0, 100.0))
    },
    Setting {
        get: |c| Some(c.batch_size as f64),
        ..setting("batch", "Batch size", "Examples per batch", Kind::Int, (1.0, 1024.0))
    },
    Setting {
        images_only: true,
        get: |c| Some(c.model.nz as f64),
        ..setting("nz", "z size", "Latent size (2 on 2-D points)", Kind::Int, (1.0, 1024.0))
    },
    Setting {
        points_label: Some("G hidden units"),
        get: |c| Some(c.model.g_width as f64),
        ..setting(
            "g_width",
            "G width",
            "Channels of G's last hidden layer (the first has twice as many); hidden units on 2-D points",
            Kind::Int,
            (1.0, 1024.0),
        )
    },
    Setting {
        points_label: Some("D hidden units"),
        get: |c| Some(c.model.d_width as f64),
        ..setting(
            "d_width",
            "D width",
            "Channels of the critic's first layer (the second has twice as many); hidden units on 2-D points",
            Kind::Int,
            (1.0, 1024.0),
        )
    },
    Setting {
        get: |c| Some(c.seed as f64),
        ..setting(
            "seed",
            "Seed",
            "Seeds the weights, the batch order and the latents: the same seed gives the same run",
            Kind::Int,
            // JavaScript numbers hold whole numbers exactly up to 2^53.
            (0.0, 9_007_199_254_740_991.0),
        )
    },
];

/// The setting called `name`.
pub fn setting_named(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

impl Setting {
    /// What the value must be, as error messages say it: "a whole number from 1 to 1024".
    pub fn expected(&self) -> String {
        let what = if self.kind == Kind::Int { "a whole number" } else { "a number" };
        format!("{what} from {} to {}", self.min, self.max)
    }

    /// `value` if it is one of this setting's, else why not.
    pub fn check(&self, value: f64) -> Result<f64, String> {
        let whole = self.kind == Kind::Number || value.fract() == 0.0;
        if value.is_finite() && whole && (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(format!("{} must be {}, got {value}", self.name, self.expected()))
        }
    }

    /// The default of a fresh run (`None`: the variant's own).
    pub fn default_value(&self) -> Option<f64> {
        (self.get)(&TrainConfig::default())
    }
}

/// Checks every setting a config gives against its range.
pub fn check(config: &TrainConfig) -> Result<(), String> {
    for setting in SETTINGS {
        if let Some(value) = (setting.get)(config) {
            setting.check(value)?;
        }
    }
    Ok(())
}
