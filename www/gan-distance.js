// <gan-distance>: why a distance beats a classifier when the supports do not overlap — Arjovsky
// et al.'s Example 1 with a scrubbable θ. The data P₀ is the segment {0} × [0, 1]; the generator
// draws the segment {θ} × [0, 1]. For every θ ≠ 0 the two share no point, so
//   JS(P₀, P_θ) = log 2 and ∂JS/∂θ = 0 (and the minimax game's C(G) = −log 4 + 2·JS = 0, flat),
//   W(P₀, P_θ) = |θ| and ∂W/∂θ = sign θ: a gradient that points home from every θ.
// Closed forms, not a trained network: the figure shows the distances themselves. The reader drags
// the generated segment, moves the slider, or uses the arrow keys; `theta` is also an attribute.
import { prepareCanvas } from './lib/chart.js';

const STYLESHEET = new URL('./gan-distance.css', import.meta.url);
const LOG2 = Math.log(2);
const RANGE = 1; // θ ∈ [−1, 1]

/** The distances between P₀ and P_θ and their slopes in θ (Arjovsky et al. 2017, Example 1). */
export function distances(theta) {
  const apart = theta !== 0;
  const js = apart ? LOG2 : 0;
  return {
    js,
    jsSlope: 0, // where it is defined: the jump at 0 is all JS has
    cg: -Math.log(4) + 2 * js, // Goodfellow et al.'s C(G), the minimax game's value at the optimal D
    w: Math.abs(theta),
    wSlope: Math.sign(theta),
  };
}

const fmt = (v) => (Object.is(v, -0) ? 0 : v).toFixed(3);

export class GanDistance extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<link rel="stylesheet" href="${STYLESHEET}">
      <div class="panels">
        <canvas data-role="plane" width="220" height="220" tabindex="0" role="slider" aria-valuemin="${-RANGE}" aria-valuemax="${RANGE}"
          aria-label="The real segment at x = 0 and the generated one at x = θ; drag it or use the arrow keys"></canvas>
        <canvas data-role="curves" width="320" height="220" role="img"></canvas>
      </div>
      <label class="theta">θ <input data-role="theta" type="range" min="${-RANGE}" max="${RANGE}" step="0.01"> <output data-role="theta-value"></output></label>
      <table class="values">
        <thead><tr><th scope="col">between P₀ and P<sub>θ</sub></th><th scope="col">value</th><th scope="col">∂/∂θ</th></tr></thead>
        <tbody>
          <tr class="js"><th scope="row">JS(P₀, P<sub>θ</sub>)</th><td data-role="js"></td><td data-role="js-slope"></td></tr>
          <tr class="cg"><th scope="row">C(G) = −log 4 + 2·JS</th><td data-role="cg"></td><td data-role="cg-slope"></td></tr>
          <tr class="w"><th scope="row">W(P₀, P<sub>θ</sub>)</th><td data-role="w"></td><td data-role="w-slope"></td></tr>
        </tbody>
      </table>`;
    /** @type {(role: string) => any} the part with data-role=role */
    this.$ = (role) => root.querySelector(`[data-role="${role}"]`);
    const slider = this.$('theta');
    slider.addEventListener('input', () => this.set(Number(slider.value)));
    const plane = this.$('plane');
    const drag = (e) => {
      const box = plane.getBoundingClientRect();
      this.set(((e.clientX - box.left) / box.width * 2 - 1) * RANGE);
    };
    plane.addEventListener('pointerdown', (/** @type {PointerEvent} */ e) => {
      plane.setPointerCapture(e.pointerId);
      drag(e);
    });
    plane.addEventListener('pointermove', (/** @type {PointerEvent} */ e) => plane.hasPointerCapture(e.pointerId) && drag(e));
    plane.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
      const by = { ArrowLeft: -0.05, ArrowRight: 0.05, Home: -Infinity, End: Infinity }[e.key];
      if (by === undefined) return;
      e.preventDefault();
      this.set(this.theta + by);
    });
    new ResizeObserver(() => this.draw()).observe(plane);
    this.set(Number(this.getAttribute('theta') ?? 0.5));
  }

  /** Moves the generated segment to θ (clamped to the figure's range, in steps of 0.01). */
  set(theta) {
    const t = Math.round(Math.min(RANGE, Math.max(-RANGE, Number.isFinite(theta) ? theta : 0)) * 100) / 100;
    this.theta = Object.is(t, -0) ? 0 : t;
    this.$('theta').value = String(this.theta);
    this.$('theta-value').textContent = this.theta.toFixed(2);
    const d = distances(this.theta);
    this.values = d;
    this.$('js').textContent = this.theta === 0 ? '0' : `log 2 ≈ ${fmt(d.js)}`;
    this.$('js-slope').textContent = '0';
    this.$('cg').textContent = fmt(d.cg);
    this.$('cg-slope').textContent = '0';
    this.$('w').textContent = fmt(d.w);
    this.$('w-slope').textContent = this.theta === 0 ? '0 (at the data)' : d.wSlope > 0 ? '+1 (move left)' : '−1 (move right)';
    this.dataset.theta = String(this.theta);
    this.draw();
    this.dispatchEvent(new CustomEvent('gan-distance', { detail: { theta: this.theta, ...d } }));
  }

  draw() {
    if (this.theta === undefined) return;
    this.drawPlane();
    this.drawCurves();
  }

  drawPlane() {
    const { ctx, width: w, height: h } = prepareCanvas(this.$('plane'));
    const x = (v) => ((v / RANGE + 1) / 2) * w;
    const [y0, y1] = [h * 0.15, h * 0.85];
    ctx.strokeStyle = '#e3e3de';
    ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    // Each segment labelled at one end: the data's below, the generator's above.
    const segment = (at, color, label, labelY) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 4;
      ctx.beginPath();
      ctx.moveTo(x(at), y0);
      ctx.lineTo(x(at), y1);
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.textAlign = 'center';
      ctx.fillText(label, Math.min(w - 30, Math.max(30, x(at))), labelY);
    };
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    segment(0, '#1d1d1b', 'P₀ (data)', y1 + 4);
    if (this.theta !== 0) segment(this.theta, '#d9480f', 'P_θ (G)', y0 - 16);
    // W's gradient, −∂W/∂θ: an arrow from the generated segment toward the data.
    if (this.theta !== 0) {
      const [from, to] = [x(this.theta), x(this.theta) - Math.sign(this.theta) * Math.min(40, Math.abs(x(this.theta) - x(0)) - 6)];
      const y = (y0 + y1) / 2;
      ctx.strokeStyle = ctx.fillStyle = '#1971c2';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(from, y);
      ctx.lineTo(to, y);
      ctx.stroke();
      ctx.beginPath();
      const s = Math.sign(from - to);
      ctx.moveTo(to, y);
      ctx.lineTo(to + s * 7, y - 5);
      ctx.lineTo(to + s * 7, y + 5);
      ctx.fill();
      // Named in the corner, clear of the segments.
      ctx.textAlign = 'right';
      ctx.fillText('arrow: −∂W/∂θ', w - 6, h - 16);
    }
    ctx.fillStyle = '#6b6b66';
    ctx.textAlign = 'left';
    ctx.fillText(`θ = ${this.theta.toFixed(2)}`, 6, h - 16);
    this.$('plane').setAttribute('aria-valuenow', String(this.theta));
    this.$('plane').setAttribute('aria-valuetext', `θ = ${this.theta.toFixed(2)}`);
  }

  drawCurves() {
    const canvas = this.$('curves');
    const { ctx, width: w, height: h } = prepareCanvas(canvas);
    const [left, right, top, bottom] = [34, 8, 22, 18];
    const px = (t) => left + ((t / RANGE + 1) / 2) * (w - left - right);
    const py = (v) => top + (1 - v / 1.05) * (h - top - bottom);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.strokeStyle = '#e3e3de';
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, w - left - right, h - top - bottom);
    ctx.fillStyle = '#6b6b66';
    ctx.textAlign = 'right';
    for (const [v, label] of [[0, '0'], [LOG2, 'log 2'], [1, '1']]) ctx.fillText(label, left - 4, py(v));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of [-1, 0, 1]) ctx.fillText(String(t), px(t), h - bottom + 3);
    ctx.fillText('θ', (px(0) + px(1)) / 2, h - bottom + 3);
    // JS: log 2 everywhere but θ = 0, where it drops to 0.
    const line = (points, color, width = 2) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      points.forEach(([t, v], i) => (i ? ctx.lineTo(px(t), py(v)) : ctx.moveTo(px(t), py(v))));
      ctx.stroke();
    };
    line([[-RANGE, LOG2], [-0.01, LOG2]], '#c2255c');
    line([[0.01, LOG2], [RANGE, LOG2]], '#c2255c');
    ctx.fillStyle = '#c2255c';
    ctx.beginPath();
    ctx.arc(px(0), py(0), 3, 0, 2 * Math.PI);
    ctx.fill();
    line([[-RANGE, RANGE], [0, 0], [RANGE, RANGE]], '#1971c2');
    // The current θ on both curves.
    const d = this.values;
    for (const [v, color] of [[d.js, '#c2255c'], [d.w, '#1971c2']]) {
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(px(this.theta), py(v), 5, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#c2255c';
    ctx.fillText('■ JS divergence', left, 3);
    ctx.fillStyle = '#1971c2';
    ctx.fillText('■ Wasserstein-1', left + 110, 3);
    canvas.setAttribute('aria-label', `At θ = ${this.theta.toFixed(2)}: JS = ${fmt(d.js)} with slope 0; W = ${fmt(d.w)} with slope ${d.wSlope}`);
  }
}

customElements.define('gan-distance', GanDistance);
