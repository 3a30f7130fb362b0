// The study's figures on a canvas, from the core's summary of results files
// (crate/study/summary.rs, through the worker's 'summarise'): the best score against the number
// of settings tried, with its bootstrap band, and box plots of the best setting's score over seeds.
// `gan study figures` draws the same numbers as SVG for the README.
import { prepareCanvas } from './chart.js';

/** One colour per variant, in the summary's order (colour-blind-safe, Okabe & Ito), as `gan study figures`. */
export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9', '#e69f00', '#787878', '#000000'];
/** And one marker shape per variant, so that series can be told apart without colour. */
const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'down', 'cross', 'plus', 'star'];

/** The i-th variant's marker, filled with its colour, centred at (x, y), of radius r. */
function marker(ctx, i, x, y, r = 3.5) {
  const shape = MARKERS[i % MARKERS.length];
  ctx.fillStyle = ctx.strokeStyle = PALETTE[i % PALETTE.length];
  ctx.lineWidth = 1.6;
  ctx.beginPath();
  const poly = (points) => points.forEach(([dx, dy], k) => (k ? ctx.lineTo(x + dx * r, y + dy * r) : ctx.moveTo(x + dx * r, y + dy * r)));
  if (shape === 'circle') ctx.arc(x, y, r, 0, 2 * Math.PI);
  else if (shape === 'square') ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
  else if (shape === 'triangle') poly([[0, -1.15], [1, 0.7], [-1, 0.7]]);
  else if (shape === 'down') poly([[0, 1.15], [1, -0.7], [-1, -0.7]]);
  else if (shape === 'diamond') poly([[0, -1.2], [1, 0], [0, 1.2], [-1, 0]]);
  else if (shape === 'star') poly([...Array(10)].map((_, k) => [Math.sin((k * Math.PI) / 5) * (k % 2 ? 0.5 : 1.2), -Math.cos((k * Math.PI) / 5) * (k % 2 ? 0.5 : 1.2)]));
  if (shape === 'cross' || shape === 'plus') {
    const a = shape === 'cross' ? Math.SQRT1_2 : 1;
    ctx.moveTo(x - a * r, y - (shape === 'cross' ? a * r : 0));
    ctx.lineTo(x + a * r, y + (shape === 'cross' ? a * r : 0));
    ctx.moveTo(x - (shape === 'cross' ? a * r : 0), y + a * r);
    ctx.lineTo(x + (shape === 'cross' ? a * r : 0), y - a * r);
    ctx.stroke();
  } else {
    ctx.closePath();
    ctx.fill();
  }
}

function prepare(canvas) {
  const c = prepareCanvas(canvas);
  c.ctx.font = '11px system-ui, sans-serif';
  return { ...c, muted: getComputedStyle(canvas).getPropertyValue('--muted') || '#6b6b66' };
}

const num = (v) => String(+v.toPrecision(3));

/** Axes with a y range [0, top] and a title (and `extra` pixels under it, for a legend); returns
 * the plot box and the y mapping. */
function frame({ ctx, width, height, muted }, title, top, xLabel, extra = 0) {
  const [left, right, upper, bottom] = [44, 8, 18 + extra, 30];
  const box = { left, top: upper, w: width - left - right, h: height - upper - bottom };
  const y = (v) => box.top + box.h - (v / top) * box.h;
  ctx.fillStyle = muted;
  ctx.textBaseline = 'top';
  ctx.fillText(title, left, 2);
  ctx.strokeStyle = '#e3e3de';
  ctx.strokeRect(box.left + 0.5, box.top + 0.5, box.w, box.h);
  ctx.textAlign = 'right';
  ctx.fillText(num(top), left - 4, box.top);
  ctx.textBaseline = 'bottom';
  ctx.fillText('0', left - 4, box.top + box.h);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText(xLabel, box.left + box.w / 2, height - 12);
  ctx.textAlign = 'left';
  return { box, y };
}

/** Best FID-style score of k settings against k, per variant: the bootstrap mean, and its 95 % band. */
export function drawBudget(canvas, summary, title = 'Best FID-style score of k settings') {
  const c = prepare(canvas);
  const drawn = summary.variants.filter((v) => v.budget.length);
  const kMax = Math.max(2, ...drawn.map((v) => v.budget.length));
  const top = 1.05 * Math.max(1, ...drawn.flatMap((v) => v.budget.map((p) => p.hi)));
  const entries = legendLayout(c.ctx, summary, 44, c.width - 8, 16);
  const { box, y } = frame(c, title, top, 'settings tried (k)', entries.at(-1).y - 16 + 14);
  const x = (k) => box.left + ((k - 1) / (kMax - 1)) * box.w;
  const { ctx } = c;
  ctx.textBaseline = 'top';
  ctx.fillText('1', box.left, box.top + box.h + 2);
  ctx.textAlign = 'right';
  ctx.fillText(String(kMax), box.left + box.w, box.top + box.h + 2);
  ctx.textAlign = 'left';
  summary.variants.forEach((v, i) => {
    if (!v.budget.length) return;
    const colour = PALETTE[i % PALETTE.length];
    ctx.fillStyle = `${colour}22`;
    ctx.beginPath();
    v.budget.forEach((p, j) => (j ? ctx.lineTo(x(p.k), y(p.hi)) : ctx.moveTo(x(p.k), y(p.hi))));
    [...v.budget].reverse().forEach((p) => ctx.lineTo(x(p.k), y(p.lo)));
    ctx.fill();
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    v.budget.forEach((p, j) => (j ? ctx.lineTo(x(p.k), y(p.mean)) : ctx.moveTo(x(p.k), y(p.mean))));
    ctx.stroke();
    // A marker every few settings (not on every point: they would merge into a thick line).
    const every = Math.max(1, Math.round(v.budget.length / 5));
    v.budget.forEach((p, j) => (j % every === 0 || j === v.budget.length - 1) && marker(ctx, i, x(p.k), y(p.mean)));
  });
  drawLegend(ctx, entries);
  canvas.dataset.variants = String(drawn.length);
}

/** Box plots of each variant's best setting over seeds: quartiles, median, extremes, and every run. */
export function drawSeedBoxes(canvas, summary, title = 'FID-style score over seeds (lower is better)') {
  const c = prepare(canvas);
  const drawn = summary.variants.filter((v) => v.seeds);
  const top = 1.08 * Math.max(1, ...drawn.map((v) => v.seeds.max));
  const { box, y } = frame(c, title, top, '');
  const { ctx } = c;
  const slot = box.w / Math.max(1, summary.variants.length);
  summary.variants.forEach((v, i) => {
    const cx = box.left + slot * (i + 0.5);
    const colour = PALETTE[i % PALETTE.length];
    ctx.fillStyle = c.muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(v.variant, cx, box.top + box.h + 3);
    ctx.textAlign = 'left';
    const b = v.seeds;
    if (!b) return;
    const w = Math.min(28, slot * 0.3);
    ctx.strokeStyle = '#1d1d1b';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(cx, y(b.min));
    ctx.lineTo(cx, y(b.q1));
    ctx.moveTo(cx, y(b.q3));
    ctx.lineTo(cx, y(b.max));
    ctx.moveTo(cx - w / 2, y(b.min));
    ctx.lineTo(cx + w / 2, y(b.min));
    ctx.moveTo(cx - w / 2, y(b.max));
    ctx.lineTo(cx + w / 2, y(b.max));
    ctx.stroke();
    ctx.fillStyle = `${colour}40`;
    ctx.fillRect(cx - w, y(b.q3), 2 * w, y(b.q1) - y(b.q3));
    ctx.strokeStyle = colour;
    ctx.strokeRect(cx - w, y(b.q3), 2 * w, y(b.q1) - y(b.q3));
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(cx - w, y(b.median));
    ctx.lineTo(cx + w, y(b.median));
    ctx.stroke();
    v.seedScores.forEach((s, j) => {
      const jitter = v.seedScores.length > 1 ? (j / (v.seedScores.length - 1) - 0.5) * 1.6 * w : 0;
      marker(ctx, i, cx + jitter, y(s), 2.5);
    });
  });
  canvas.dataset.variants = String(drawn.length);
  canvas.dataset.runs = String(drawn.reduce((n, v) => n + v.seeds.n, 0));
}

/** Precision against recall on triangles: each search run's best checkpoint, a dot per run. */
export function drawPrecisionRecall(canvas, summary, title = 'Triangles: precision against recall') {
  const c = prepare(canvas);
  const entries = legendLayout(c.ctx, summary, 44, c.width - 8, 16);
  const { box, y } = frame(c, title, 1, 'recall', entries.at(-1).y - 16 + 14);
  const { ctx } = c;
  const x = (r) => box.left + r * box.w;
  ctx.fillStyle = c.muted;
  ctx.textBaseline = 'top';
  ctx.fillText('0', box.left, box.top + box.h + 2);
  ctx.textAlign = 'right';
  ctx.fillText('1', box.left + box.w, box.top + box.h + 2);
  ctx.textAlign = 'left';
  let runs = 0;
  summary.variants.forEach((v, i) => {
    for (const [precision, recall] of v.precisionRecall) {
      marker(ctx, i, x(recall), y(precision));
      runs++;
    }
  });
  drawLegend(ctx, entries);
  canvas.dataset.runs = String(runs);
}

/** The legend above the plot: each variant's marker and name in its colour. */
function drawLegend(ctx, entries) {
  ctx.textBaseline = 'top';
  for (const { label, x, y, colour, index } of entries) {
    marker(ctx, index, x + 4, y + 6, 3.5);
    ctx.fillStyle = colour;
    ctx.fillText(label, x + 11, y);
  }
}

/** Where each variant's legend entry goes: rows from `y`, wrapped within [left, right]. */
function legendLayout(ctx, summary, left, right, y) {
  let x = left;
  return summary.variants.map((v, i) => {
    const label = v.variant;
    const w = ctx.measureText(label).width + 21;
    if (x + w > right && x > left) {
      x = left;
      y += 14;
    }
    const entry = { label, x, y, colour: PALETTE[i % PALETTE.length], index: i };
    x += w;
    return entry;
  });
}
