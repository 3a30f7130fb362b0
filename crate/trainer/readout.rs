//! What the page shows after some steps: the losses, the variant's read-outs, the sample grid and
//! the critic's weight histogram, read from the device in one asynchronous transaction.

use burn::tensor::Transaction;
use serde::Serialize;

use super::Trainer;
use crate::model::Layer;
use crate::tensor::to_f32;

/// What the page shows after some steps, read from the device in one transaction.
#[derive(Clone, Debug, Serialize)]
pub struct Readout {
    pub step: u64,
    pub d_loss: Option<f32>,
    pub g_loss: Option<f32>,
    /// The variant's own read-outs (e.g. WGAN's Wasserstein estimate), latest values.
    pub values: Vec<(String, f32)>,
    /// G(fixed z) in eval mode, [N, C, H, W] flattened, values in [-1, 1].
    #[serde(skip)]
    pub samples: Option<Vec<f32>>,
    /// The critic's convolution weights, binned.
    pub histogram: Option<Histogram>,
    /// On a mixture of Gaussians (ring, grid): how many modes the grid's samples cover.
    pub coverage: Option<crate::data::toy2d::Coverage>,
}

/// Counts of values in equal bins over [−limit, limit], limit = max |value|.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Histogram {
    pub limit: f32,
    pub counts: Vec<u32>,
}

impl Histogram {
    pub fn of(values: &[f32], bins: usize) -> Self {
        let bins = bins.clamp(1, 1024);
        let limit = values.iter().filter(|v| v.is_finite()).fold(0f32, |m, v| m.max(v.abs()));
        let mut counts = vec![0u32; bins];
        if limit > 0.0 {
            for v in values.iter().filter(|v| v.is_finite()) {
                let at = ((v + limit) / (2.0 * limit) * bins as f32) as usize;
                counts[at.min(bins - 1)] += 1;
            }
        }
        Self { limit, counts }
    }
}

impl Readout {
    /// False when a loss has become NaN or infinite: training has diverged.
    pub fn is_finite(&self) -> bool {
        self.d_loss.is_none_or(f32::is_finite)
            && self.g_loss.is_none_or(f32::is_finite)
            && self.values.iter().all(|(_, v)| v.is_finite())
    }
}

impl Trainer {
    /// Reads the latest losses, and the sample grid if asked, in one device transaction.
    pub async fn readout(&self, with_samples: bool) -> Result<Readout, String> {
        self.readout_with(with_samples, None).await
    }

    /// As [`Trainer::readout`], and with `histogram_bins`, a histogram of the critic's convolution
    /// weights (the view that shows WGAN's clipped weights piling up at ±c), all in one transaction.
    pub async fn readout_with(&self, with_samples: bool, histogram_bins: Option<usize>) -> Result<Readout, String> {
        // What each registered tensor is, in registration order (a variant's read-out may have any name).
        enum Slot {
            D,
            G,
            Value(&'static str),
            Samples,
            Weights,
        }
        let mut tx = Transaction::default();
        let mut slots = Vec::new();
        for (slot, loss) in [(Slot::D, &self.last_d_loss), (Slot::G, &self.last_g_loss)] {
            if let Some(loss) = loss {
                tx = tx.register(loss.clone());
                slots.push(slot);
            }
        }
        for (name, value) in &self.last_values {
            tx = tx.register(value.clone());
            slots.push(Slot::Value(name));
        }
        // A read-out that is also state the run carries (BEGAN's k_t) is known before any step of
        // this session: a run opened from a file shows it at once.
        for (name, value) in self.variant.state() {
            if self.variant.readouts().contains(&name) && !self.last_values.iter().any(|(n, _)| *n == name) {
                tx = tx.register(value);
                slots.push(Slot::Value(name));
            }
        }
        if with_samples {
            tx = tx.register(self.grid());
            slots.push(Slot::Samples);
        }
        if histogram_bins.is_some() {
            for layer in &self.discriminator.main {
                if let Layer::Conv(conv) = layer {
                    tx = tx.register(conv.weight.val().inner());
                    slots.push(Slot::Weights);
                }
            }
        }
        let data = tx.execute_async().await.map_err(|e| format!("reading from the device failed: {e:?}"))?;
        let mut readout = Readout {
            step: self.step,
            d_loss: None,
            g_loss: None,
            values: Vec::new(),
            samples: None,
            histogram: None,
            coverage: None,
        };
        let mut weights = Vec::new();
        for (slot, data) in slots.into_iter().zip(data) {
            let values = to_f32(data)?;
            match slot {
                Slot::D => readout.d_loss = values.first().copied(),
                Slot::G => readout.g_loss = values.first().copied(),
                Slot::Value(name) => readout.values.extend(values.first().map(|v| (name.to_string(), *v))),
                Slot::Samples => readout.samples = Some(values),
                Slot::Weights => weights.extend(values),
            }
        }
        if let Some(samples) = readout.samples.as_deref().filter(|_| self.config.is_points()) {
            readout.coverage = crate::data::toy2d::coverage(&self.config.dataset, samples);
        }
        if let Some(bins) = histogram_bins {
            readout.histogram = Some(Histogram::of(&weights, bins));
        }
        Ok(readout)
    }
}
