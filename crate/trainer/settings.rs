//! The settings a user can give a run, with their ranges, defaults and labels: one table that the
//! core's checks, the page's links and settings form, and `gan`'s options all read (the page gets
//! it through `schema()`, `gan schema --json` prints it). Each setting reads and writes its part of
//! a [`TrainConfig`], so [`config_of`] and [`settings_of`] are the only way between the two: adding
//! a setting is one entry here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::TrainConfig;
use crate::gan::{self, Optimizer};

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
    /// What a run uses where the setting is not given and its default is `None`, in words.
    pub unset: &'static str,
    /// The value in a config; `None` where the config leaves it to the default (the variant's own
    /// for the optimiser's settings).
    #[serde(skip)]
    pub get: fn(&TrainConfig) -> Option<f64>,
    /// Writes a value (already checked against the range) into a config whose variant is set.
    #[serde(skip)]
    pub set: fn(&mut TrainConfig, f64) -> Result<(), String>,
    /// The value a run uses where the config leaves it (`get` gives `None`): the variant's.
    #[serde(skip)]
    pub fallback: fn(&TrainConfig) -> Option<f64>,
}

/// A run on 2-D points draws its latent grid as a plane: z is 2-D, and the grid holds more points.
pub const POINTS_NZ: usize = 2;
pub const POINTS_GRID_SAMPLES: usize = 256;

/// The optimiser a config trains with: its own, else its variant's published one.
fn optimizer_of(config: &TrainConfig) -> Result<Optimizer, String> {
    config.optimizer.map_or_else(|| gan::variant(&config.variant).map(|v| v.optimizer()), Ok)
}

/// The optimiser's value `pick` where the config sets it apart from the variant's published one.
fn own_optimizer_value(config: &TrainConfig, pick: fn(&Optimizer) -> Option<f64>) -> Option<f64> {
    let value = pick(&config.optimizer?)?;
    let published = gan::variant(&config.variant).ok().and_then(|v| pick(&v.optimizer()));
    // (A value that is no number differs, so that the range check refuses it.)
    let differs = published.is_none_or(|p| value.is_nan() || (value - p).abs() > 1e-9 * p.abs().max(1.0));
    differs.then_some(value)
}

/// An f32 as the decimal it was written as (0.9, not 0.8999999761581421).
fn decimal(value: f32) -> f64 {
    value.to_string().parse().unwrap_or(f64::from(value))
}

fn betas(optimizer: &Optimizer) -> Option<(f64, f64)> {
    match *optimizer {
        Optimizer::Adam { beta1, beta2, .. } => Some((decimal(beta1), decimal(beta2))),
        Optimizer::RmsProp { .. } => None,
    }
}

/// Sets one of Adam's betas over the config's optimiser; RMSProp has none.
fn set_beta(config: &mut TrainConfig, value: f64, second: bool) -> Result<(), String> {
    match optimizer_of(config)? {
        Optimizer::Adam { learning_rate, mut beta1, mut beta2 } => {
            *(if second { &mut beta2 } else { &mut beta1 }) = value as f32;
            config.optimizer = Some(Optimizer::Adam { learning_rate, beta1, beta2 });
            Ok(())
        }
        Optimizer::RmsProp { .. } => {
            Err(format!("{} trains with RMSProp, which has no β{}", config.variant, if second { '₂' } else { '₁' }))
        }
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
        unset: "the variant's",
        get: |_| None,
        set: |_, _| Ok(()),
        fallback: |_| None,
    }
}

/// Every setting, in the order the page's form shows them.
pub const SETTINGS: &[Setting] = &[
    Setting {
        get: |c| own_optimizer_value(c, |o| Some(o.learning_rate())),
        fallback: |c| optimizer_of(c).ok().map(|o| o.learning_rate()),
        set: |c, v| {
            c.optimizer = Some(optimizer_of(c)?.with_learning_rate(v));
            Ok(())
        },
        ..setting("lr", "Learning rate", "Learning rate of G (and of D, unless D's is set)", Kind::Number, (1e-6, 0.1))
    },
    Setting {
        adversarial_only: true,
        unset: "G's",
        get: |c| c.d_learning_rate,
        fallback: |c| optimizer_of(c).ok().map(|o| o.learning_rate()),
        set: |c, v| {
            c.d_learning_rate = Some(v);
            Ok(())
        },
        ..setting(
            "d_lr",
            "D learning rate",
            "Learning rate of the critic, where it differs from G's (two time-scale training)",
            Kind::Number,
            (1e-6, 0.1),
        )
    },
    Setting {
        adam_only: true,
        get: |c| own_optimizer_value(c, |o| betas(o).map(|b| b.0)),
        fallback: |c| optimizer_of(c).ok().as_ref().and_then(betas).map(|b| b.0),
        set: |c, v| set_beta(c, v, false),
        ..setting("beta1", "Adam β₁", "Adam's β₁", Kind::Number, (0.0, 0.999))
    },
    Setting {
        adam_only: true,
        get: |c| own_optimizer_value(c, |o| betas(o).map(|b| b.1)),
        fallback: |c| optimizer_of(c).ok().as_ref().and_then(betas).map(|b| b.1),
        set: |c, v| set_beta(c, v, true),
        ..setting("beta2", "Adam β₂", "Adam's β₂", Kind::Number, (0.0, 0.9999))
    },
    Setting {
        adversarial_only: true,
        get: |c| c.n_critic.map(|n| n as f64),
        fallback: |c| gan::variant(&c.variant).ok().map(|v| v.n_critic() as f64),
        set: |c, v| {
            c.n_critic = Some(v as usize);
            Ok(())
        },
        ..setting("n_critic", "D steps per G step", "Critic steps per generator step", Kind::Int, (1.0, 100.0))
    },
    Setting {
        get: |c| Some(c.batch_size as f64),
        set: |c, v| {
            c.batch_size = v as usize;
            Ok(())
        },
        ..setting("batch", "Batch size", "Examples per batch", Kind::Int, (1.0, 1024.0))
    },
    Setting {
        images_only: true,
        get: |c| Some(c.model.nz as f64),
        set: |c, v| {
            c.model.nz = v as usize;
            Ok(())
        },
        ..setting("nz", "z size", "Latent size (2 on 2-D points)", Kind::Int, (1.0, 1024.0))
    },
    Setting {
        points_label: Some("G hidden units"),
        get: |c| Some(c.model.g_width as f64),
        set: |c, v| {
            c.model.g_width = v as usize;
            Ok(())
        },
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
        set: |c, v| {
            c.model.d_width = v as usize;
            Ok(())
        },
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
        set: |c, v| {
            c.seed = v as u64;
            Ok(())
        },
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

/// A run's settings as the page, its links and `gan`'s options give them: the variant, the
/// dataset, any setting of [`SETTINGS`] by name (absent or `null`: its default, the variant's own
/// for the optimiser's), and the variant's knobs that differ from their defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    pub variant: String,
    pub dataset: String,
    #[serde(flatten)]
    pub values: BTreeMap<String, Option<f64>>,
    #[serde(default)]
    pub knobs: BTreeMap<String, f64>,
}

impl RunSettings {
    /// A setting's value, if given.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.values.get(name).copied().flatten()
    }
}

/// The config of `settings`, checked: every value against its setting's range, then the run as a
/// whole ([`TrainConfig::validate`]). On 2-D points z is 2-D whatever `nz` says, and the grid
/// holds [`POINTS_GRID_SAMPLES`] points.
pub fn config_of(settings: &RunSettings) -> Result<TrainConfig, String> {
    if let Some(name) = settings.values.keys().find(|name| setting_named(name).is_none()) {
        let names: Vec<_> = SETTINGS.iter().map(|s| s.name).collect();
        return Err(format!("there is no setting {name:?}; the settings are {}", names.join(", ")));
    }
    let mut config = TrainConfig {
        variant: settings.variant.clone(),
        dataset: settings.dataset.clone(),
        knobs: settings.knobs.clone(),
        ..TrainConfig::default()
    };
    let points = config.is_points();
    if points {
        (config.model.nz, config.grid_samples) = (POINTS_NZ, POINTS_GRID_SAMPLES);
    }
    let variant = gan::variant(&settings.variant)?;
    let joint = variant.training() == gan::Training::Joint;
    for setting in SETTINGS.iter().filter(|s| !(s.images_only && points)) {
        let Some(value) = settings.value(setting.name) else { continue };
        if setting.adversarial_only && joint {
            return Err(format!(
                "{} trains both networks on one loss, so it has no setting {}",
                settings.variant, setting.name
            ));
        }
        (setting.set)(&mut config, setting.check(value)?)?;
    }
    // One config per run: the variant's own optimiser is left to the variant.
    if config.optimizer == Some(variant.optimizer()) {
        config.optimizer = None;
    }
    config.validate()?;
    Ok(config)
}

/// The settings of `config`: what [`config_of`] turns back into it. The optimiser's values equal
/// to the variant's are left to the variant (`null`); on 2-D points `nz` is left out.
pub fn settings_of(config: &TrainConfig) -> RunSettings {
    let points = config.is_points();
    RunSettings {
        variant: config.variant.clone(),
        dataset: config.dataset.clone(),
        values: SETTINGS
            .iter()
            .filter(|s| !(s.images_only && points))
            .map(|s| (s.name.to_string(), (s.get)(config)))
            .collect(),
        knobs: config.knobs.clone(),
    }
}

/// The value of every setting a run uses, its variant's where the config leaves one to it: what
/// the page's form shows. Settings the run has none of (β on RMSProp, `nz` on points) are left out.
pub fn in_use(config: &TrainConfig) -> BTreeMap<String, f64> {
    let points = config.is_points();
    SETTINGS
        .iter()
        .filter(|s| !(s.images_only && points))
        .filter_map(|s| Some((s.name.to_string(), (s.get)(config).or_else(|| (s.fallback)(config))?)))
        .collect()
}

/// A run as the page shows it: its config, its settings both as set ([`settings_of`]) and as used
/// ([`in_use`]), and what kind of optimiser and training the form and the buttons follow.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunView<'a> {
    pub config: &'a TrainConfig,
    pub settings: RunSettings,
    pub in_use: BTreeMap<String, f64>,
    /// "adam" or "rmsprop".
    pub optimizer: &'static str,
    pub training: gan::Training,
}

impl<'a> RunView<'a> {
    pub fn of(config: &'a TrainConfig) -> Result<Self, String> {
        let optimizer = match optimizer_of(config)? {
            Optimizer::Adam { .. } => "adam",
            Optimizer::RmsProp { .. } => "rmsprop",
        };
        let training = gan::variant(&config.variant)?.training();
        Ok(Self { config, settings: settings_of(config), in_use: in_use(config), optimizer, training })
    }
}
