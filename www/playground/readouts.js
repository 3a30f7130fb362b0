// What <gan-playground> shows of a run as it trains: the step and losses, the variant's read-outs,
// the charts, the critic's weight histogram and the scores. This part owns the run's history (the
// charts' points), its scores and its latest histogram.
import { drawBars, drawChart } from '../lib/chart.js';
import { drawGrid } from '../lib/grid.js';
import { drawPlane } from '../lib/plane.js';
import { HISTORY_POINTS, POINT_FIELDS } from '../lib/snapshots.js';
import { css, fmt } from './format.js';

/** A number of any size in a few characters (1.2e-5, 0.034, 12.5). */
const formatSmall = (v) => (!Number.isFinite(v) ? '–' : v !== 0 && Math.abs(v) < 0.01 ? v.toExponential(1) : Number(v.toPrecision(3)).toString());

export class Readouts {
  /** @param {import('../gan-playground.js').GanPlayground} host */
  constructor(host) {
    this.host = host;
    this.$ = host.$;
    /** @type {Array<{step: number, d: number, g: number, rate: number}>} the charts' points */
    this.history = [];
    /** @type {Array<{step: number, fid: number, kid: number, triangles: any}>} */
    this.scores = [];
    this.lastScore = null;
    /** @type {{limit: number, counts: number[], step: number} | null} the critic's latest weight histogram */
    this.histogram = null;
    this.sessionShown = 0;
    this.loadedHistory = null;
    this.coverage = null;
    this.planeScales = null;
    this.chartsPending = false;
  }

  /** The charts of a resumed run, drawn from its first read-out on. */
  restore(points, scores) {
    this.loadedHistory = { points, scores };
  }

  /** Shows a 'progress' of the run; false for one of a run that Reset has replaced. */
  show(msg) {
    if (msg.session < this.sessionShown) return false;
    if (msg.session > this.sessionShown) {
      this.sessionShown = msg.session;
      const restored = this.loadedHistory;
      this.loadedHistory = null;
      this.history = restored?.points ?? [];
      this.scores = [];
      this.$('score-stats').replaceChildren();
      this.$('chart-scores').hidden = true;
      this.$('chart-precision').hidden = true;
      delete this.$('samples').dataset.model;
      for (const score of restored?.scores ?? []) this.showScore({ ...score, session: msg.session });
    }
    this.$('stat-step').textContent = msg.step;
    this.$('stat-d').textContent = fmt(msg.dLoss);
    this.$('stat-g').textContent = fmt(msg.gLoss);
    this.$('stat-rate').textContent = msg.stepsPerSec ? fmt(msg.stepsPerSec, msg.stepsPerSec < 10 ? 2 : 0) : '–';
    this.showValues(msg.values);
    if (msg.histogram) {
      this.histogram = { ...msg.histogram, step: msg.step };
      this.drawHistogram(msg.histogram);
    }
    if (msg.plane) {
      this.showCoverage(msg.coverage);
      if (!this.host.data.drawMode) this.showPlaneScales(drawPlane(this.$('plane'), { ...msg.plane, fake: msg.samples }), msg.step);
      this.$('plane').dataset.step = msg.step;
    }
    if (msg.samples) {
      if (!msg.plane) {
        drawGrid(this.$('samples'), msg.samples, msg.shape);
        const variant = this.$('variant').selectedOptions[0]?.text ?? this.host.state?.variant;
        if (this.host.shadowRoot.activeElement !== this.$('samples')) this.$('samples').setAttribute('aria-label', `${variant}, step ${msg.step}: ${msg.shape[0]} samples from a fixed z`);
      }
      this.$('samples').dataset.step = msg.step;
      delete this.$('samples').dataset.preview;
    }
    const last = this.history.at(-1);
    const point = { step: msg.step, d: msg.dLoss, g: msg.gLoss, rate: msg.stepsPerSec, ...msg.values };
    // A D-only or G-only step keeps the iteration count: the newest point replaces the last.
    if (last && last.step === msg.step) this.history[this.history.length - 1] = point;
    else this.history.push(point);
    if (this.history.length > HISTORY_POINTS) this.history.splice(0, this.history.length - HISTORY_POINTS);
    this.drawChartsSoon();
    return true;
  }

  /** Shows a score of the run; false for one of a run that Reset has replaced. */
  showScore(msg) {
    if (msg.session !== this.sessionShown) return false;
    this.scores.push({ step: msg.step, fid: msg.fid, kid: msg.kid, triangles: msg.triangles });
    this.lastScore = msg;
    const box = this.$('score-stats');
    box.innerHTML = `<div><dt>FID-style</dt><dd data-name="fid">${fmt(msg.fid, 1)}</dd></div><div><dt>KID</dt><dd data-name="kid">${fmt(msg.kid, 1)}</dd></div>`;
    if (this.host.state.dataset === 'mnist') {
      // Digits a reader would name: the classifier is at least 90 % sure (real digits: 97 %).
      box.insertAdjacentHTML('beforeend', `<div title="samples the digit classifier labels with at least 90 % probability (real digits: 97 %)"><dt>Named</dt><dd data-name="confident">${Math.round((100 * msg.confident) / msg.n)} %</dd></div>`);
    }
    const t = msg.triangles;
    if (t) {
      // Precision/recall on the triangle manifold (crate/score.rs): tolerance = a one-pixel shift.
      const tip = `within ${fmt(t.threshold, 3)} RMS of a true triangle (a triangle moved by one pixel is that far from itself); precision over ${t.n} samples, recall over ${t.m} held-out triangles found by latent inversion`;
      box.insertAdjacentHTML('beforeend', ['precision', 'recall', 'f1'].map((k) => `<div title="${tip}"><dt>${k === 'f1' ? 'F1' : k[0].toUpperCase() + k.slice(1)}</dt><dd data-name="${k}">${fmt(t[k], 2)}</dd></div>`).join(''));
    }
    const chart = this.$('chart-scores');
    chart.hidden = this.scores.length < 2;
    if (!chart.hidden) drawChart(chart, [{ name: 'FID-style', color: css(this.host, '--d') || '#d9480f', points: this.scores.map((p) => [p.step, p.fid]) }], { title: 'FID-style distance (lower is closer to the data)' });
    const rated = this.scores.filter((p) => p.triangles);
    const prChart = this.$('chart-precision');
    prChart.hidden = rated.length < 2;
    if (!prChart.hidden) {
      drawChart(prChart, [
        { name: 'precision', color: css(this.host, '--d') || '#d9480f', points: rated.map((p) => [p.step, p.triangles.precision]) },
        { name: 'recall', color: css(this.host, '--g') || '#1971c2', points: rated.map((p) => [p.step, p.triangles.recall]) },
      ], { title: 'Triangles: precision and recall' });
    }
    const digits = this.host.state.dataset === 'mnist';
    this.$('classes').hidden = !digits;
    this.$('classes-legend').hidden = !digits;
    if (digits) drawBars(this.$('classes'), msg.classes, css(this.host, '--g') || '#1971c2');
    return true;
  }

  // How many of a mixture's modes the generated points reach (crate/data/toy2d.rs): mode collapse
  // as a number.
  showCoverage(coverage) {
    const line = this.$('coverage');
    line.hidden = !coverage || this.host.data.drawMode;
    this.coverage = coverage ?? null;
    if (coverage) line.textContent = `Modes covered: ${coverage.covered} of ${coverage.modes} · ${Math.round(100 * coverage.near)} % of the generated points near a mode`;
  }

  // The plane's two scales: the heatmap's range in this frame (it is stretched to its own ends),
  // and the arrows' mean length (drawn at one fixed scale for every loss); and its label.
  showPlaneScales({ lo, hi, meanPull }, step) {
    this.planeScales = { lo, hi, meanPull, step };
    const pull = meanPull === null ? '' : ` · arrows: the pull of G's loss, mean |−∂L_G/∂x| ${formatSmall(meanPull)}`;
    this.$('plane-scale').textContent = `Background from D = ${formatSmall(lo)} (blue) to ${formatSmall(hi)} (orange)${pull}`;
    const covered = this.coverage ? `, ${this.coverage.covered} of ${this.coverage.modes} modes covered` : '';
    this.$('plane').setAttribute('aria-label', `${this.$('variant').selectedOptions[0]?.text ?? this.host.state?.variant}, step ${step}: real and generated points${covered}; the critic's opinion from ${formatSmall(lo)} to ${formatSmall(hi)}`);
  }

  readoutLabel(name) {
    return this.host.schema?.readouts.find((r) => r.name === name)?.label ?? name;
  }

  showValues(values) {
    const box = this.$('variant-stats');
    const entries = Object.entries(values ?? {});
    if (box.children.length !== entries.length) box.replaceChildren();
    for (const [name, value] of entries) {
      let dd = box.querySelector(`[data-name="${name}"]`);
      if (!dd) {
        const div = document.createElement('div');
        div.innerHTML = `<dt>${this.readoutLabel(name)}</dt><dd data-name="${name}"></dd>`;
        box.append(div);
        dd = div.querySelector('dd');
      }
      // (a vanishing ‖∇G‖ or a clipped critic's Ŵ of 1e-5 reads as a number, not as 0.000)
      dd.textContent = value !== 0 && Math.abs(value) < 0.001 ? formatSmall(value) : fmt(value);
    }
  }

  /** Draws the critic's weight histogram of `step`, and keeps it. */
  drawHistogram({ limit, counts }) {
    if (this.$('histogram').closest('[hidden]')) return;
    drawBars(this.$('histogram'), counts, css(this.host, '--fg') || '#1d1d1b');
    const n = counts.reduce((a, b) => a + b, 0);
    this.$('histogram-range').textContent = `${n.toLocaleString('en')} weights in [−${+limit.toPrecision(3)}, ${+limit.toPrecision(3)}]`;
  }

  drawChartsSoon() {
    if (this.chartsPending) return;
    this.chartsPending = true;
    requestAnimationFrame(() => {
      this.chartsPending = false;
      if (this.$('chart-losses').closest('[hidden]')) return;
      const h = this.history;
      const dColor = css(this.host, '--d') || '#d9480f';
      const gColor = css(this.host, '--g') || '#1971c2';
      drawChart(this.$('chart-losses'), this.host.panel.isJoint()
        ? [{ name: 'Loss (−ELBO)', color: gColor, points: h.map((p) => [p.step, p.g]) }]
        : [
          { name: 'D loss', color: dColor, points: h.map((p) => [p.step, p.d]) },
          { name: 'G loss', color: gColor, points: h.map((p) => [p.step, p.g]) },
        ], { title: 'Losses' });
      const names = Object.keys(h.at(-1) ?? {}).filter((k) => !POINT_FIELDS.includes(k));
      const box = this.$('readout-charts');
      if (box.dataset.names !== names.join()) {
        box.dataset.names = names.join();
        box.replaceChildren(...names.map((name) => {
          const canvas = Object.assign(document.createElement('canvas'), { className: 'chart small', title: name });
          canvas.setAttribute('role', 'img');
          canvas.setAttribute('aria-label', `${this.readoutLabel(name)} over steps`);
          return canvas;
        }));
      }
      names.forEach((name, i) => drawChart(box.children[i], [{ name: this.readoutLabel(name), color: gColor, points: h.map((p) => [p.step, p[name]]) }], { title: this.readoutLabel(name) }));
      drawChart(this.$('chart-rate'), [{ name: 'steps/s', color: css(this.host, '--muted') || '#6b6b66', points: h.map((p) => [p.step, p.rate]) }], { title: 'Steps per second' });
    });
  }
}
