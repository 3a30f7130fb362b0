// The plane of a 2-D run, as GAN Lab draws it: the critic's decision surface as a heatmap, the
// generator's warped latent grid, the real points, the generated ones and at each of those its
// gradient arrow, the way the generator's loss pulls it.

/** The plot shows [−EXTENT, EXTENT]² (the data lie in [−1, 1]²; G may overshoot). */
export const EXTENT = 1.25;
/** Cells per side of the decision surface. */
export const SURFACE_RESOLUTION = 48;
/** The warped grid: LATTICE_LINES lines each way over z ∈ [−LATTICE_Z, LATTICE_Z]², each
 * sampled at LATTICE_STEPS points. */
const LATTICE_LINES = 9;
const LATTICE_STEPS = 33;
const LATTICE_Z = 2.5;
/** Arrows: plane units per unit of −∂L_G/∂x, one fixed scale for every loss and every frame, so
 * that a flat critic's field looks flat; an arrow is capped at PULL_MAX units (and drawn so). */
export const PULL_SCALE = 0.4;
const PULL_MAX = 0.3;
const ARROWS = 96; // at most this many arrows (a subsample of the generated points)

/** Centres of the surface's cells, x then y, row by row from the top. */
export function surfacePoints(resolution = SURFACE_RESOLUTION) {
  const out = new Float32Array(resolution * resolution * 2);
  for (let row = 0; row < resolution; row++) {
    for (let col = 0; col < resolution; col++) {
      const i = 2 * (row * resolution + col);
      out[i] = -EXTENT + ((col + 0.5) * 2 * EXTENT) / resolution;
      out[i + 1] = EXTENT - ((row + 0.5) * 2 * EXTENT) / resolution;
    }
  }
  return out;
}

/** The latent lattice (2-D z): horizontal lines, then vertical ones, each a run of points. */
export function latticeLatents() {
  const z = [];
  const at = (k, n) => -LATTICE_Z + (2 * LATTICE_Z * k) / (n - 1);
  for (const vertical of [false, true]) {
    for (let line = 0; line < LATTICE_LINES; line++) {
      for (let s = 0; s < LATTICE_STEPS; s++) {
        const [a, b] = [at(line, LATTICE_LINES), at(s, LATTICE_STEPS)];
        z.push(...(vertical ? [a, b] : [b, a]));
      }
    }
  }
  return { z: new Float32Array(z), lines: 2 * LATTICE_LINES, steps: LATTICE_STEPS };
}

let cells = null;

/** Plane coordinates → canvas pixels, and back. */
const toCanvas = (canvas, [x, y]) => [((x + EXTENT) / (2 * EXTENT)) * canvas.width, ((EXTENT - y) / (2 * EXTENT)) * canvas.height];
export const fromCanvas = (canvas, px, py) => [(px / canvas.width) * 2 * EXTENT - EXTENT, EXTENT - (py / canvas.height) * 2 * EXTENT];

/**
 * @param {HTMLCanvasElement} canvas
 * @param {{surface?: Float32Array, resolution?: number, warped?: any, real?: ArrayLike<number>, fake?: ArrayLike<number>, drawn?: ArrayLike<number>, pull?: ArrayLike<number>}} [parts]
 * Draws the plane and returns its scales, `{ lo, hi, meanPull }`. `surface`: the critic's opinion
 * per cell (any scale: shown from its lowest, blue, to its highest, orange, so the colours say
 * "less real" / "more real" whatever the loss; `lo` and `hi` are that frame's ends); `warped`: G
 * on the lattice ({points, lines, steps}); `real`, `fake`, `drawn`: flat x, y arrays; `pull`:
 * −∂L_G/∂x at each fake point (flat x, y), drawn as arrows at PULL_SCALE (`meanPull`: its mean norm).
 */
export function drawPlane(canvas, { surface, resolution = SURFACE_RESOLUTION, warped, real, fake, drawn, pull } = {}) {
  const ctx = canvas.getContext('2d');
  const { width, height } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  let lo = Infinity;
  let hi = -Infinity;
  if (surface?.length === resolution * resolution) {
    for (const v of surface) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const span = hi > lo ? hi - lo : 1;
    // One small canvas for the cells, reused frame after frame; drawn scaled up onto the plot.
    if (cells?.width !== resolution) cells = Object.assign(document.createElement('canvas'), { width: resolution, height: resolution });
    const image = cells.getContext('2d').createImageData(resolution, resolution);
    for (let i = 0; i < surface.length; i++) {
      const t = Number.isFinite(surface[i]) ? (surface[i] - lo) / span : 0.5;
      // Blue (0) → white (½) → orange (1).
      const [r, g, b] = t < 0.5 ? mix([66, 133, 244], [255, 255, 255], t * 2) : mix([255, 255, 255], [245, 124, 0], t * 2 - 1);
      image.data.set([r, g, b, 150], 4 * i);
    }
    cells.getContext('2d').putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(cells, 0, 0, width, height);
  }
  // The square the data live in.
  ctx.strokeStyle = 'rgba(0,0,0,0.25)';
  ctx.setLineDash([4, 4]);
  const [x0, y0] = toCanvas(canvas, [-1, 1]);
  const [x1, y1] = toCanvas(canvas, [1, -1]);
  ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
  ctx.setLineDash([]);
  if (warped) {
    ctx.strokeStyle = 'rgba(80,80,80,0.45)';
    ctx.lineWidth = 1;
    for (let line = 0; line < warped.lines; line++) {
      ctx.beginPath();
      for (let s = 0; s < warped.steps; s++) {
        const i = 2 * (line * warped.steps + s);
        const [px, py] = toCanvas(canvas, [warped.points[i], warped.points[i + 1]]);
        s ? ctx.lineTo(px, py) : ctx.moveTo(px, py);
      }
      ctx.stroke();
    }
  }
  const dots = (points, fill, r) => {
    if (!points) return;
    ctx.fillStyle = fill;
    for (let i = 0; i + 1 < points.length; i += 2) {
      const [px, py] = toCanvas(canvas, [points[i], points[i + 1]]);
      ctx.beginPath();
      ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fill();
    }
  };
  dots(real, 'rgba(20,150,60,0.55)', 2);
  dots(fake, 'rgba(120,40,200,0.8)', 2.2);
  dots(drawn, 'rgba(20,150,60,0.8)', 2);
  const meanPull = pull && fake ? drawArrows(canvas, ctx, fake, pull) : null;
  return { lo, hi, meanPull };
}

/** An arrow at every k-th fake point along its pull; returns the mean norm of the pull over all of them. */
function drawArrows(canvas, ctx, fake, pull) {
  const n = Math.min(fake.length, pull.length) / 2;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.hypot(pull[2 * i], pull[2 * i + 1]);
  ctx.strokeStyle = ctx.fillStyle = 'rgba(25,10,60,0.9)';
  ctx.lineWidth = 1.4;
  const every = Math.max(1, Math.ceil(n / ARROWS));
  for (let i = 0; i < n; i += every) {
    const [x, y, dx, dy] = [fake[2 * i], fake[2 * i + 1], pull[2 * i], pull[2 * i + 1]];
    const norm = Math.hypot(dx, dy);
    if (!Number.isFinite(norm) || norm === 0) continue;
    const length = Math.min(PULL_MAX, PULL_SCALE * norm);
    const [px, py] = toCanvas(canvas, [x, y]);
    const [qx, qy] = toCanvas(canvas, [x + (dx / norm) * length, y + (dy / norm) * length]);
    if (Math.hypot(qx - px, qy - py) < 1) continue; // too short to draw: a flat field
    ctx.beginPath();
    ctx.moveTo(px, py);
    ctx.lineTo(qx, qy);
    ctx.stroke();
    const angle = Math.atan2(qy - py, qx - px);
    ctx.beginPath();
    ctx.moveTo(qx, qy);
    ctx.lineTo(qx - 4 * Math.cos(angle - 0.5), qy - 4 * Math.sin(angle - 0.5));
    ctx.lineTo(qx - 4 * Math.cos(angle + 0.5), qy - 4 * Math.sin(angle + 0.5));
    ctx.fill();
  }
  return sum / n;
}

const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

/**
 * Points drawn on the plane as a dataset file the core reads (crate/data/mod.rs's layout: "GDS1",
 * count, 2 channels, 1×1, then x, y as u8 levels of [−1, 1], then one 255 label per point).
 */
export function pointsToDataset(points) {
  const count = points.length / 2;
  const bytes = new Uint8Array(20 + 3 * count);
  bytes.set([0x47, 0x44, 0x53, 0x31]);
  new DataView(bytes.buffer).setUint32(4, count, true);
  new DataView(bytes.buffer).setUint32(8, 2, true);
  new DataView(bytes.buffer).setUint32(12, 1, true);
  new DataView(bytes.buffer).setUint32(16, 1, true);
  for (let i = 0; i < points.length; i++) bytes[20 + i] = Math.round((Math.max(-1, Math.min(1, points[i])) + 1) * 127.5);
  bytes.fill(255, 20 + 2 * count);
  return bytes;
}
