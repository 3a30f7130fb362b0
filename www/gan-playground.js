// <gan-playground>: the playground as one custom element, for this site's page and for any
// article that embeds it with one script tag:
//
//   <script type="module" src="…/www/gan-playground.js"></script>
//   <gan-playground variant="wgan-gp" pretrained controls="minimal"></gan-playground>
//
// Attributes: variant, dataset (mnist, triangles, or a 2-D point set: ring, grid, spiral, moons),
// pretrained (boolean), controls ("full" | "minimal" | "none"),
// hide (comma-separated parts: bar, settings, samples, charts, scores, histogram, latent, files,
// status),
// autoplay (boolean: train while on screen), hash (boolean: mirror the state in the page's URL
// hash; one element per page), eager (boolean: start before the element comes near the screen),
// and any setting of state.js by name (lr, beta1, beta2, n_critic, batch, nz, g_width, d_width,
// seed, speed, backend, and the variant's knobs such as gamma, clip, lambda).
// Every element on a page shares one worker and one GPU device, and trains its own run.
// Script API: start(), pause(), reset(partialState?), step('both' | 'd' | 'g'), `state`,
// `progress`; events 'gan-ready', 'gan-progress', 'gan-config', 'gan-score'.
import { drawBars, drawChart } from './chart.js';
import { getEngine } from './engine.js';
import { drawGrid } from './grid.js';
import { MAX_IMAGES, droppedFiles, imagesToDataset, isImageFile, refusals, walkNote } from './images.js';
import { drawPlane, fromCanvas, pointsToDataset } from './plane.js';
import { arithmetic, gaussians, interpolate, mean } from './latent.js';
import { PRESETS, settingsFor } from './state.js';
import { HISTORY_POINTS, askPersistence, describeSnapshot, dropSnapshots, snapshotKey } from './snapshots.js';

const STYLESHEET = new URL('./playground.css', import.meta.url);
const PARTS = ['bar', 'settings', 'samples', 'charts', 'scores', 'histogram', 'latent', 'files', 'status'];
const HIDDEN_BY_CONTROLS = { full: [], minimal: ['settings', 'latent', 'files', 'step-buttons', 'scores'], none: ['bar', 'settings', 'latent', 'files', 'scores'] };
// Names of the variants' own read-outs, as the page shows them.
const SPEEDS = { max: 'Max', 30: '30 steps/s', 10: '10 steps/s', 3: '3 steps/s', 1: '1 step/s' };
const INTERPOLATION_FRAMES = 8;
const MIN_DRAWN_POINTS = 20; // a drawing trains once it has this many points
const MAX_DRAWN_POINTS = 5000;

const fmt = (v, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Number(v).toFixed(digits));
const css = (el, name) => getComputedStyle(el).getPropertyValue(name).trim();

const TEMPLATE = `
<link rel="stylesheet" href="${STYLESHEET}">
<div class="gp">
  <div class="bar" data-part="bar">
    <select data-role="variant" aria-label="GAN variant" disabled></select>
    <button data-role="play" class="primary" disabled>Play</button>
    <span data-part="step-buttons">
      <button data-role="step-d" disabled title="One critic (D) step">Step D</button>
      <button data-role="step-g" disabled title="One generator step">Step G</button>
      <button data-role="step" disabled title="One iteration: n_critic D steps, then a G step">Step</button>
    </span>
    <button data-role="reset" disabled>Reset</button>
    <label class="inline">Speed <select data-role="speed"></select></label>
    <div class="knobs" data-role="knobs"></div>
  </div>
  <div data-part="status"><div class="row offer" data-role="offer" role="status" hidden><span data-role="offer-text"></span><button data-role="resume" class="primary">Resume</button><button data-role="fresh">Start fresh</button></div></div>
  <div class="body">
    <section class="settings" data-part="settings">
      <label class="field wide">Data <select data-role="dataset" disabled></select></label>
      <input type="file" data-role="images" accept="image/*" multiple hidden>
      <canvas class="strip-canvas" data-role="your-images" hidden aria-label="The first of your images, as the generator sees them"></canvas>
      <label class="field wide">Preset <select data-role="preset"><option value="">Choose…</option></select></label>
      <p class="schedule" data-role="schedule"></p>
      <div class="fields" data-role="fields"></div>
      <div class="row" data-part="files">
        <button data-role="save" disabled title="G, the critic and the run's settings as one .safetensors file">Download weights</button>
        <button data-role="save-run" disabled title="The whole run (weights, optimiser state, data order, charts) to resume elsewhere: Load weights here, or gan train --resume">Download run</button>
        <label class="button">Load weights…<input type="file" data-role="load" accept=".safetensors" hidden disabled></label>
      </div>
      <div class="row" data-role="link-row" hidden><button data-role="copy-link">Copy link</button></div>
      <p class="backend">Backend: <span data-role="backend">starting…</span></p>
      <p class="backend" data-role="saved" hidden></p>
    </section>
    <section class="samples" data-part="samples">
      <h3 data-role="samples-title">Samples from a fixed z</h3>
      <canvas data-role="samples" class="grid" width="233" height="233" aria-label="Grid of generated samples"></canvas>
      <canvas data-role="plane" class="plane" width="320" height="320" hidden aria-label="The plane: real and generated points, the critic's opinion and the generator's warped latent grid"></canvas>
      <p class="legend" data-role="plane-legend" hidden><span class="swatch real"></span>real <span class="swatch fake"></span>generated; lines: the grid of z as G bends it; background: D's opinion, <span class="swatch more"></span>more real, <span class="swatch less"></span>less real.</p>
      <div class="row" data-role="draw-tools" hidden><button data-role="use-drawing" class="primary" disabled>Train on this drawing</button><button data-role="clear-drawing">Clear</button></div>
      <div class="row" data-part="latent-tools"><button data-role="new-z">New z</button>
        <label class="inline">Click a sample to <select data-role="click-mode">
          <option value="pin">pin it</option><option value="a">add it to a</option><option value="b">add it to b</option><option value="c">add it to c</option>
        </select></label></div>
    </section>
    <section class="charts" data-part="charts">
      <dl class="stats">
        <div><dt>Step</dt><dd data-role="stat-step">0</dd></div>
        <div><dt>Steps/s</dt><dd data-role="stat-rate">–</dd></div>
        <div><dt>D loss</dt><dd data-role="stat-d">–</dd></div>
        <div><dt>G loss</dt><dd data-role="stat-g">–</dd></div>
      </dl>
      <dl class="stats" data-role="variant-stats"></dl>
      <canvas class="chart" data-role="chart-losses" aria-label="D and G loss over steps"></canvas>
      <div data-role="readout-charts"></div>
      <canvas class="chart small" data-role="chart-rate" aria-label="Steps per second"></canvas>
      <div data-part="scores">
        <h3>Scores <button data-role="score-now" disabled title="FID-style distance and KID of 500 samples against 500 real images, on the MNIST classifier's features; on triangles also precision and recall">Score now</button>
          <label class="inline">every <select data-role="score-every"><option value="0">—</option><option value="100">100 steps</option><option value="500">500 steps</option><option value="2000">2,000 steps</option></select></label></h3>
        <dl class="stats" data-role="score-stats"></dl>
        <canvas class="chart small" data-role="chart-scores" hidden aria-label="FID-style distance over steps"></canvas>
        <canvas class="chart small" data-role="chart-precision" hidden aria-label="Precision and recall on triangles over steps"></canvas>
        <canvas class="chart small" data-role="classes" hidden aria-label="Predicted digit classes of the samples"></canvas>
        <p class="legend" data-role="classes-legend" hidden>Classes 0–9 the classifier sees in the samples: a lopsided histogram is mode collapse.</p>
      </div>
      <div data-part="histogram">
        <h3>Critic weights</h3>
        <canvas class="chart small" data-role="histogram" aria-label="Histogram of the critic's convolution weights"></canvas>
        <p class="legend" data-role="histogram-range"></p>
      </div>
    </section>
    <section class="latent" data-part="latent">
      <h3>Pinned samples</h3>
      <div class="strip" data-role="pins"><p class="hint">Click samples in the grid to pin them.</p></div>
      <h3>Interpolation from the first pin to the second
        <label class="inline"><select data-role="interp-mode"><option value="slerp">spherical</option><option value="lerp">linear</option></select></label></h3>
      <canvas class="strip-canvas" data-role="interpolation" aria-label="Interpolation between two pinned samples"></canvas>
      <h3>Vector arithmetic: mean(a) − mean(b) + mean(c) <button data-role="clear-groups">Clear</button></h3>
      <div class="arith" data-role="arith"><p class="hint">Choose "add it to a" above, click samples, then b and c.</p></div>
    </section>
  </div>
  <div data-part="status"><p class="message" data-role="message" role="status" hidden></p><button data-role="reload" hidden>Reload the page</button></div>
</div>`;

/** Attribute names are settings in state.js, with dashes for underscores. */
function attributePairs(el) {
  const pairs = [];
  for (const { name, value } of el.attributes) {
    const key = name.replaceAll('-', '_');
    if (['controls', 'hide', 'autoplay', 'autosave', 'resume', 'hash', 'class', 'style', 'id', 'title', 'slot'].includes(key) || key.startsWith('data_') || key.startsWith('aria_')) continue;
    pairs.push([key, key === 'pretrained' && value === '' ? '1' : value]);
  }
  return pairs;
}

export class GanPlayground extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.history = [];
    this.progress = { step: 0, dLoss: null, gLoss: null, values: {}, samplesStep: null, running: false };
    this.sessionShown = 0;
    this.pins = [];
    this.groups = { a: [], b: [], c: [] };
    this.gridZ = null;
    this.nz = 100;
  }

  connectedCallback() {
    if (this.$) return;
    this.shadowRoot.innerHTML = TEMPLATE;
    this.$ = (role) => this.shadowRoot.querySelector(`[data-role="${role}"]`);
    const hidden = new Set([...(HIDDEN_BY_CONTROLS[this.getAttribute('controls') ?? 'full'] ?? []), ...(this.getAttribute('hide') ?? '').split(',').map((s) => s.trim())]);
    this.hiddenParts = hidden;
    for (const part of [...PARTS, 'step-buttons', 'latent-tools']) {
      const hide = hidden.has(part) || (part === 'latent-tools' && hidden.has('latent'));
      for (const el of this.shadowRoot.querySelectorAll(`[data-part="${part}"]`)) el.hidden = hide;
    }
    this.$('speed').replaceChildren(...Object.entries(SPEEDS).map(([v, t]) => new Option(t, v)));
    for (const [id, p] of Object.entries(PRESETS)) this.$('preset').append(new Option(p.title, id));
    this.wire();
    // A widget far down an article allocates nothing until it comes near the screen; the page's own
    // element (hash) and `eager` ones start at once.
    if (this.hasAttribute('hash') || this.hasAttribute('eager')) this.boot();
    else {
      this.lazy = new IntersectionObserver(([entry]) => {
        if (!entry.isIntersecting) return;
        this.lazy.disconnect();
        this.boot();
      }, { rootMargin: '300px' });
      this.lazy.observe(this);
    }
  }

  disconnectedCallback() {
    // Moving the element keeps its run; only a removal that lasts frees it.
    queueMicrotask(() => {
      this.lazy?.disconnect();
      if (!this.isConnected && this.run) {
        this.observer?.disconnect();
        this.run.close();
        this.run = null;
      }
    });
  }

  /** The settings from the URL (hash, then query, for the page's element) and the attributes. */
  initialState() {
    const { defaults } = this.settings;
    const base = this.hasAttribute('hash') ? defaults : { ...defaults, pretrained: false };
    const pairs = [...attributePairs(this)];
    if (this.hasAttribute('hash')) {
      pairs.push(...new URLSearchParams(location.search), ...new URLSearchParams(location.hash.slice(1)));
    }
    // Page-level keys of the query that are not settings.
    const pagePairs = pairs.filter(([k]) => k !== 'weights');
    const parsed = this.settings.parseState(pagePairs, base);
    // ?weights= is relative to the page (the worker would resolve it against its own URL).
    const weights = this.hasAttribute('hash') && new URLSearchParams(location.search).get('weights');
    if (weights) this.weightsUrl = new URL(weights, location.href).href;
    return parsed;
  }

  async boot() {
    const query = new URLSearchParams(location.search);
    // One engine per page: the first element's backend wins: its attribute, else the link's
    // (the page's element reads the hash first, as for every setting; then the query).
    const linked = (this.hasAttribute('hash') && new URLSearchParams(location.hash.slice(1)).get('backend')) || query.get('backend');
    const engine = getEngine(this.getAttribute('backend') ?? (linked === 'cpu' ? 'cpu' : 'webgpu'));
    // The run opens as soon as the schema is known: a pretrained one shows its samples (drawn
    // by the small CPU module) while the full module, WebGPU and the data still load.
    let info;
    try {
      this.schema = await engine.schema();
      this.settings = settingsFor(this.schema);
      this.variants = this.schema.variants;
      const { state, notes } = this.initialState();
      this.state = state;
      if (notes.length) this.showMessage(`Ignored from the link: ${notes.join('; ')}.`, 'note');
      this.$('variant').replaceChildren(...this.variants.map(({ id, title }) => new Option(title, id)));
      this.$('dataset').replaceChildren(...[['images', 'Images'], ['points', '2-D points']].map(([kind, label]) => {
        const group = document.createElement('optgroup');
        group.label = label;
        group.append(...this.schema.datasets.filter((d) => d.kind === kind).map((d) => new Option(d.label, d.id)));
        return group;
      }));
      this.$('speed').value = state.speed;
      // The run's last snapshot, if this widget saved one: resumed at once where the page says
      // so (resume="auto"), else offered.
      const key = this.getAttribute('autosave') === 'off' ? null : snapshotKey(location.pathname, this.place());
      const saved = key && !this.weightsUrl ? await describeSnapshot(key) : null;
      const resume = Boolean(saved) && this.getAttribute('resume') === 'auto';
      // While the offer waits for an answer, this run saves nothing (it would replace the
      // snapshot on offer).
      const owned = !saved || resume ? key : null;
      this.run = engine.open(
        { config: this.settings.configOf(state), pretrained: state.pretrained && !resume, weights: this.weightsUrl ?? undefined, key: owned, resume },
        (msg) => this.onMessage(msg),
      );
      if (saved && !resume) this.offerResume(key, saved);
      if (key) {
        // A page about to go away (reload, closed tab, another app in front) saves its runs.
        addEventListener('pagehide', () => this.snapshot());
        document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && this.snapshot());
      }
      this.run.send({ type: 'speed', stepsPerSec: state.speed === 'max' ? Infinity : Number(state.speed) });
      for (const [msg, transfer] of this.early?.splice(0) ?? []) this.run.send(msg, transfer);
      info = await engine.ready();
    } catch (e) {
      this.showMessage(e.message, 'error');
      this.$('backend').textContent = 'not available';
      return;
    }
    this.showBackend(info.backend);
    if (info.backend.fallbackReason) this.showMessage(`WebGPU is not available, so training runs on the CPU and will be slow: ${info.backend.fallbackReason}.`);
    this.dispatchEvent(new CustomEvent('gan-ready', { detail: { backend: info.backend } }));
  }

  showBackend(b) {
    this.$('backend').textContent = b.kind === 'webgpu' || !b.fallbackReason ? b.name : `CPU fallback (${b.fallbackReason})`;
    this.$('backend').dataset.kind = b.kind;
  }

  /** Where this widget is on its page, for its snapshots: its id, else its place among the
   * page's widgets (inside a <gan-compare>, that element's place and the widget's). */
  place() {
    if (this.id) return this.id;
    const host = this.getRootNode().host;
    const index = (root, el) => [...root.querySelectorAll(el.localName)].indexOf(el);
    return host ? `${index(document, host)}.${index(this.getRootNode(), this)}` : String(index(document, this));
  }

  titleOf(variant) {
    return this.variants?.find((v) => v.id === variant)?.title ?? variant;
  }

  // "Resume NS-GAN at step 1,240 (saved 14:02)": the offer stays until answered or the run is
  // replaced; starting afresh forgets the snapshots.
  offerResume(key, saved) {
    const time = new Date(saved.savedAt).toLocaleString('en-GB', { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' });
    this.$('offer-text').textContent = `Resume ${this.titleOf(saved.variant)} at step ${saved.step.toLocaleString('en')} (saved ${time})?`;
    this.$('offer').hidden = false;
    this.$('resume').onclick = () => {
      this.$('offer').hidden = true;
      this.showMessage('Resuming the saved run…');
      this.send({ type: 'resume', key });
    };
    this.$('fresh').onclick = async () => {
      this.$('offer').hidden = true;
      await dropSnapshots(key);
      this.send({ type: 'autosave', key });
    };
  }

  /** Saves the run in the browser now (it also saves every few seconds of training, on Pause
   * and when the page is hidden). */
  snapshot() {
    this.send({ type: 'snapshot' });
  }

  // Trains while on screen, so that an article full of widgets only trains the ones being read.
  // Pressing Play or Pause takes over from then on.
  autoplay() {
    this.observer = new IntersectionObserver(([entry]) => {
      if (this.userControlled) return;
      entry.isIntersecting ? this.start() : this.pause();
    });
    this.observer.observe(this);
    this.$('play').addEventListener('click', () => (this.userControlled = true), { once: true });
  }

  // Calls made before the run is open (an embedding page's el.start() right after it inserts the
  // element, or on a widget not yet scrolled near) are kept, in order, until it is.
  send(msg, transfer) {
    if (this.run) this.run.send(msg, transfer);
    else (this.early ??= []).push([msg, transfer]);
  }

  start() { this.send({ type: 'start' }); }
  pause() { this.send({ type: 'pause' }); }
  step(part = 'both') { this.send({ type: 'step', part }); }

  /** Starts a new run from the current state with `changes` applied (a fresh network). */
  reset(changes = {}) {
    if (!this.state) return;
    const variantChanged = changes.variant && changes.variant !== this.state.variant;
    this.state = { ...this.state, ...(variantChanged && { knobs: {} }), ...changes, pretrained: false };
    this.showMessage(null);
    this.send({ type: 'reset', config: this.settings.configOf(this.state) });
    this.pins = [];
    this.groups = { a: [], b: [], c: [] };
    this.renderLatent();
  }

  showMessage(text, kind = 'info') {
    const m = this.$('message');
    m.hidden = !text;
    m.textContent = text ?? '';
    m.className = `message ${kind}`;
  }

  setControlsEnabled(enabled) {
    for (const role of ['play', 'step-d', 'step-g', 'step', 'reset', 'variant', 'dataset', 'save', 'save-run', 'load', 'score-now']) this.$(role).disabled = !enabled;
  }

  wire() {
    const on = (role, type, fn) => this.$(role).addEventListener(type, fn);
    on('play', 'click', () => (this.progress.running ? this.pause() : this.start()));
    on('step', 'click', () => this.step('both'));
    on('step-d', 'click', () => this.step('d'));
    on('step-g', 'click', () => this.step('g'));
    on('reset', 'click', () => this.reset());
    on('variant', 'change', () => this.reset({ variant: this.$('variant').value, lr: null, beta1: null, beta2: null, n_critic: null }));
    on('dataset', 'change', () => {
      const chosen = this.$('dataset').value;
      // Your images: the select shows the run's data until the files are read.
      this.$('dataset').value = this.state.dataset;
      if (chosen === 'images') this.$('images').click();
      else if (chosen === 'drawing') this.startDrawing();
      else this.reset({ dataset: chosen });
    });
    on('images', 'change', () => {
      this.loadImages(this.$('images').files);
      this.$('images').value = '';
    });
    on('speed', 'change', () => {
      this.state.speed = this.$('speed').value;
      this.send({ type: 'speed', stepsPerSec: this.state.speed === 'max' ? Infinity : Number(this.state.speed) });
      this.writeHash();
    });
    on('preset', 'change', () => {
      const preset = PRESETS[this.$('preset').value];
      this.$('preset').value = '';
      if (preset) this.reset(structuredClone(preset.values));
    });
    on('save', 'click', () => {
      this.$('save').disabled = true;
      this.send({ type: 'save' });
    });
    on('save-run', 'click', () => {
      this.$('save-run').disabled = true;
      this.send({ type: 'save', whole: true });
    });
    on('load', 'change', () => {
      this.loadFile(this.$('load').files[0]);
      this.$('load').value = '';
    });
    this.addEventListener('dragover', (e) => e.preventDefault());
    this.addEventListener('drop', async (e) => {
      e.preventDefault();
      if (this.$('load').disabled) return;
      // Images (or folders of them) become the training data; a single other file is taken for a
      // weights file.
      const files = await droppedFiles(e.dataTransfer);
      const images = files.filter(isImageFile);
      if (images.length) this.loadImages(images, files.stopped);
      else if (files.length === 1 && !this.$('load').closest('[hidden]')) this.loadFile(files[0]);
    });
    on('copy-link', 'click', async () => {
      try {
        await navigator.clipboard.writeText(location.href);
        this.showMessage('Link copied: it reopens this setup, seed included.');
      } catch {
        this.showMessage(`Copy this link: ${location.href}`);
      }
    });
    on('new-z', 'click', () => {
      const z = gaussians(this.gridSize ?? 64, this.nz, (Math.random() * 2 ** 32) >>> 0).flat();
      this.gridZ = z;
      this.send({ type: 'setLatent', z: new Float32Array(z) });
    });
    on('samples', 'click', (e) => this.clickSample(e));
    this.wireDrawing();
    on('score-now', 'click', () => {
      this.$('score-now').disabled = true;
      this.send({ type: 'score', now: true });
    });
    on('score-every', 'change', () => this.send({ type: 'score', every: Number(this.$('score-every').value) }));
    on('interp-mode', 'change', () => this.renderLatent());
    on('clear-groups', 'click', () => {
      this.groups = { a: [], b: [], c: [] };
      this.renderLatent();
    });
    if (this.hasAttribute('hash')) {
      this.$('link-row').hidden = false;
      window.addEventListener('hashchange', () => this.applyHash());
    }
  }

  /** A hash edited by hand (or a pasted link) resets the run to its state. */
  applyHash() {
    if (!this.variants || location.hash.slice(1) === this.writtenHash) return;
    const { state, notes } = this.settings.parseState(new URLSearchParams(location.hash.slice(1)), { ...this.settings.defaults, speed: this.state.speed });
    if (notes.length) this.showMessage(`Ignored from the link: ${notes.join('; ')}.`, 'note');
    this.$('speed').value = state.speed;
    this.reset(state);
  }

  writeHash() {
    if (!this.hasAttribute('hash') || !this.state) return;
    this.writtenHash = this.settings.serializeState(this.state);
    history.replaceState(null, '', `${location.pathname}${location.search}#${this.writtenHash}`);
  }

  // The user's images as this run's data (read here, in the page; nothing is uploaded).
  // `stopped`: why a dropped folder was not read to its end (droppedFiles), said with the rest.
  async loadImages(files, stopped = files?.stopped) {
    if (!files?.length) return;
    this.showMessage(`Reading ${files.length} image${files.length === 1 ? '' : 's'}…`);
    try {
      const { bytes, count, channels, skipped, reasons, truncated } = await imagesToDataset(files);
      // What the generator will learn from: the first 16, at 28×28.
      const shown = Math.min(count, 16);
      const preview = Float32Array.from(bytes.subarray(20, 20 + shown * channels * 784), (v) => v / 127.5 - 1);
      drawGrid(this.$('your-images'), preview, [shown, channels, 28, 28]);
      this.send({ type: 'data', dataset: 'images', bytes }, [bytes.buffer]);
      const notes = [
        skipped.length && `${skipped.length} file${skipped.length === 1 ? '' : 's'} left out (${refusals(skipped, reasons)})`,
        truncated && `only the first ${MAX_IMAGES.toLocaleString('en')} are used`,
        walkNote(stopped),
      ].filter(Boolean);
      const look = channels === 3 ? 'in colour (RGB; the FID-style scores, made for grey digits, are off for colour)' : 'in grey (light backgrounds inverted)';
      this.showMessage(`Training data: your ${count} image${count === 1 ? '' : 's'}, the centre square of each at 28×28 ${look}.${notes.length ? ` ${notes.join('; ')}.` : ''} They stay in this browser.`, 'note');
    } catch (e) {
      const cut = walkNote(stopped);
      this.showMessage(`Your images could not be used: ${e.message}${cut ? `; ${cut}` : ''}. The run is unchanged.`, 'error');
    }
  }

  // "Draw your own": the plane takes the pointer; the points become a dataset file once asked.
  startDrawing() {
    this.drawing ??= [];
    this.drawMode = true;
    this.renderMode();
    this.drawDrawing();
    this.showMessage(`Drag on the plane to draw where the data should be (at least ${MIN_DRAWN_POINTS} points), then press "Train on this drawing".`, 'note');
  }

  wireDrawing() {
    const plane = this.$('plane');
    let down = false;
    const add = (e) => {
      const rect = plane.getBoundingClientRect();
      const [x, y] = fromCanvas(plane, ((e.clientX - rect.left) * plane.width) / rect.width, ((e.clientY - rect.top) * plane.height) / rect.height);
      // A brush: a few points scattered around the pointer, as a spray can.
      for (let k = 0; k < 3 && this.drawing.length < 2 * MAX_DRAWN_POINTS; k++) {
        const [dx, dy] = gaussians(1, 2, (Math.random() * 2 ** 32) >>> 0)[0];
        this.drawing.push(Math.max(-1, Math.min(1, x + 0.03 * dx)), Math.max(-1, Math.min(1, y + 0.03 * dy)));
      }
      this.drawDrawing();
    };
    plane.addEventListener('pointerdown', (e) => {
      if (!this.drawMode) return;
      down = true;
      plane.setPointerCapture?.(e.pointerId);
      add(e);
    });
    plane.addEventListener('pointermove', (e) => down && this.drawMode && add(e));
    plane.addEventListener('pointerup', () => (down = false));
    this.$('clear-drawing').addEventListener('click', () => {
      this.drawing = [];
      this.drawDrawing();
    });
    this.$('use-drawing').addEventListener('click', () => {
      const bytes = pointsToDataset(this.drawing);
      this.drawMode = false;
      this.send({ type: 'data', dataset: 'drawing', bytes }, [bytes.buffer]);
      this.showMessage(`Training data: your drawing, ${this.drawing.length / 2} points. It stays in this browser.`, 'note');
    });
  }

  drawDrawing() {
    drawPlane(this.$('plane'), { drawn: this.drawing });
    this.$('use-drawing').disabled = this.drawing.length / 2 < MIN_DRAWN_POINTS;
    this.$('plane').dataset.drawn = this.drawing.length / 2;
  }

  // Images or points: which views the run's data has.
  renderMode() {
    const points = this.settings.isPoints(this.state.dataset) || this.drawMode;
    const userHidden = (part) => this.hiddenParts.has(part);
    this.$('samples').hidden = points;
    this.$('plane').hidden = !points;
    this.$('plane-legend').hidden = !points || this.drawMode;
    this.$('draw-tools').hidden = !this.drawMode;
    this.$('plane').classList.toggle('drawing', !!this.drawMode);
    this.$('samples-title').textContent = this.drawMode ? 'Draw the data' : points ? 'The plane' : 'Samples from a fixed z';
    // The scores' classifier reads grey digits: no scores for points or colour images.
    const off = { latent: points, 'latent-tools': points, scores: points || this.channels === 3 };
    for (const part of Object.keys(off)) {
      for (const el of this.shadowRoot.querySelectorAll(`[data-part="${part}"]`)) el.hidden = userHidden(part) || (part === 'latent-tools' && userHidden('latent')) || off[part];
    }
  }

  loadFile(file) {
    if (!file) return;
    // The worker checks the file's size and header before it reads the rest (a File is a handle:
    // nothing is read here).
    this.showMessage(`Loading ${file.name}…`);
    this.send({ type: 'load', file, name: file.name });
  }

  onMessage(msg) {
    switch (msg.type) {
      case 'config':
        this.state = this.settings.stateOfConfig(msg.config, this.state);
        this.nz = msg.config.model.nz;
        this.channels = msg.config.model.channels ?? 1;
        this.renderConfig(msg.schedule);
        this.writeHash();
        this.setControlsEnabled(true);
        this.$('load').disabled = false;
        this.send({ type: 'latent' });
        if (this.hasAttribute('autoplay') && !this.observer) this.autoplay();
        this.dispatchEvent(new CustomEvent('gan-config', { detail: { state: this.state } }));
        break;
      case 'progress':
        this.onProgress(msg);
        break;
      case 'score':
        this.onScore(msg);
        break;
      case 'state':
        this.progress.running = msg.running;
        this.$('play').textContent = msg.running ? 'Pause' : 'Play';
        for (const role of ['step-d', 'step-g', 'step']) this.$(role).disabled = msg.running;
        break;
      case 'latent':
        this.gridZ = Array.from(msg.z);
        this.gridSize = msg.z.length / msg.nz;
        break;
      case 'generated':
        if (msg.tag === this.latentTag) this.drawLatent(msg.samples, msg.shape);
        break;
      case 'weights': {
        const url = URL.createObjectURL(new Blob([msg.bytes], { type: 'application/octet-stream' }));
        const a = Object.assign(document.createElement('a'), { href: url, download: msg.name });
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
        this.$('save').disabled = false;
        this.$('save-run').disabled = false;
        break;
      }
      case 'loaded': {
        const m = msg.metadata ?? {};
        const parts = [msg.generator && 'generator', msg.critic && 'critic'].filter(Boolean).join(' and ');
        const about = m.variant ? ` (${m.variant}, ${m.steps ?? '?'} steps on ${m.dataset ?? '?'})` : '';
        if (msg.recovering) this.showMessage(`${msg.recovering}; resumed ${this.titleOf(m.variant)} from step ${Number(m.steps).toLocaleString('en')}, its last snapshot.`, 'note');
        else if (msg.resumed) this.showMessage(`Resumed ${this.titleOf(m.variant)} at step ${Number(m.steps).toLocaleString('en')} from ${msg.name}: weights, optimiser, data order and charts, exactly where it stopped.`, 'note');
        else this.showMessage(`Loaded the ${parts} from ${msg.name}${about}${m.config ? ' (weights only: the optimiser and the data order start afresh)' : ''}.`);
        this.$('samples').dataset.loaded = msg.name;
        // The charts of a resumed run come with it; they are drawn from its first read-out on.
        this.loadedHistory = { points: msg.history ?? [], scores: msg.scores ?? [] };
        this.$('offer').hidden = true;
        break;
      }
      case 'snapshot': {
        const time = new Date(msg.savedAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
        this.$('saved').textContent = `Saved in this browser at step ${msg.step.toLocaleString('en')}, ${time}`;
        this.$('saved').hidden = false;
        this.dataset.savedStep = msg.step;
        if (!this.askedPersistence) this.askedPersistence = askPersistence();
        break;
      }
      case 'snapshot-failed':
        this.showMessage(`This run could not be saved in the browser (${msg.message}); training goes on.`, 'note');
        break;
      case 'sampling':
        // A generator the page cannot train (e.g. dcgan64): its samples only, until Reset.
        this.showMessage(`Showing samples of the ${msg.model} generator in ${msg.name} (${msg.image.join('×')} images). It is too big to train here: Reset goes back to training.`);
        for (const role of ['play', 'step-d', 'step-g', 'step', 'save', 'save-run']) this.$(role).disabled = true;
        break;
      case 'preview':
        // The pretrained grid, drawn before the run opened; the run's first read-out redraws it.
        drawGrid(this.$('samples'), msg.samples, msg.shape);
        this.$('samples').dataset.preview = 'true';
        // The steps the file was trained for (the run's first read-out says the same).
        this.$('stat-step').textContent = Number.isSafeInteger(msg.step) ? msg.step : '–';
        this.showMessage('Samples of a generator trained beforehand. Training starts once the training module has loaded…', 'note');
        break;
      case 'samples':
        drawGrid(this.$('samples'), msg.samples, msg.shape);
        this.$('samples').dataset.model = msg.shape.slice(1).join('x');
        break;
      case 'error':
        this.showMessage(msg.message, 'error');
        this.$('save').disabled = false;
        this.$('save-run').disabled = false;
        if (msg.diverged) {
          // Training on NaN weights is pointless: only Reset helps.
          for (const role of ['play', 'step-d', 'step-g', 'step']) this.$(role).disabled = true;
        }
        break;
      case 'backend':
        // The device of a new worker, after a failure (WebGPU again, or the CPU and why).
        this.showBackend(msg.backend);
        break;
      case 'restarting':
        // A new worker takes over; the run comes back from its last snapshot ('loaded').
        this.showMessage(`${msg.reason} (${msg.detail}). Restoring the run from its last snapshot…`, 'error');
        this.setControlsEnabled(false);
        this.$('offer').hidden = true;
        this.progress.running = false;
        this.$('play').textContent = 'Play';
        this.$('backend').textContent = 'starting again…';
        break;
      case 'fatal':
        this.showMessage(msg.message, 'error');
        this.$('backend').textContent = 'not available';
        this.setControlsEnabled(false);
        if (msg.reload) {
          this.$('reload').hidden = false;
          this.$('reload').onclick = () => location.reload();
        }
        break;
    }
  }

  onProgress(msg) {
    if (msg.session < this.sessionShown) return; // progress of a run replaced by Reset
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
      for (const score of restored?.scores ?? []) this.onScore({ ...score, session: msg.session });
    }
    Object.assign(this.progress, { step: msg.step, dLoss: msg.dLoss, gLoss: msg.gLoss, values: msg.values ?? {} });
    this.$('stat-step').textContent = msg.step;
    this.$('stat-d').textContent = fmt(msg.dLoss);
    this.$('stat-g').textContent = fmt(msg.gLoss);
    this.$('stat-rate').textContent = msg.stepsPerSec ? fmt(msg.stepsPerSec, msg.stepsPerSec < 10 ? 2 : 0) : '–';
    this.showValues(msg.values);
    if (msg.histogram) this.drawHistogram(msg.histogram);
    if (msg.plane) {
      if (!this.drawMode) drawPlane(this.$('plane'), { ...msg.plane, fake: msg.samples });
      this.$('plane').dataset.step = msg.step;
    }
    if (msg.samples) {
      if (!msg.plane) drawGrid(this.$('samples'), msg.samples, msg.shape);
      this.$('samples').dataset.step = msg.step;
      delete this.$('samples').dataset.preview;
      this.progress.samplesStep = msg.step;
      this.refreshLatentSoon();
    }
    const last = this.history.at(-1);
    const point = { step: msg.step, d: msg.dLoss, g: msg.gLoss, rate: msg.stepsPerSec, ...msg.values };
    // A D-only or G-only step keeps the iteration count: the newest point replaces the last.
    if (last && last.step === msg.step) this.history[this.history.length - 1] = point;
    else this.history.push(point);
    if (this.history.length > HISTORY_POINTS) this.history.splice(0, this.history.length - HISTORY_POINTS);
    this.drawChartsSoon();
    this.dispatchEvent(new CustomEvent('gan-progress', { detail: { ...this.progress } }));
  }

  onScore(msg) {
    this.$('score-now').disabled = false;
    if (msg.session !== this.sessionShown) return;
    this.scores ??= [];
    this.scores.push({ step: msg.step, fid: msg.fid, kid: msg.kid, triangles: msg.triangles });
    this.lastScore = msg;
    const box = this.$('score-stats');
    box.innerHTML = `<div><dt>FID-style</dt><dd data-name="fid">${fmt(msg.fid, 1)}</dd></div><div><dt>KID</dt><dd data-name="kid">${fmt(msg.kid, 1)}</dd></div>`;
    const t = msg.triangles;
    if (t) {
      // Precision/recall on the triangle manifold (crate/score.rs): tolerance = a one-pixel shift.
      const tip = `within ${fmt(t.threshold, 3)} RMS of a true triangle (a triangle moved by one pixel is that far from itself); precision over ${t.n} samples, recall over ${t.m} held-out triangles found by latent inversion`;
      box.insertAdjacentHTML('beforeend', ['precision', 'recall', 'f1'].map((k) => `<div title="${tip}"><dt>${k === 'f1' ? 'F1' : k[0].toUpperCase() + k.slice(1)}</dt><dd data-name="${k}">${fmt(t[k], 2)}</dd></div>`).join(''));
    }
    const chart = this.$('chart-scores');
    chart.hidden = this.scores.length < 2;
    if (!chart.hidden) drawChart(chart, [{ name: 'FID-style', color: css(this, '--d') || '#d9480f', points: this.scores.map((p) => [p.step, p.fid]) }], { title: 'FID-style distance (lower is closer to the data)' });
    const rated = this.scores.filter((p) => p.triangles);
    const prChart = this.$('chart-precision');
    prChart.hidden = rated.length < 2;
    if (!prChart.hidden) {
      drawChart(prChart, [
        { name: 'precision', color: css(this, '--d') || '#d9480f', points: rated.map((p) => [p.step, p.triangles.precision]) },
        { name: 'recall', color: css(this, '--g') || '#1971c2', points: rated.map((p) => [p.step, p.triangles.recall]) },
      ], { title: 'Triangles: precision and recall' });
    }
    const digits = this.state.dataset === 'mnist';
    this.$('classes').hidden = !digits;
    this.$('classes-legend').hidden = !digits;
    if (digits) drawBars(this.$('classes'), msg.classes, css(this, '--g') || '#1971c2');
    this.dispatchEvent(new CustomEvent('gan-score', { detail: msg }));
  }

  renderConfig(schedule) {
    const s = this.state;
    this.$('variant').value = s.variant;
    this.$('dataset').value = s.dataset;
    this.$('your-images').hidden = s.dataset !== 'images';
    if (s.dataset === 'drawing' || !this.settings.isPoints(s.dataset)) this.drawMode = false;
    this.renderMode();
    const n = (v) => +Number(v).toPrecision(6); // f32 settings print as 0.9, not 0.8999999761581421
    const opt = schedule.kind === 'adam'
      ? `Adam(lr ${n(schedule.learning_rate)}, β = (${n(schedule.beta1)}, ${n(schedule.beta2)}))`
      : `RMSProp(lr ${n(schedule.learning_rate)})`;
    this.$('schedule').textContent = `${opt}, ${schedule.nCritic} critic step${schedule.nCritic > 1 ? 's' : ''} per G step`;
    this.schedule = schedule;
    this.renderKnobs();
    this.renderFields(schedule);
  }

  // One slider per setting of the current variant (BEGAN's γ, WGAN's c, the penalties' λ); a change
  // applies from the next step without a reset.
  renderKnobs() {
    const knobs = this.variants.find((v) => v.id === this.state.variant)?.knobs ?? [];
    this.$('knobs').replaceChildren(...knobs.map((knob) => {
      const value = this.state.knobs?.[knob.name] ?? knob.value;
      const label = document.createElement('label');
      label.className = 'knob';
      // A power of ten, so that round values (the defaults among them) lie on the slider's grid.
      const step = 10 ** Math.floor(Math.log10((knob.max - knob.min) / 100));
      label.innerHTML = `<span>${knob.label}</span><input type="range" min="${knob.min}" max="${knob.max}" step="${step}" data-knob="${knob.name}"><output></output>`;
      const [input, output] = [label.querySelector('input'), label.querySelector('output')];
      input.value = value;
      output.textContent = +Number(value).toPrecision(3);
      input.addEventListener('input', () => { output.textContent = +Number(input.value).toPrecision(3); });
      input.addEventListener('change', () => this.send({ type: 'knob', name: knob.name, value: Number(input.value) }));
      return label;
    }));
  }

  // The hyperparameters, as the core's schema lists them; a change starts a fresh run with it (the
  // networks or the optimiser change). Points: MLPs with a 2-D z; their widths are hidden units.
  renderFields(schedule) {
    const s = this.state;
    const points = this.settings.isPoints(s.dataset);
    // The optimiser's values in use (the variant's unless set), under the settings' names.
    const inUse = { lr: schedule.learning_rate, beta1: schedule.beta1, beta2: schedule.beta2, n_critic: schedule.nCritic };
    const rows = this.schema.settings
      .filter((f) => !(f.imagesOnly && points) && !(f.adamOnly && schedule.kind !== 'adam'))
      .map((f) => [f.name, (points && f.pointsLabel) || f.label, f.name in inUse ? inUse[f.name] : s[f.name], f.kind === 'int' ? 1 : 'any']);
    const fields = this.$('fields');
    fields.replaceChildren(...rows.map(([key, label, value, step]) => {
      const f = this.settings.fields[key];
      const el = document.createElement('label');
      el.className = 'field';
      el.innerHTML = `<span>${label}</span><input type="number" data-field="${key}" min="${f.min}" max="${f.max}" step="${step}">`;
      const input = el.querySelector('input');
      input.value = +Number(value).toPrecision(6);
      input.addEventListener('change', () => {
        const v = Number(input.value);
        const ok = input.value !== '' && Number.isFinite(v) && v >= f.min && v <= f.max && (f.kind !== 'int' || Number.isInteger(v));
        if (!ok) {
          this.showMessage(`${label} must be ${f.kind === 'int' ? 'a whole number' : 'a number'} from ${f.min} to ${f.max}.`, 'error');
          input.value = +Number(value).toPrecision(6);
          return;
        }
        this.reset({ [key]: v });
      });
      return el;
    }));
  }

  readoutLabel(name) {
    return this.schema?.readouts.find((r) => r.name === name)?.label ?? name;
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
      dd.textContent = fmt(value);
    }
  }

  drawHistogram({ limit, counts }) {
    if (this.$('histogram').closest('[hidden]')) return;
    drawBars(this.$('histogram'), counts, css(this, '--fg') || '#1d1d1b');
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
      const dColor = css(this, '--d') || '#d9480f';
      const gColor = css(this, '--g') || '#1971c2';
      drawChart(this.$('chart-losses'), [
        { name: 'D loss', color: dColor, points: h.map((p) => [p.step, p.d]) },
        { name: 'G loss', color: gColor, points: h.map((p) => [p.step, p.g]) },
      ], { title: 'Losses' });
      const names = Object.keys(h.at(-1) ?? {}).filter((k) => !['step', 'd', 'g', 'rate'].includes(k));
      const box = this.$('readout-charts');
      if (box.dataset.names !== names.join()) {
        box.dataset.names = names.join();
        box.replaceChildren(...names.map((name) => Object.assign(document.createElement('canvas'), { className: 'chart small', title: name })));
      }
      names.forEach((name, i) => drawChart(box.children[i], [{ name: this.readoutLabel(name), color: gColor, points: h.map((p) => [p.step, p[name]]) }], { title: this.readoutLabel(name) }));
      drawChart(this.$('chart-rate'), [{ name: 'steps/s', color: css(this, '--muted') || '#6b6b66', points: h.map((p) => [p.step, p.rate]) }], { title: 'Steps per second' });
    });
  }

  // --- Latent space: pins, interpolation, arithmetic -------------------------------------------

  clickSample(e) {
    if (!this.gridZ || this.shadowRoot.querySelector('[data-part="latent"]').hidden) return;
    const canvas = this.$('samples');
    const rect = canvas.getBoundingClientRect();
    const tile = 29; // 28 pixels and a 1-pixel gap
    const x = Math.floor(((e.clientX - rect.left) / rect.width) * canvas.width / tile);
    const y = Math.floor(((e.clientY - rect.top) / rect.height) * canvas.height / tile);
    const k = y * 8 + x;
    if (x < 0 || x >= 8 || k >= this.gridSize) return;
    const z = this.gridZ.slice(k * this.nz, (k + 1) * this.nz);
    const mode = this.$('click-mode').value;
    if (mode === 'pin') {
      this.pins.push(z);
      if (this.pins.length > 8) this.pins.shift();
    } else {
      this.groups[mode].push(z);
    }
    this.renderLatent();
  }

  refreshLatentSoon() {
    const now = performance.now();
    if (now - (this.latentAt ?? 0) < 1500) return;
    this.renderLatent();
  }

  // One generate call for every latent view: pins, interpolation frames, the group means and a − b + c.
  renderLatent() {
    if (this.shadowRoot.querySelector('[data-part="latent"]').hidden) return;
    const zs = [...this.pins];
    this.layout = { pins: [0, this.pins.length] };
    if (this.pins.length >= 2) {
      const frames = interpolate(this.pins[0], this.pins[1], INTERPOLATION_FRAMES, this.$('interp-mode').value === 'slerp');
      this.layout.interp = [zs.length, zs.length + frames.length];
      zs.push(...frames);
    }
    const { a, b, c } = this.groups;
    const means = [a, b, c].map((g) => (g.length ? mean(g) : null));
    if (means.some(Boolean)) {
      this.layout.arith = [zs.length, means.map((m) => (m ? zs.push(m) - 1 : -1))];
      if (means.every(Boolean)) this.layout.result = zs.push(arithmetic(...means)) - 1;
    }
    if (!zs.length) {
      this.drawLatent(new Float32Array(0), [0, 1, 28, 28]);
      return;
    }
    this.latentAt = performance.now();
    this.latentTag = (this.latentTag ?? 0) + 1;
    this.send({ type: 'generate', z: new Float32Array(zs.flat()), tag: this.latentTag });
  }

  drawLatent(samples, shape) {
    const per = shape[1] * shape[2] * shape[3];
    const pick = (from, to) => samples.subarray(from * per, to * per);
    const pinBox = this.$('pins');
    if (!this.pins.length) pinBox.innerHTML = '<p class="hint">Click samples in the grid to pin them.</p>';
    else {
      const canvas = pinBox.querySelector('canvas') ?? pinBox.appendChild(document.createElement('canvas'));
      pinBox.querySelector('.hint')?.remove();
      canvas.className = 'strip-canvas';
      drawGrid(canvas, pick(...this.layout.pins), [this.pins.length, ...shape.slice(1)], this.pins.length);
    }
    const interp = this.$('interpolation');
    interp.hidden = !this.layout.interp;
    if (this.layout.interp) drawGrid(interp, pick(...this.layout.interp), [INTERPOLATION_FRAMES, ...shape.slice(1)], INTERPOLATION_FRAMES);
    const arith = this.$('arith');
    if (!this.layout.arith) {
      arith.innerHTML = '<p class="hint">Choose "add it to a" above, click samples, then b and c.</p>';
      return;
    }
    const [, slots] = this.layout.arith;
    const cells = [...'abc'].map((g, i) => [`mean ${g} (${this.groups[g].length})`, slots[i]]);
    cells.push(['a − b + c', this.layout.result ?? -1]);
    arith.replaceChildren(...cells.map(([label, slot], i) => {
      const fig = document.createElement('figure');
      const canvas = document.createElement('canvas');
      canvas.className = 'tile';
      canvas.dataset.slot = String(i);
      if (slot >= 0) drawGrid(canvas, pick(slot, slot + 1), [1, ...shape.slice(1)], 1);
      fig.append(canvas, Object.assign(document.createElement('figcaption'), { textContent: label }));
      return fig;
    }));
  }
}

customElements.define('gan-playground', GanPlayground);
