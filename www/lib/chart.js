// Small line charts over training steps on a canvas: a few series, their range on the y axis,
// the step range on the x axis and a legend. Hand-written: a handful of lines is all it takes.

/** Sizes a canvas's pixels to its CSS size at the screen's pixel ratio, clears it, and returns its
 * context (drawing in CSS pixels) and its CSS size. */
export function prepareCanvas(canvas) {
  const dpr = globalThis.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * dpr)) canvas.width = Math.round(width * dpr);
  if (canvas.height !== Math.round(height * dpr)) canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

/** A series: {name, color, points: [[step, value], …]}. Non-finite values are skipped. */
export function drawChart(canvas, series, { title = '' } = {}) {
  const { ctx, width: cssWidth, height: cssHeight } = prepareCanvas(canvas);
  const style = getComputedStyle(canvas);
  const muted = style.getPropertyValue('--muted') || '#6b6b66';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';

  const finite = series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const [left, right, top, bottom] = [44, 6, 16, 14];
  const w = cssWidth - left - right;
  const h = cssHeight - top - bottom;
  ctx.fillStyle = muted;
  ctx.fillText(title, left, 1);
  // Legend, right-aligned on the title line.
  let lx = cssWidth - right;
  for (const s of [...series].reverse()) {
    const label = `■ ${s.name}`;
    lx -= ctx.measureText(label).width + 8;
    ctx.fillStyle = s.color;
    ctx.fillText(label, lx, 1);
  }
  if (finite.length < 2) {
    ctx.textAlign = 'center';
    ctx.fillStyle = muted;
    ctx.fillText('no steps yet', left + w / 2, top + h / 2 - 6);
    ctx.textAlign = 'left';
    return;
  }
  let [x0, x1] = [Math.min(...finite.map((p) => p[0])), Math.max(...finite.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...finite.map((p) => p[1])), Math.max(...finite.map((p) => p[1]))];
  if (x1 - x0 < 1e-9) x1 = x0 + 1;
  if (y1 - y0 < 1e-9 * Math.max(1, Math.abs(y0))) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const px = (x) => left + ((x - x0) / (x1 - x0)) * w;
  const py = (y) => top + h - ((y - y0) / (y1 - y0)) * h;

  ctx.strokeStyle = '#e3e3de';
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, w, h);
  if (y0 < 0 && y1 > 0) {
    ctx.beginPath();
    ctx.moveTo(left, py(0));
    ctx.lineTo(left + w, py(0));
    ctx.stroke();
  }
  ctx.fillStyle = muted;
  const num = (v) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : +v.toPrecision(3));
  ctx.textAlign = 'right';
  ctx.fillText(String(num(y1)), left - 4, top);
  ctx.textBaseline = 'bottom';
  ctx.fillText(String(num(y0)), left - 4, top + h);
  ctx.textBaseline = 'top';
  ctx.fillText(`step ${Math.round(x1)}`, left + w, top + h + 1);
  ctx.textAlign = 'left';
  ctx.fillText(`${Math.round(x0)}`, left, top + h + 1);

  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      pen ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y));
      pen = true;
    }
    ctx.stroke();
  }
}

/** Bars of `counts` over [−limit, limit] (the critic weight histogram). */
export function drawBars(canvas, counts, color) {
  const { ctx, width: cssWidth, height: cssHeight } = prepareCanvas(canvas);
  const top = Math.max(...counts, 1);
  const bw = cssWidth / counts.length;
  ctx.fillStyle = color;
  counts.forEach((c, i) => {
    const bh = (c / top) * (cssHeight - 4);
    ctx.fillRect(i * bw + 1, cssHeight - bh, Math.max(1, bw - 2), bh);
  });
}
