//! What the commands write: files replaced whole (a temporary file beside the destination, then a
//! rename, so that a crash mid-write leaves the previous file as it was), PNG grids, the loss log.

use std::io::Write;
use std::path::Path;

use burn::tensor::read_sync;
use gan_playground::image::tile_grid;
use gan_playground::trainer::Trainer;

/// Replaces `path` with `bytes`, or leaves it as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let cannot = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", path.display());
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file =
        tempfile::Builder::new().prefix(".gan-").suffix(".partial").tempfile_in(dir).map_err(|e| cannot(&e))?;
    file.write_all(bytes).map_err(|e| cannot(&e))?;
    file.as_file().sync_all().map_err(|e| cannot(&e))?;
    file.persist(path).map_err(|e| cannot(&e.error))?;
    Ok(())
}

pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// An 8-bit grey (1 channel) or RGB (3) PNG.
pub fn write_png(path: &Path, width: usize, height: usize, channels: usize, pixels: &[u8]) -> Result<(), String> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width as u32, height as u32);
    encoder.set_color(if channels == 3 { png::ColorType::Rgb } else { png::ColorType::Grayscale });
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(pixels).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    write_atomic(path, &bytes)
}

/// The run's sample grid at its fixed z: 28×28 tiles, or for 2-D points G's points as white dots
/// on [−1.25, 1.25]² with the data's square in grey.
pub fn write_grid(trainer: &Trainer, path: &Path) -> Result<(), String> {
    let samples = read_sync(trainer.readout(true))?.samples.ok_or("no samples read")?;
    let n = trainer.config().grid_samples;
    if trainer.config().is_points() {
        const SIDE: usize = 256;
        let at = |v: f32| ((v + 1.25) / 2.5 * SIDE as f32).round() as i64;
        let mut pixels = vec![0u8; SIDE * SIDE];
        let (lo, hi) = (at(-1.0) as usize, (at(1.0) as usize).min(SIDE - 1));
        for k in lo..=hi {
            for (x, y) in [(k, lo), (k, hi), (lo, k), (hi, k)] {
                pixels[y * SIDE + x] = 80;
            }
        }
        for p in samples.chunks(2) {
            let (x, y) = (at(p[0]), at(-p[1]));
            for (dx, dy) in [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)] {
                if (0..SIDE as i64).contains(&(x + dx)) && (0..SIDE as i64).contains(&(y + dy)) {
                    pixels[(y + dy) as usize * SIDE + (x + dx) as usize] = 255;
                }
            }
        }
        return write_png(path, SIDE, SIDE, 1, &pixels);
    }
    let (w, h, c, pixels) = tile_grid(&samples, [n, trainer.config().model.channels, 28, 28], 8, 2);
    write_png(path, w, h, c, &pixels)
}

/// The first `n` 28×28 tiles of a grid PNG written by `write_grid` (8 columns, 2-pixel gaps),
/// as values in [-1, 1].
pub fn read_grid_tiles(path: &Path, n: usize) -> Result<Vec<f32>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().map_err(|e| e.to_string())?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("PNG too large")?];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    if info.color_type != png::ColorType::Grayscale || info.bit_depth != png::BitDepth::Eight {
        return Err(format!("{}: expected an 8-bit grey grid", path.display()));
    }
    let (width, height) = (info.width as usize, info.height as usize);
    if width < 2 + 8 * 30 {
        return Err(format!("{}: {width} pixels wide, not a grid of 8 columns written by `gan train`", path.display()));
    }
    let tiles = n.min(64).min(8 * (height.saturating_sub(2) / 30));
    let mut out = Vec::with_capacity(tiles * 784);
    for i in 0..tiles {
        let (ty, tx) = (i / 8, i % 8);
        for y in 0..28 {
            for x in 0..28 {
                let (px, py) = (2 + tx * 30 + x, 2 + ty * 30 + y);
                out.push(buf[py * width + px] as f32 / 127.5 - 1.0);
            }
        }
    }
    Ok(out)
}

/// `losses.csv`: a line every few steps, on disk as soon as it is written (a run that stops
/// early keeps its log up to there).
pub struct LossLog(std::fs::File);

impl LossLog {
    /// The log of a run starting at step `from`: a new file from step 0, else the existing log's
    /// lines up to `from` (a resumed run's later lines are of a run that is not this one).
    pub fn open(path: &Path, from: u64) -> Result<Self, String> {
        let cannot = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
        let kept: Vec<String> = match std::fs::read_to_string(path) {
            Ok(text) if from > 0 => text
                .lines()
                .skip(1)
                .filter(|l| l.split(',').next().and_then(|s| s.parse::<u64>().ok()).is_some_and(|s| s <= from))
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        let mut file = std::fs::File::create(path).map_err(cannot)?;
        writeln!(file, "step,d_loss,g_loss,seconds").map_err(cannot)?;
        for line in kept {
            writeln!(file, "{line}").map_err(cannot)?;
        }
        Ok(Self(file))
    }

    pub fn append(&mut self, step: u64, d: f32, g: f32, seconds: f64) -> Result<(), String> {
        writeln!(self.0, "{step},{d},{g},{seconds:.2}").map_err(|e| format!("cannot append to the loss log: {e}"))
    }
}
