// Draws a batch of generated images ([N, C, H, W] floats in [-1, 1]) as a grid on a canvas,
// one canvas pixel per image pixel with a 1-pixel gap; CSS scales it up with crisp pixels.
/**
 * @param {HTMLCanvasElement} canvas
 * @param {ArrayLike<number>} samples
 * @param {number[]} shape [N, C, H, W]
 * @param {number} [cols]
 */
export function drawGrid(canvas, samples, shape, cols = 8) {
  const [n, c, h, w] = shape;
  const rows = Math.ceil(n / cols);
  const width = cols * (w + 1) + 1;
  const height = rows * (h + 1) + 1;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(width, height);
  const px = image.data;
  for (let i = 3; i < px.length; i += 4) px[i] = 255; // opaque black gaps
  const plane = h * w;
  for (let k = 0; k < n; k++) {
    const x0 = 1 + (k % cols) * (w + 1);
    const y0 = 1 + Math.floor(k / cols) * (h + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = ((y0 + y) * width + x0 + x) * 4;
        for (let ch = 0; ch < 3; ch++) {
          const v = samples[(k * c + Math.min(ch, c - 1)) * plane + y * w + x];
          px[o + ch] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
        }
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}
