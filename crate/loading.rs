//! What a weights file means for the run it is loaded into, decided from its header alone: the
//! run it wants (its own config, or the current run fitted to a bare generator's architecture and
//! sizes), which network a bare state dict fills, or that it can only be sampled from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::gan::{self, REGISTRY};
use crate::model::{GeneratorArch, infer_generator};
use crate::safetensors::Header;
use crate::trainer::TrainConfig;

/// A weights file's header as the page sees it: its metadata and the generator it holds, if any.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileInfo {
    pub metadata: BTreeMap<String, String>,
    /// How many tensors it holds.
    pub tensors: usize,
    pub generator: Option<GeneratorInfo>,
}

/// A recognised generator: its architecture (`crate::model`), sizes and image shape.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GeneratorInfo {
    pub model: String,
    pub nz: usize,
    pub width: usize,
    pub image: [usize; 3],
}

impl From<&GeneratorArch> for GeneratorInfo {
    fn from(arch: &GeneratorArch) -> Self {
        Self { model: arch.model.to_string(), nz: arch.nz, width: arch.width, image: arch.image }
    }
}

impl FileInfo {
    /// What a parsed header holds (our files keep G under "generator."; a bare state dict has no
    /// prefix).
    pub fn of(header: &Header) -> Self {
        let shape_of = |name: &str| header.tensors.iter().find(|t| t.name == name).map(|t| t.shape.clone());
        let prefix = if shape_of("generator.main.0.weight").is_some() { "generator." } else { "" };
        let generator = infer_generator(shape_of, prefix).ok().map(|arch| GeneratorInfo::from(&arch));
        Self { metadata: header.metadata.clone(), tensors: header.tensors.len(), generator }
    }
}

/// What to do with a file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Plan {
    /// Build a run of `config` and load the file into it: every network it holds, or only
    /// `target` ("generator" or "critic") of a bare state dict.
    Train { config: TrainConfig, target: Option<&'static str> },
    /// A generator of an architecture no variant trains (dcgan64): sample from it.
    Sample,
}

/// The plan for a file of header `info` loaded into a run of `current`:
/// - our files carry their run's config in the metadata: that run (over `current`'s values for
///   anything the file leaves out);
/// - a bare generator of an architecture a variant trains: the current run with the file's sizes,
///   and the current variant where it trains that architecture, else the first that does;
/// - a bare generator of another architecture: sampled from;
/// - a bare state dict with no generator: the current run's critic.
pub fn plan(info: &FileInfo, current: &TrainConfig) -> Result<Plan, String> {
    if let Some(text) = info.metadata.get("config") {
        let bad = || "the \"config\" in its metadata is not valid JSON".to_string();
        let serde_json::Value::Object(given) = serde_json::from_str(text).map_err(|_| bad())? else {
            return Err(bad());
        };
        let over_current = |given: serde_json::Map<String, serde_json::Value>| -> Result<TrainConfig, String> {
            let mut merged = serde_json::to_value(current).map_err(|e| e.to_string())?;
            merged.as_object_mut().expect("a config is an object").extend(given);
            serde_json::from_value(merged).map_err(|e| e.to_string())
        };
        return match over_current(given.clone()) {
            Ok(config) => Ok(Plan::Train { config, target: None }),
            // Which value, in words: serde's own text names a Rust type and no field.
            Err(whole) => Err(given
                .into_iter()
                .find_map(|(key, value)| {
                    let reason = over_current([(key.clone(), value.clone())].into_iter().collect()).err()?;
                    Some(format!("its run config has {key} = {}, which is {}", clipped(&value), in_words(&reason)))
                })
                .unwrap_or(format!("its run config cannot be read ({whole})"))),
        };
    }
    let Some(generator) = &info.generator else {
        return Ok(Plan::Train { config: current.clone(), target: Some("critic") });
    };
    let trains = |id: &str| gan::variant(id).is_ok_and(|v| v.architecture() == generator.model);
    let variant = if trains(&current.variant) {
        Some(current.variant.clone())
    } else {
        REGISTRY.iter().find(|r| trains(r.id)).map(|r| r.id.to_string())
    };
    Ok(match variant {
        Some(variant) => {
            let mut config = TrainConfig { variant, ..current.clone() };
            (config.model.nz, config.model.g_width) = (generator.nz, generator.width);
            Plan::Train { config, target: Some("generator") }
        }
        None => Plan::Sample,
    })
}

/// A JSON value as a message quotes it: at most 60 characters.
fn clipped(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 { format!("{}…", text.chars().take(60).collect::<String>()) } else { text }
}

/// What serde's refusal of a value means, in the page's words.
fn in_words(reason: &str) -> String {
    let expected = reason.split("expected ").nth(1).unwrap_or("").split(" at line").next().unwrap_or("");
    let want = match expected {
        "usize" | "u64" | "u32" => "a whole number of 0 or more".to_string(),
        "f64" | "f32" => "a number".to_string(),
        "a string" => "text".to_string(),
        "a boolean" => "true or false".to_string(),
        "" => return format!("not readable ({reason})"),
        other => other.to_string(),
    };
    format!("not {want}")
}
