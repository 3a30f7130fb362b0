// <gan-playground>: the playground as one custom element, for this site's page and for any
// article that embeds it with one script tag:
//
//   <script type="module" src="…/www/gan-playground.js"></script>
//   <gan-playground variant="wgan-gp" pretrained controls="minimal"></gan-playground>
//
// Attributes: variant, dataset (mnist, triangles, or a 2-D point set: ring, grid, spiral, moons),
// pretrained (boolean), weights (a file of this site, relative to the page: the run opens on it,
// as Load weights would; the page's own element reads ?weights=), controls ("full" | "minimal" | "none"),
// hide (comma-separated parts: bar, settings, samples, charts, scores, histogram, latent, files,
// status), show (parts the controls level hides that this one shows, e.g. controls="minimal"
// show="latent"),
// autoplay (boolean: train while on screen, unless the reader prefers reduced motion), hash (boolean: mirror the state in the page's URL
// hash; one element per page), eager (boolean: start before the element comes near the screen),
// and any setting of the core's schema by name (`gan schema` lists them with their ranges, e.g.
// lr, d_lr, batch, g_width), speed, backend, and the variant's knobs such as gamma, clip, lambda.
// Every element on a page shares one worker and one GPU device, and trains its own run.
// Script API: start(until?) (with `until`: train to that step and stop), pause(), reset(partialState?), step('both' | 'd' | 'g'), score(), setKnob(name, value), `state`,
// `progress`, `histogram` (the critic's latest weight histogram: {limit, counts, step});
// events 'gan-ready', 'gan-progress', 'gan-config', 'gan-score'.
//
// This file is the element's controller: its life cycle, its run and the worker's messages. Its
// parts are in www/playground/: the markup (template.js), the settings panel, the data sources
// (images, drawing, files), the read-outs (charts, histogram, scores), the latent tools and the
// saved runs (the widget's folder, the offer to resume), each
// an object that owns its state and calls the element's methods (send, reset, showMessage); and
// the wiring of the controls to them.
import { getEngine } from './lib/engine.js';
import { drawGrid } from './lib/grid.js';
import { DataSources } from './playground/data-sources.js';
import { LatentTools } from './playground/latent-tools.js';
import { Readouts } from './playground/readouts.js';
import { SavedRuns } from './playground/saved-runs.js';
import { SettingsPanel } from './playground/settings-panel.js';
import { HIDDEN_BY_CONTROLS, PARTS, SPEEDS, TEMPLATE } from './playground/template.js';
import { wire } from './playground/wiring.js';
import { snapshotKey } from './lib/snapshots.js';
import { PRESETS, settingsFor, someNotes } from './lib/state.js';

/** A value as a message quotes it: short, whatever it is. */
const formatted = (v) => {
  const text = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

let fallbackNoted = false; // the CPU-fallback note was shown by a widget of this page

/** Attribute names are settings (state.js), with dashes for underscores. */
function attributePairs(el) {
  const pairs = [];
  for (const { name, value } of el.attributes) {
    const key = name.replaceAll('-', '_');
    if (['controls', 'hide', 'show', 'eager', 'autoplay', 'autosave', 'resume', 'hash', 'class', 'style', 'id', 'title', 'slot'].includes(key) || key.startsWith('data_') || key.startsWith('aria_')) continue;
    pairs.push([key, key === 'pretrained' && value === '' ? '1' : value]);
  }
  return pairs;
}

export class GanPlayground extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    /** The part of the element's markup with `data-role=role` (an input, a canvas, a button…).
     * @type {(role: string) => any} */
    this.$ = (role) => this.shadowRoot.querySelector(`[data-role="${role}"]`);
    this.progress = { step: 0, dLoss: null, gLoss: null, values: {}, samplesStep: null, running: false };
    this.nz = 100;
    this.channels = 1;
    /** @type {Array<[object, Transferable[]?]>} calls made before the run opened, in order */
    this.early = [];
    /** @type {Map<number, (value?: any) => void>} settled() calls waiting for the worker */
    this.syncs = new Map();
    this.syncTag = 0;
    this.panel = new SettingsPanel(this);
    this.data = new DataSources(this);
    this.readouts = new Readouts(this);
    this.latent = new LatentTools(this);
    this.saved = new SavedRuns(this);
  }

  // What scripts and tests read of the run, kept by the parts.
  get view() { return this.panel.view; }
  get history() { return this.readouts.history; }
  get scores() { return this.readouts.scores; }
  get lastScore() { return this.readouts.lastScore; }
  get histogram() { return this.readouts.histogram; }
  get coverage() { return this.readouts.coverage; }
  get planeScales() { return this.readouts.planeScales; }
  get pins() { return this.latent.pins; }
  get gridZ() { return this.latent.gridZ; }

  connectedCallback() {
    if (this.wired) return;
    this.wired = true;
    this.shadowRoot.innerHTML = TEMPLATE;
    const list = (name) => (this.getAttribute(name) ?? '').split(',').map((s) => s.trim());
    const shown = list('show');
    const byControls = (HIDDEN_BY_CONTROLS[this.getAttribute('controls') ?? 'full'] ?? []).filter((part) => !shown.includes(part));
    const hidden = new Set([...byControls, ...list('hide')]);
    this.hiddenParts = hidden;
    for (const part of [...PARTS, 'step-buttons', 'latent-tools']) {
      const hide = hidden.has(part) || (part === 'latent-tools' && hidden.has('latent'));
      for (const el of this.shadowRoot.querySelectorAll(`[data-part="${part}"]`)) /** @type {HTMLElement} */ (el).hidden = hide;
    }
    // With the latent tools, the grid's samples can be picked from the keyboard too.
    if (!hidden.has('latent')) this.$('samples').tabIndex = 0;
    this.$('speed').replaceChildren(...Object.entries(SPEEDS).map(([v, t]) => new Option(t, v)));
    for (const [id, p] of Object.entries(PRESETS)) this.$('preset').append(new Option(p.title, id));
    wire(this);
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
    // weights is relative to the page (the worker would resolve it against its own URL).
    const weights = this.getAttribute('weights') ?? (this.hasAttribute('hash') && new URLSearchParams(location.search).get('weights'));
    if (weights) this.weightsUrl = new URL(weights, location.href).href;
    // The run opens on that file, or on the page's pretrained generator: its first 'loaded' says so.
    this.opening = weights ? 'file' : parsed.state.pretrained ? 'pretrained' : null;
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
      this.showLinkNotes(notes);
      this.$('variant').replaceChildren(...this.variants.map(({ id, title }) => new Option(title, id)));
      this.$('dataset').replaceChildren(...[['images', 'Images'], ['points', '2-D points']].map(([kind, label]) => {
        const group = document.createElement('optgroup');
        group.label = label;
        group.append(...this.schema.datasets.filter((d) => d.kind === kind).map((d) => new Option(d.label, d.id)));
        return group;
      }));
      this.$('speed').value = state.speed;
      // The widget's run saves into a folder of its own, held by this tab (another tab of the
      // page trains and saves its own). Its newest saved run that no tab holds is offered, or
      // resumed at once where the page says so (resume="auto"). A figure that opens on a file
      // of the page saves its run too, but offers none.
      const key = this.getAttribute('autosave') === 'off' ? null : snapshotKey(location.pathname, this.place());
      const { offer, resume } = key ? await this.saved.open(key, { offerable: !this.weightsUrl, auto: this.getAttribute('resume') === 'auto' }) : { offer: null, resume: false };
      this.run = engine.open(
        { settings: this.settings.runSettings(state), pretrained: state.pretrained && !resume, weights: this.weightsUrl ?? undefined, key: this.saved.folder, resume },
        (msg) => this.onMessage(msg),
      );
      // Until the run's first config, the controls wait: say for what.
      this.showMessage(this.weightsUrl ? 'Loading the run this figure opens on…' : 'Loading the training module…', 'note');
      this.$('message').dataset.loading = 'true';
      this.saved.offerOnce(offer, resume);
      if (key) {
        // A page about to go away (reload, closed tab, another app in front) saves its runs.
        addEventListener('pagehide', () => this.snapshot());
        document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && this.snapshot());
      }
      this.run.send({ type: 'speed', stepsPerSec: state.speed === 'max' ? Infinity : Number(state.speed) });
      for (const [msg, transfer] of this.early.splice(0)) this.run.send(msg, transfer);
      info = await engine.ready();
    } catch (e) {
      this.showMessage(e.message, 'error');
      this.$('backend').textContent = 'not available';
      return;
    }
    this.showBackend(info.backend);
    // The fallback is the page's, not each widget's: the first widget says it once.
    if (info.backend.fallbackReason && !fallbackNoted) {
      fallbackNoted = true;
      this.showMessage(`WebGPU is not available, so training runs on the CPU and will be slow: ${info.backend.fallbackReason}.`);
    }
    this.dispatchEvent(new CustomEvent('gan-ready', { detail: { backend: info.backend } }));
  }

  showBackend(b) {
    // On the CPU, its threads too: the reader sees whether the page lets it use every core.
    this.$('backend').textContent = b.kind === 'webgpu' || !b.fallbackReason ? b.name : `${b.name}, the fallback: ${b.fallbackReason}`;
    this.$('backend').dataset.kind = b.kind;
  }

  /** Where this widget is on its page, for its snapshots: its id, else its place among the
   * page's widgets (inside a <gan-compare>, that element's place and the widget's). */
  place() {
    if (this.id) return this.id;
    const host = /** @type {ShadowRoot} */ (this.getRootNode()).host;
    const index = (root, el) => [...root.querySelectorAll(el.localName)].indexOf(el);
    return host ? `${index(document, host)}.${index(this.getRootNode(), this)}` : String(index(document, this));
  }

  titleOf(variant) {
    return this.variants?.find((v) => v.id === variant)?.title ?? variant;
  }

  /** Goes on with a saved run (this widget's, or any run listed in Saved runs) in this widget:
   * false, and nothing changed, if another tab holds it. */
  resumeSaved(folder) {
    return this.saved.resume(folder);
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
    else this.early.push([msg, transfer]);
  }

  /** Trains on (to step `until` and stops there, if given; on a running run it moves the stop).
   * False, and nothing sent, for an `until` that is not a step number. */
  start(until) {
    if (until !== undefined && !(Number.isSafeInteger(until) && until > 0)) {
      this.showMessage(`start(until): until must be a whole step number above 0, not ${formatted(until)}.`, 'error');
      return false;
    }
    if (this.$('message').classList.contains('error')) this.showMessage(null);
    this.send({ type: 'start', ...(until !== undefined && { until }) });
    return true;
  }
  pause() { this.send({ type: 'pause' }); }

  /** One step of the critic ('d'), the generator ('g') or both ('both'). */
  step(part = 'both') {
    if (!['both', 'd', 'g'].includes(part)) {
      this.showMessage(`step(part): part must be 'both', 'd' or 'g', not ${formatted(part)}.`, 'error');
      return false;
    }
    this.send({ type: 'step', part });
    return true;
  }

  /** Resolves once the worker has handled every call made before this one (for scripts and tests). */
  settled() {
    const tag = ++this.syncTag;
    return new Promise((resolve) => {
      this.syncs.set(tag, resolve);
      this.send({ type: 'sync', tag });
    });
  }

  /** Sets one of the variant's knobs (BEGAN's γ, WGAN's c) from the next step on, as its slider
   * does; false, and nothing sent, for a knob the variant lacks or a value out of its range. */
  setKnob(name, value) {
    const knob = this.variants?.find((v) => v.id === this.state?.variant)?.knobs.find((k) => k.name === name);
    if (!knob || !Number.isFinite(value) || value < knob.min || value > knob.max) return false;
    this.send({ type: 'knob', name, value });
    return true;
  }
  score() { this.send({ type: 'score', now: true }); }

  /** Proposes a new run: the current state with `changes` applied (a fresh network). Every
   * value is checked here, and the run's settings by the core; the element's state becomes the
   * new run's once the core has built it ('config'). A refusal changes nothing, says why, and
   * returns false. */
  reset(changes = {}) {
    if (!this.state) return false;
    const { state, notes } = this.settings.parseChanges(changes, this.state);
    if (notes.length) {
      this.showMessage(`Reset refused: ${someNotes(notes).join('; ')}.`, 'error');
      if (this.panel.view) this.panel.render();
      return false;
    }
    this.showMessage(null);
    if (state.speed !== this.state.speed) this.setSpeed(state.speed);
    this.send({ type: 'reset', settings: this.settings.runSettings(state) });
    this.latent.clear();
    return true;
  }

  /** How fast the run trains: 'max' or steps per second (one of the speed menu's). */
  setSpeed(speed) {
    this.state.speed = speed;
    this.$('speed').value = speed;
    this.send({ type: 'speed', stepsPerSec: speed === 'max' ? Infinity : Number(speed) });
    this.panel.writeHash();
  }

  showMessage(text, kind = 'info') {
    const m = this.$('message');
    m.hidden = !text;
    m.textContent = text ?? '';
    m.className = `message ${kind}`;
    delete m.dataset.loading;
  }

  /** Notes on what a link asked for and the page ignored: bounded, and kept (apart from the
   * run's messages) until the reader dismisses them. */
  showLinkNotes(notes) {
    const box = this.$('link-notes');
    box.hidden = !notes.length;
    this.$('link-notes-text').textContent = `Ignored from the link: ${someNotes(notes).join('; ')}.`;
    this.$('link-notes-ok').onclick = () => (box.hidden = true);
  }

  setControlsEnabled(enabled) {
    for (const role of ['play', 'step-d', 'step-g', 'step', 'reset', 'variant', 'dataset', 'save', 'save-run', 'load', 'score-now']) this.$(role).disabled = !enabled;
  }

  onMessage(msg) {
    switch (msg.type) {
      case 'config':
        // The run's settings as the core read them back; the page's own stay (and `nz`, which a
        // run on points does not have, stays for image runs).
        this.state = { ...this.state, ...msg.settings };
        this.runConfig = msg.config;
        if (this.$('message').dataset.loading) this.showMessage(null);
        this.nz = msg.config.model.nz;
        this.channels = msg.config.model.channels ?? 1;
        this.panel.render(msg);
        this.panel.writeHash();
        this.setControlsEnabled(true);
        this.$('load').disabled = false;
        // A reader who asked for less motion starts figures with Play.
        if (this.hasAttribute('autoplay') && !this.observer && !matchMedia('(prefers-reduced-motion: reduce)').matches) this.autoplay();
        this.dispatchEvent(new CustomEvent('gan-config', { detail: { state: this.state } }));
        break;
      case 'progress':
        if (!this.readouts.show(msg)) break;
        Object.assign(this.progress, { step: msg.step, dLoss: msg.dLoss, gLoss: msg.gLoss, values: msg.values ?? {} });
        if (msg.samples) {
          this.progress.samplesStep = msg.step;
          this.latent.refreshSoon();
        }
        this.dispatchEvent(new CustomEvent('gan-progress', { detail: { ...this.progress } }));
        break;
      case 'score':
        this.$('score-now').disabled = false;
        if (this.readouts.showScore(msg)) this.dispatchEvent(new CustomEvent('gan-score', { detail: msg }));
        break;
      case 'state':
        this.progress.running = msg.running;
        this.$('play').textContent = msg.running ? 'Pause' : 'Play';
        for (const role of ['step-d', 'step-g', 'step']) this.$(role).disabled = msg.running;
        break;
      case 'latent':
        this.latent.setGrid(msg.z, msg.nz);
        break;
      case 'generated':
        this.latent.generated(msg);
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
        const about = m.steps ? ` (${this.titleOf(msg.variant)}, ${Number(m.steps).toLocaleString('en')} steps on ${m.dataset === 'mnist' ? 'MNIST' : m.dataset ?? '?'})` : '';
        if (msg.recovering) this.showMessage(`${msg.recovering}; resumed ${this.titleOf(msg.variant)} from step ${Number(m.steps).toLocaleString('en')}, its last snapshot.`, 'note');
        else if (this.opening === 'file' && this.hasAttribute('weights')) this.showMessage(`Opened at step ${Number(m.steps).toLocaleString('en')}, on a run saved with the page. Play trains on from there; Reset starts from noise.`);
        else if (this.opening === 'pretrained' && !msg.resumed) this.showMessage(`Opened on a generator trained beforehand for ${Number(m.steps).toLocaleString('en')} steps (${msg.name}). Play trains on from it; Reset starts from noise.`);
        else if (msg.resumed) this.showMessage(`Resumed ${this.titleOf(msg.variant)} at step ${Number(m.steps).toLocaleString('en')} from ${msg.name}: weights, optimiser, data order and charts, exactly where it stopped.`, 'note');
        else this.showMessage(`Loaded the ${parts} from ${msg.name}${about}${m.config ? ' (weights only: the optimiser and the data order start afresh)' : ''}.`);
        this.opening = null;
        this.$('samples').dataset.loaded = msg.name;
        // The charts of a resumed run come with it; they are drawn from its first read-out on.
        this.readouts.restore(msg.history ?? [], msg.scores ?? []);
        this.$('offer').hidden = true;
        break;
      }
      case 'snapshot':
        this.saved.saved(msg);
        break;
      case 'snapshot-failed':
        this.saved.failed(msg);
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
      case 'synced':
        this.syncs.get(msg.tag)?.();
        this.syncs.delete(msg.tag);
        break;
      case 'error':
        this.showMessage(msg.message, 'error');
        // A command or file turned down: the run goes on as it was, and the controls show it.
        if (msg.refused && this.panel.view) this.panel.render();
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

}

customElements.define('gan-playground', GanPlayground);
