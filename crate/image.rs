//! Turning generator output into pictures: tiles a batch into one grid of 8-bit pixels.

/// A grid of `n` images ([N, C, H, W] values in [-1, 1]) as rows of `cols` tiles with a
/// `gap`-pixel border. Returns (width, height, channels, pixels) with pixels row-major,
/// interleaved by channel (grey or RGB).
pub fn tile_grid(samples: &[f32], shape: [usize; 4], cols: usize, gap: usize) -> (usize, usize, usize, Vec<u8>) {
    let [n, c, h, w] = shape;
    let cols = cols.clamp(1, n.max(1));
    let rows = n.div_ceil(cols);
    let width = cols * (w + gap) + gap;
    let height = rows * (h + gap) + gap;
    let mut pixels = vec![0u8; width * height * c];
    for i in 0..n {
        let (ty, tx) = (i / cols, i % cols);
        for ch in 0..c {
            for y in 0..h {
                for x in 0..w {
                    let v = samples[((i * c + ch) * h + y) * w + x];
                    let px = gap + tx * (w + gap) + x;
                    let py = gap + ty * (h + gap) + y;
                    pixels[(py * width + px) * c + ch] = to_u8(v);
                }
            }
        }
    }
    (width, height, c, pixels)
}

/// [-1, 1] → [0, 255], clamped (NaN becomes 0).
pub fn to_u8(v: f32) -> u8 {
    ((v + 1.0) * 127.5).round().clamp(0.0, 255.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_places_tiles() {
        // Two 1×1 images: black and white, side by side with a 1-pixel gap.
        let (w, h, c, px) = tile_grid(&[-1.0, 1.0], [2, 1, 1, 1], 2, 1);
        assert_eq!((w, h, c), (5, 3, 1));
        assert_eq!(px[w + 1], 0);
        assert_eq!(px[w + 3], 255);
    }
}
