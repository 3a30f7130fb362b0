// <gan-study search="study/mnist-search.jsonl" seeds="study/mnist-seeds.jsonl">: the figures of
// "Are GANs Created Equal?" from a replay's results files (one JSON line per run, as `gan study`
// writes them): the best score against the settings tried, the spread over seeds (with a seeds
// file), precision against recall (for a search on triangles), and a table of the numbers. The numbers come from the core (crate/study/summary.rs), as the README's
// figures do.
//
// With replay-variants="ns-gan,wgan-gp" and replay-plan (the seeds phase's plan, as `gan study
// plan` writes it), a reader can replay the seeds phase in the browser: the plan's first
// replay-seeds runs (default 2) of each variant, each with its best setting from the search and
// the plan's seed, steps and sizes, replay-parallel runs (default 2) training at once; each run is
// scored at its last step and the box plot fills in as runs finish.
import { getEngine } from './lib/engine.js';
import { drawBudget, drawPrecisionRecall, drawSeedBoxes } from './lib/study-figures.js';

const STYLESHEET = new URL('./gan-study.css', import.meta.url);

const number = (el, name, fallback) => {
  const v = Number(el.getAttribute(name));
  return el.hasAttribute(name) && Number.isSafeInteger(v) && v > 0 ? v : fallback;
};

export class GanStudy extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const replay = (this.getAttribute('replay-variants') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    root.innerHTML = `<link rel="stylesheet" href="${STYLESHEET}">
      <div class="figures" data-part="study">
        <canvas role="img" data-role="budget" aria-label="Best FID-style score against the number of settings tried, per variant"></canvas>
        <canvas role="img" data-role="seeds" aria-label="FID-style score of each variant's best setting over seeds"></canvas>
        <canvas role="img" data-role="precision-recall" hidden aria-label="Triangles: each run's precision against its recall"></canvas>
      </div>
      <p class="status" data-role="status" role="status">Loading the results…</p>
      <div data-role="table"></div>
      <div data-part="replay" ${replay.length ? '' : 'hidden'}>
        <div class="bar"><button class="primary" data-role="replay">Replay in your browser</button>
          <span class="note" data-role="replay-status">${replay.join(', ')}: ${number(this, 'replay-seeds', 2)} seeds each, each with its best setting from the search</span></div>
        <canvas role="img" data-role="replay-seeds" hidden aria-label="Your replay: FID-style score over seeds per variant"></canvas>
      </div>`;
    // One engine per page, the first element's backend winning: this attribute, else the link's.
    const linked = new URLSearchParams(location.search).get('backend');
    this.engine = getEngine(this.getAttribute('backend') ?? (linked === 'cpu' ? 'cpu' : 'webgpu'));
    this.showFiles().catch((e) => this.status(`The study's results could not be shown: ${e.message}`, true));
    root.querySelector('[data-role="replay"]').addEventListener('click', () => this.replay(replay));
  }

  /** @param {string} role @returns {any} the part with data-role=role */
  $(role) {
    return this.shadowRoot.querySelector(`[data-role="${role}"]`);
  }

  status(text, error = false) {
    this.$('status').textContent = text;
    this.$('status').classList.toggle('error', error);
  }

  async showFiles() {
    const fetchText = async (attr) => {
      if (!this.hasAttribute(attr)) return '';
      const url = new URL(this.getAttribute(attr), document.baseURI);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url.pathname}: ${response.status} ${response.statusText}`);
      return response.text();
    };
    const [search, seeds] = await Promise.all([fetchText('search'), fetchText('seeds')]);
    const summary = await this.engine.summarise(search, seeds);
    this.summary = summary;
    drawBudget(this.$('budget'), summary);
    this.$('seeds').hidden = !summary.variants.some((v) => v.seeds);
    if (!this.$('seeds').hidden) drawSeedBoxes(this.$('seeds'), summary);
    this.$('precision-recall').hidden = !summary.variants.some((v) => v.precisionRecall.length);
    if (!this.$('precision-recall').hidden) drawPrecisionRecall(this.$('precision-recall'), summary);
    const runs = summary.variants.reduce((n, v) => n + v.scored + v.failed, 0);
    this.status(`${runs} search runs of ${summary.variants.length} variants${seeds ? `, and the best setting of each over seeds` : ''}.`);
    this.$('table').replaceChildren(table(summary));
    this.dispatchEvent(new CustomEvent('gan-study', { detail: summary }));
  }

  // The seeds phase in miniature: every (variant, seed) a run of the page's engine, scored at its
  // last step; the results gather as the JSON lines `gan study` writes, and the core summarises them.
  async replay(variants) {
    const button = this.$('replay');
    button.disabled = true;
    const seeds = number(this, 'replay-seeds', 2);
    const parallel = number(this, 'replay-parallel', 2);
    let plan;
    try {
      const url = new URL(this.getAttribute('replay-plan') ?? '', document.baseURI);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url.pathname}: ${response.status} ${response.statusText}`);
      plan = await response.json();
    } catch (e) {
      this.$('replay-status').textContent = `The seeds plan could not be read (${e.message}).`;
      button.disabled = false;
      return;
    }
    const steps = plan.steps;
    // Each variant's first runs in the plan: its best setting, at the plan's seeds.
    const queue = variants.flatMap((variant) => plan.runs.filter((r) => r.config.variant === variant).slice(0, seeds).map((r) => ({ variant, setting: r.setting, seed: r.config.seed, config: r.config })));
    const total = queue.length;
    const lines = [];
    const canvas = this.$('replay-seeds');
    canvas.hidden = false;
    const show = async () => {
      this.$('replay-status').textContent = `${lines.length} of ${total} runs done`;
      const summary = await this.engine.summarise('', lines.join('\n'));
      drawSeedBoxes(canvas, summary, 'Your replay: FID-style score over seeds');
    };
    const one = ({ variant, setting, seed, config }, id) => new Promise((resolve) => {
      const t0 = performance.now();
      const finish = (best, error = null) => {
        run.close();
        lines.push(JSON.stringify({
          id, variant, setting, seed, steps, best, checkpoints: best ? [best] : [], seconds: (performance.now() - t0) / 1000, error,
        }));
        resolve();
      };
      const run = this.engine.open({ config, pretrained: false, key: null }, (msg) => {
        if (msg.type === 'score' && msg.step >= steps) finish({ step: msg.step, fid: msg.fid, kid: msg.kid });
        else if (msg.type === 'error' || msg.type === 'fatal') finish(null, msg.message);
      });
      run.send({ type: 'speed', stepsPerSec: Infinity });
      run.send({ type: 'start', until: steps });
    });
    let next = 0;
    const worker = async () => {
      while (next < queue.length) {
        const id = next++;
        await one(queue[id], id);
        await show();
      }
    };
    this.$('replay-status').textContent = `0 of ${total} runs done`;
    await Promise.all(Array.from({ length: Math.min(parallel, total) }, worker));
    this.$('replay-status').textContent = `${total} of ${total} runs done`;
    canvas.dataset.done = String(total);
    button.disabled = false;
    this.dispatchEvent(new CustomEvent('gan-replay', { detail: { results: lines.map((l) => JSON.parse(l)) } }));
  }
}

/** The figures' numbers as a table: a figure's text alternative, and the numbers to quote. */
function table(summary) {
  const t = document.createElement('table');
  const fmt = (v) => (Number.isFinite(v) ? v.toFixed(1) : '–');
  t.innerHTML = `<thead><tr><th scope="col">variant</th><th scope="col">settings scored</th><th scope="col">best setting's FID-style</th><th scope="col">one random setting (mean)</th><th scope="col">over seeds: median (min–max)</th></tr></thead>`;
  const body = t.createTBody();
  for (const v of summary.variants) {
    const row = body.insertRow();
    const seeds = v.seeds ? `${fmt(v.seeds.median)} (${fmt(v.seeds.min)}–${fmt(v.seeds.max)}), ${v.seeds.n} seeds` : '–';
    const cells = [v.variant, `${v.scored}${v.failed ? ` (+${v.failed} failed)` : ''}`, v.bestSetting ? `${fmt(v.bestSetting[1])} (setting ${v.bestSetting[0]})` : '–', fmt(v.budget[0]?.mean), seeds];
    for (const text of cells) row.insertCell().textContent = text;
  }
  return t;
}

customElements.define('gan-study', GanStudy);
