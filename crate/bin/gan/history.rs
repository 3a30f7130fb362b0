//! The page's chart history, as `gan train` writes it into its files: `{ points, scores }`, a point
//! `{ step, d, g, rate, ...the variant's read-outs }` as the page's worker records one
//! (www/worker/autosave.js). A figure that opens on such a file charts how its run got there, and
//! `--resume` goes on with the charts of the run it resumes.

use gan_playground::trainer::Readout;
use serde_json::{Map, Value, json};

#[derive(Default)]
pub struct ChartHistory {
    points: Vec<Value>,
    scores: Vec<Value>,
}

impl ChartHistory {
    /// The history a resumed run's file carried; none (or one that is not ours): empty.
    pub fn parse(text: Option<&str>) -> Self {
        let parsed: Value = text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null);
        let list = |key: &str| parsed.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
        Self { points: list("points"), scores: list("scores") }
    }

    /// One read-out's point (losses of a joint model, or before the first step, are null).
    pub fn record(&mut self, r: &Readout) {
        let mut point = Map::new();
        point.insert("step".into(), json!(r.step));
        point.insert("d".into(), r.d_loss.map_or(Value::Null, number));
        point.insert("g".into(), r.g_loss.map_or(Value::Null, number));
        point.insert("rate".into(), Value::Null);
        for (name, value) in &r.values {
            point.insert(name.clone(), number(*value));
        }
        if self.points.last().and_then(|p| p.get("step")) == Some(&json!(r.step)) {
            self.points.pop();
        }
        self.points.push(Value::Object(point));
    }

    pub fn to_json(&self) -> String {
        json!({ "points": self.points, "scores": self.scores }).to_string()
    }
}

/// An f32 as the shortest decimal that reads back as it, so that a history read and written again
/// (`--resume`) keeps its bits: JSON numbers are read as f64, and serde_json reads a long f64
/// expansion to within a unit in the last place, not always exactly. Non-finite: null.
fn number(v: f32) -> Value {
    format!("{v}").parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
}
