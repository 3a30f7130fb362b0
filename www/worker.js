// Training runs here, off the main thread: WebGPU works in workers, and the page never freezes.
// One worker serves every widget on a page: one wasm module, one GPU device, several runs.
//
// Messages in:  {type: 'init', backend}                      once, before anything else
//               {type: 'open', run, config, pretrained, weights}  a new run with id `run`
//               and, each with the run's id:
//               'start' | 'pause' | {type: 'step', part: 'both' | 'd' | 'g'} | 'close'
//               | {type: 'reset', config?} (merged into the run's config, e.g. {variant: 'wgan'})
//               | {type: 'knob', name, value} (a variant setting, e.g. BEGAN's γ, mid-run)
//               | {type: 'speed', stepsPerSec} (Infinity: as fast as the device goes)
//               | {type: 'save', whole?} (the weights, or with `whole` the whole run) | {type: 'load', file, name, target?}
//                 (a File: checked before it is read)
//               | {type: 'snapshot'} (save the run now) | {type: 'resume', key} (go on from the snapshot in
//                 folder `key`, and save there from now on) | {type: 'autosave', key} (save there from now on)
//               ('open' also takes `key`, the run's snapshot folder, `resume`: open on its snapshot, and
//               `recovering`: why, when a new worker takes over from one that failed)
//               | {type: 'panic-for-tests'} (a panic in the module, for the recovery tests)
//               | {type: 'latent'} | {type: 'setLatent', z} | {type: 'generate', z, tag}
//               | {type: 'score', now?, every?} (score G now, and/or every `every` steps; 0: off)
//               | {type: 'data', dataset, bytes} (train on a dataset file made in the page: the user's
//                 'images' (www/images.js) or 'drawing', points drawn on the plane (www/plane.js))
// Messages out: {type: 'schema', schema} (early, from the CPU module) | {type: 'ready', backend, schema}
//               | {type: 'fatal', message, recoverable?} ('trap' or 'gpu': a new worker can restore the runs)
//               and, each with the run's id:
//               {type: 'config', config, schedule} | {type: 'progress', session, step, dLoss, gLoss, values, ...}
//                 (on 2-D points, with the samples: plane = {surface, real, warped?})
//               | {type: 'state', running} | {type: 'error', message, diverged, rolledBack}
//               | {type: 'weights', bytes, name} | {type: 'loaded', name, generator, critic, resumed, metadata, history, scores}
//               | {type: 'snapshot', step, variant, savedAt, bytes} | {type: 'snapshot-failed', message}
//               | {type: 'sampling', name, model, image} then {type: 'samples', samples, shape}
//               | {type: 'preview', samples, shape, step} (a pretrained run's grid, drawn before the run opens)
//               | {type: 'latent', z, nz} | {type: 'generated', tag, samples, shape}
//               | {type: 'score', session, step, n, fid, kid, kid_std, classes, ms}
// `session` counts a run's resets, so the page can drop progress of a run that was just replaced.
import * as fullModule from '../pkg/gan_playground.js';
import { describeAdapter } from './adapter.js';
import { Autosave } from './autosave.js';
import { isPoints as isPointsIn } from './state.js';
import { latticeLatents, surfacePoints } from './plane.js';

// MNIST as gzip (1.6 MB instead of 7.9; scripts/build-data.mjs), inflated here.
const DATASET_URL = new URL('./data/mnist.bin.gz', import.meta.url);
const PRETRAINED_URL = new URL('./pretrained/manifest.json', import.meta.url);
// The CPU module: the core built without WebGPU (burn's CPU backend only), a quarter of the full
// module's download. It draws a pretrained run's first grid while the full module, WebGPU and the
// data still load, and it is the whole core where the CPU is chosen.
const CPU_MODULE_URL = new URL('../pkg/cpu/gan_playground.js', import.meta.url);
const CLASSIFIER_URL = new URL('./metrics/mnist-classifier.safetensors', import.meta.url);
const SCORE_SAMPLES = 500; // samples (and real images) per score
const SAMPLE_EVERY_MS = 400; // how often a running run's grid is read back
const TARGET_CHUNK_MS = 150; // work queued between two read-backs of the losses
const HISTOGRAM_BINS = 41; // the critic weight histogram, read with the samples
const REAL_POINTS = 500; // training points drawn on the plane
const SURFACE = surfacePoints();
const LATTICE = latticeLatents();

let dataset = null;
let scorer = null; // the MNIST classifier of the scores, loaded on the first request
let core = null; // the module the runs use: the full one, or the CPU module where the CPU was chosen
let ready = null; // resolves once the module, the device and the data are there
let started = false; // `ready` has resolved
let cpuModule = null; // resolves to the CPU module, or null where it could not load
// Resolves once the first run's pretrained file has arrived for its preview, or once no preview
// is coming. The full module's download waits for it: on a slow link the two would otherwise
// share the bandwidth, and the first samples would come only a little before the full module.
let endHeadStart;
const headStart = new Promise((resolve) => (endHeadStart = resolve));
// How long the CPU module waits for the page to open a run before the full module's download
// starts anyway (a page whose widgets open only when scrolled to, or open no pretrained run).
const OPEN_WAIT_MS = 300;
let opened = false; // a run has been opened
let manifest = null; // the pretrained manifest (a promise), fetched once
const pretrainedBytes = new Map(); // a pretrained file's bytes (a promise), by file name
let schema = null; // the core's schema (crate/schema.rs), read once
let dead = false; // the wasm module trapped: nothing more can run in this worker
const runs = new Map();

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);
// A macrotask turn without setTimeout's 4 ms clamp.
const yieldToEvents = () => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = resolve;
  channel.port2.postMessage(null);
});
class Diverged extends Error {
  constructor(message, step) {
    super(message);
    this.step = step;
  }
}

/** One training run: its session (or a sample-only generator) and its training loop. */
class Run {
  constructor(id) {
    this.id = id;
    this.session = null;
    this.sessionId = 0;
    this.config = null;
    this.sampler = null; // a generator loaded only to sample from (not dcgan28)
    this.files = { images: null, drawing: null }; // dataset files made in the page, by dataset name
    this.running = false;
    this.loopDone = Promise.resolve();
    this.chunk = 1;
    this.lastSamplesAt = 0;
    this.rate = null;
    this.stepsPerSec = Infinity;
    this.scoreEvery = 0; // steps between automatic scores (0: only on request)
    this.lastScored = -Infinity;
    this.shown = false; // a grid of this run's own session has been sent (no preview after that)
    this.autosave = new Autosave((msg) => this.post(msg));
    this.snapshotWanted = false; // the page asked for a snapshot while the loop runs
  }

  // FID-style distance, KID and the class histogram of the current G (see crate/score.rs).
  async score() {
    if (this.sampler || isPoints(this.config.dataset) || this.config.model.channels === 3) return;
    scorer ??= core.Scorer.load(await fetchBytes(CLASSIFIER_URL));
    const t0 = performance.now();
    const s = await this.session.score(scorer, SCORE_SAMPLES);
    this.lastScored = this.session.step;
    const score = { step: this.session.step, ms: performance.now() - t0, ...s };
    this.autosave.recordScore(score);
    this.post({ type: 'score', session: this.sessionId, ...score });
  }

  post(msg, transfer) {
    post({ ...msg, run: this.id }, transfer);
  }

  fail(error) {
    this.running = false;
    // A trap (RuntimeError) kills the wasm module, and with it every run; a lost GPU device
    // every run on it. The page starts a new worker and restores the runs from their snapshots.
    if (error instanceof WebAssembly.RuntimeError) return fatal(error, 'trap');
    if (deviceLost(error)) return fatal(error, 'gpu');
    if (error instanceof Diverged && this.autosave.key !== null) return this.rollBack(error);
    this.post({ type: 'state', running: false });
    this.post({ type: 'error', message: String(error?.message ?? error), diverged: error instanceof Diverged });
  }

  // The dataset file a config trains on: MNIST's, or one made in the page (the user's images, a
  // drawing); the triangles and the 2-D toys are generated by the core and need none.
  dataFor(config) {
    const name = config?.dataset;
    if (!(name in this.files)) return dataset;
    if (!this.files[name]) throw new Error(name === 'images' ? 'No images are loaded: choose your images first.' : 'Nothing is drawn yet: draw points on the plane first.');
    return this.files[name];
  }

  // One example's shape: a 28×28 image (grey, or RGB for colour images of your own), or a 2-D point.
  exampleShape() {
    return isPoints(this.config.dataset) ? [2, 1, 1] : [this.config.model.channels ?? 1, 28, 28];
  }

  // For 2-D points: the critic's surface and (2-D z) G's warped latent grid, read together, and
  // the real points (the same for the whole session: taken once).
  async plane() {
    if (this.realPoints?.session !== this.sessionId) this.realPoints = { session: this.sessionId, points: this.session.points(REAL_POINTS) };
    const warp = this.config.model.nz === 2;
    const { surface, warped } = await this.session.plane(SURFACE, warp ? LATTICE.z : undefined);
    return { surface, real: this.realPoints.points, ...(warp && { warped: { points: warped, lines: LATTICE.lines, steps: LATTICE.steps } }) };
  }

  postConfig() {
    this.post({ type: 'config', config: this.config, schedule: this.session.schedule() });
  }

  async readout(withSamples) {
    if (withSamples) this.shown = true;
    const r = await this.session.readout(withSamples, withSamples ? HISTOGRAM_BINS : undefined);
    // A resumed run has not stepped yet: its losses at this step are the saved history's.
    const saved = this.autosave.points.at(-1)?.step === r.step ? this.autosave.points.at(-1) : null;
    const [dLoss, gLoss] = [r.dLoss ?? saved?.d ?? null, r.gLoss ?? saved?.g ?? null];
    const msg = { type: 'progress', session: this.sessionId, step: r.step, dLoss, gLoss, values: r.values, histogram: r.histogram, stepsPerSec: this.rate };
    const transfer = [];
    if (r.samples) {
      const shape = this.exampleShape();
      msg.samples = r.samples;
      msg.shape = [r.samples.length / (shape[0] * shape[1] * shape[2]), ...shape];
      transfer.push(r.samples.buffer);
      this.samplesStep = r.step;
      if (isPoints(this.config.dataset)) {
        msg.plane = await this.plane();
        // The surface and the grid are new each time: moved, not copied (the real points are kept).
        transfer.push(msg.plane.surface.buffer, ...(msg.plane.warped ? [msg.plane.warped.points.buffer] : []));
      }
      this.lastSamplesAt = performance.now();
    }
    this.post(msg, transfer);
    this.autosave.record({ ...saved, step: r.step, d: dLoss, g: gLoss, rate: this.rate, ...r.values });
    if (!r.finite) throw new Diverged('The losses became NaN or infinite: training diverged. Reset to start again.', r.step);
  }

  // The new session is built before the old one is freed, so a bad config leaves the old run (and
  // its config) as they were.
  newSession(nextConfig = this.config) {
    const next = core.Session.create(this.dataFor(nextConfig), nextConfig);
    this.session?.free();
    this.session = next;
    this.sessionId += 1;
    this.config = next.config();
    this.rate = null;
    this.chunk = 1;
    this.autosave.clear();
  }

  // The run's snapshot (autosave.js), unless it only samples a generator it cannot train.
  saveSnapshot() {
    this.snapshotWanted = false;
    if (!this.sampler) return this.autosave.save(this.session, { variant: this.config.variant });
  }

  // Training diverged: back to the last snapshot, paused, and say so. Without a snapshot from
  // before the divergence, the run stops as it did before there were snapshots.
  async rollBack(error) {
    this.post({ type: 'state', running: false });
    try {
      const latest = await this.autosave.latest();
      if (latest && latest.info.step < error.step) {
        const loaded = await this.loadWeights(latest.file, 'the last snapshot');
        this.post(loaded);
        this.postConfig();
        await this.readout(true);
        const message = `Training diverged at step ${error.step}; rolled back to step ${latest.info.step}, the last snapshot. Try a lower learning rate.`;
        return this.post({ type: 'error', message, rolledBack: true });
      }
    } catch (e) {
      console.warn(`rollback failed: ${e.message ?? e}`);
    }
    this.post({ type: 'error', message: error.message, diverged: true });
  }

  async loop() {
    while (this.running) {
      const t0 = performance.now();
      this.session.train(this.chunk);
      const withSamples = performance.now() - this.lastSamplesAt > SAMPLE_EVERY_MS;
      await this.readout(withSamples);
      if (this.scoreWanted || (this.scoreEvery && this.session.step >= this.lastScored + this.scoreEvery)) {
        this.scoreWanted = false;
        await this.score();
      }
      if (this.snapshotWanted || this.autosave.due()) await this.saveSnapshot();
      // On the CPU backend a read-back resolves at once: give queued messages ('pause', other
      // runs' work) their turn before the next chunk.
      await yieldToEvents();
      let ms = performance.now() - t0;
      // A speed limit: wait out the rest of the chunk's time budget.
      const budget = (1000 * this.chunk) / this.stepsPerSec;
      if (ms < budget) {
        await new Promise((resolve) => setTimeout(resolve, budget - ms));
        ms = performance.now() - t0;
      }
      const r = (1000 * this.chunk) / ms;
      this.rate = this.rate === null ? r : 0.7 * this.rate + 0.3 * r;
      // Queue more steps per read-back when steps are fast, one at a time when they are slow.
      const fit = Math.round((this.chunk * TARGET_CHUNK_MS) / Math.max(ms, 1));
      this.chunk = Math.max(1, Math.min(64, fit, Number.isFinite(this.stepsPerSec) ? Math.ceil(this.stepsPerSec / 4) : 64));
    }
  }

  // Stops the loop and waits until its last read-back is done, so the session is free to replace.
  async stop() {
    this.running = false;
    await this.loopDone;
    this.post({ type: 'state', running: false });
  }

  // Loads a weights file (a Blob) into a fresh run built for it, as the core plans from the
  // file's header (crate/loading.rs: the file's own run, this run fitted to a bare generator, or
  // sampling only). The file is read only once its size and header passed (`info`, from
  // inspectWeightsFile), and the current run is only replaced once the new one holds the weights,
  // so a bad file loses nothing.
  async loadWeights(blob, name, target, info) {
    info ??= await inspectWeightsFile(core, blob, name);
    let plan;
    try {
      plan = core.planLoad(info, this.config);
    } catch (e) {
      throw new Error(`${name}: ${e.message ?? e}`);
    }
    const bytes = await readBlob(blob, name);
    if (plan.kind === 'sample') {
      // Too big to train here, but the page can draw from it.
      const next = core.Sampler.load(bytes);
      this.sampler?.free();
      this.sampler = next;
      return { type: 'sampling', name, model: next.model, image: info.generator.image };
    }
    const wanted = plan.config;
    target ??= plan.target ?? undefined;
    let next;
    try {
      next = core.Session.create(this.dataFor(wanted), wanted);
    } catch (e) {
      throw new Error(`${name}: ${e.message ?? e}`);
    }
    let loaded;
    try {
      loaded = next.loadWeights(bytes, target);
    } catch (e) {
      next.free();
      throw new Error(`${name}: ${e.message ?? e}`);
    }
    this.session?.free();
    this.session = next;
    this.sessionId += 1;
    this.config = next.config();
    this.sampler?.free();
    this.sampler = null;
    // A run's whole state brings its charts along; weights alone start them afresh.
    const { history, ...metadata } = loaded.metadata;
    const restored = loaded.resumed ? this.autosave.restore(history) : (this.autosave.clear(), { points: [], scores: [] });
    return { type: 'loaded', name, ...loaded, metadata, history: restored.points, scores: restored.scores };
  }

  // The sample-only generator's grid (a fixed seed, as the training grid's fixed z).
  async postSamplerGrid() {
    const { samples, shape } = await this.sampler.sample(64, 1);
    this.post({ type: 'samples', samples, shape }, [samples.buffer]);
  }

  async open({ config, pretrained, weights, key, resume, recovering }) {
    this.newSession(config);
    this.autosave.key = key ?? null;
    // A run opens on weights from a same-origin URL when it names one, else on a trained generator
    // when it asks for one: the manifest's entry for its variant, if there is one.
    let loaded = null;
    if (resume) {
      try {
        const latest = await this.autosave.latest();
        if (latest) loaded = { ...(await this.loadWeights(latest.file, 'the saved run')), recovering };
        else if (recovering) this.post({ type: 'error', message: `${recovering}. This run had not been saved yet, so it starts afresh.` });
      } catch (e) {
        this.post({ type: 'error', message: `The saved run could not be resumed (${e.message}); starting afresh.` });
      }
    } else if (weights) {
      const url = new URL(weights, self.location.href);
      try {
        if (url.origin !== self.location.origin) throw new Error('only this site\'s own files can be loaded by URL');
        loaded = await this.loadWeights(new Blob([await fetchBytes(url)]), url.pathname.split('/').pop());
      } catch (e) {
        this.post({ type: 'error', message: `The weights at ${weights} could not be loaded: ${e.message}` });
      }
    } else if (pretrained) {
      try {
        const file = await pretrainedFile(config);
        if (file) loaded = await this.loadWeights(new Blob([file.bytes]), file.name);
      } catch (e) {
        this.post({ type: 'error', message: `The pretrained weights could not be loaded (${e.message}); starting from random weights.` });
      }
    }
    this.postConfig();
    if (loaded) this.post(loaded);
    if (loaded?.type === 'sampling') return this.postSamplerGrid();
    return this.readout(true);
  }

  async handle(msg) {
    switch (msg.type) {
      case 'open':
        return this.open(msg);
      case 'close':
        await this.stop();
        this.session?.free();
        this.sampler?.free();
        runs.delete(this.id);
        return;
      case 'save': {
        // The weights (for PyTorch, or to start from), or the whole run (to resume exactly).
        const name = `${this.config.variant}-step${this.session.step}${msg.whole ? '-run' : ''}.safetensors`;
        const bytes = msg.whole ? await this.session.saveRun(this.autosave.history()) : await this.session.saveWeights('f32');
        this.post({ type: 'weights', bytes, name }, [bytes.buffer]);
        return;
      }
      case 'load': {
        // A file refused on its size or header changes nothing, not even whether the run trains.
        let info;
        try {
          info = await inspectWeightsFile(core, msg.file, msg.name);
        } catch (e) {
          return this.post({ type: 'error', message: e.message });
        }
        await this.stop();
        const loaded = await this.loadWeights(msg.file, msg.name, msg.target, info);
        this.rate = null;
        this.chunk = 1;
        this.post(loaded);
        if (loaded.type === 'sampling') return this.postSamplerGrid();
        this.postConfig();
        return this.readout(true);
      }
      case 'start':
        if (!this.running && !this.sampler) {
          this.running = true;
          this.post({ type: 'state', running: true });
          // The loop runs outside the message queue so that 'pause' gets through.
          this.loopDone = this.loop().catch((e) => this.fail(e));
        }
        return;
      case 'pause':
        await this.stop();
        // The last read-back may have skipped the grid (fast steps): a paused run shows its own step.
        if (this.session && !this.sampler && this.samplesStep !== this.session.step) await this.readout(true);
        return this.saveSnapshot();
      case 'snapshot':
        // While training, the loop saves at its next turn (the session is busy in between).
        if (this.running) this.snapshotWanted = true;
        else await this.saveSnapshot();
        return;
      case 'autosave':
        this.autosave.key = msg.key;
        return;
      case 'panic-for-tests':
        // A panic inside the module, as a bug would raise one: the page tests check recovery.
        return core.panicForTests();
      case 'resume': {
        this.autosave.key = msg.key;
        const latest = await this.autosave.latest();
        if (!latest) return this.post({ type: 'error', message: 'The saved run is gone (the browser may have cleared this site\'s storage).' });
        return this.handle({ type: 'load', file: latest.file, name: 'the saved run' });
      }
      case 'step':
        if (this.running || this.sampler) return;
        if (msg.part === 'd') this.session.stepDiscriminator();
        else if (msg.part === 'g') this.session.stepGenerator();
        else this.session.train(1);
        return this.readout(true);
      case 'score':
        if ('every' in msg) {
          this.scoreEvery = msg.every > 0 ? msg.every : 0;
          this.lastScored = this.session.step;
        }
        // While training, the loop scores at its next turn; otherwise now.
        if (msg.now) {
          if (this.running) this.scoreWanted = true;
          else await this.score();
        }
        return;
      case 'speed':
        this.stepsPerSec = msg.stepsPerSec > 0 ? msg.stepsPerSec : Infinity;
        return;
      case 'knob':
        this.session.setKnob(msg.name, msg.value);
        this.config = this.session.config();
        return this.postConfig();
      case 'latent':
        return this.post({ type: 'latent', z: await this.session.latent(), nz: this.config.model.nz });
      case 'setLatent':
        this.session.setLatent(msg.z);
        return this.readout(true);
      case 'generate': {
        const samples = await this.session.generate(msg.z);
        const shape = this.exampleShape();
        return this.post({ type: 'generated', tag: msg.tag, samples, shape: [samples.length / (shape[0] * shape[1] * shape[2]), ...shape] }, [samples.buffer]);
      }
      case 'data': {
        // The user's images or drawing become this run's data; if the core rejects them, the run
        // and the previous file stay as they were.
        if (!(msg.dataset in this.files)) throw new Error(`no dataset file is made in the page for "${msg.dataset}"`);
        await this.stop();
        const previous = this.files[msg.dataset];
        this.files[msg.dataset] = msg.bytes;
        try {
          this.newSession({ ...this.config, dataset: msg.dataset });
        } catch (e) {
          this.files[msg.dataset] = previous;
          throw e;
        }
        this.sampler?.free();
        this.sampler = null;
        this.postConfig();
        return this.readout(true);
      }
      case 'reset': {
        this.sampler?.free();
        this.sampler = null;
        await this.stop();
        // Knobs belong to a variant: a different variant starts from its own defaults.
        const next = msg.config ? { ...this.config, ...(msg.config.variant && msg.config.variant !== this.config.variant && { knobs: {} }), ...msg.config } : this.config;
        this.newSession(next);
        this.postConfig();
        return this.readout(true);
      }
    }
  }
}

const megabytes = (bytes) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MB`;

// What a weights file holds, from its size and its header alone (the core checks both, see
// `inspectWeights` in crate/bindings.rs): a file that is too big, or is no weights file, is
// refused before its data is read.
async function inspectWeightsFile(module, blob, name) {
  const { weightFileBytes } = module.limits();
  if (blob.size > weightFileBytes) {
    throw new Error(`${name} is ${megabytes(blob.size)}: weights files over ${megabytes(weightFileBytes)} are refused (a run of this page saves at most about 70 MB).`);
  }
  try {
    const length = module.weightsHeaderLength(new Uint8Array(await blob.slice(0, 8).arrayBuffer()), blob.size);
    return module.inspectWeights(new Uint8Array(await blob.slice(0, 8 + length).arrayBuffer()), blob.size);
  } catch (e) {
    throw new Error(`${name}: ${e.message ?? e}`);
  }
}

// A Blob's bytes; a file that can no longer be read (moved, changed on disk) is named.
async function readBlob(blob, name) {
  try {
    return new Uint8Array(await blob.arrayBuffer());
  } catch (e) {
    throw new Error(`${name} could not be read (${e.message ?? e})`);
  }
}

// A same-site file's bytes; an HTTP error becomes an exception naming the file.
async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname.split('/').pop()}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

// The manifest's trained file for a run's variant and dataset, `{ name, bytes }`, or null where
// there is none. Fetched once: the preview and the run itself both read it.
async function pretrainedFile(config) {
  manifest ??= fetch(PRETRAINED_URL).then((res) => {
    if (!res.ok) throw new Error(`manifest.json: HTTP ${res.status}`);
    return res.json();
  });
  const { default: fallback, models } = await manifest.catch((e) => {
    manifest = null;
    throw e;
  });
  const variant = config?.variant ?? fallback;
  const entry = models.find((m) => m.variant === variant && (m.dataset ?? 'mnist') === (config?.dataset ?? 'mnist'));
  if (!entry) return null;
  if (!pretrainedBytes.has(entry.file)) pretrainedBytes.set(entry.file, fetchBytes(new URL(entry.file, PRETRAINED_URL)));
  return { name: entry.file, bytes: await pretrainedBytes.get(entry.file) };
}

async function loadCpuModule() {
  const module = await import(CPU_MODULE_URL.href);
  await module.default();
  await module.initBackend('cpu');
  return module;
}

// A pretrained run's grid from the CPU module, sent unless the run's own grid came first.
// The preview draws the grid as the run will (its file's seed, the same latent vectors), so the
// run's first read-out replaces it with the same images. The preview is only a head start: any
// failure is the run's to report, once it opens.
async function previewRun(run, config) {
  const module = await cpuModule;
  const file = module && !run.shown && (await pretrainedFile(config).finally(endHeadStart));
  if (!file || run.shown) return;
  const { metadata } = await inspectWeightsFile(module, new Blob([file.bytes]), file.name);
  const saved = JSON.parse(metadata.config ?? 'null');
  if (!Number.isSafeInteger(saved?.seed) || !Number.isSafeInteger(saved?.grid_samples)) return;
  const sampler = module.Sampler.load(file.bytes);
  try {
    const { samples, shape } = await sampler.grid(saved.grid_samples, saved.seed);
    if (!run.shown) run.post({ type: 'preview', samples, shape, step: Number(metadata.steps) }, [samples.buffer]);
  } finally {
    sampler.free();
  }
}

// Inflates gzip bytes. A server that sent the file with `Content-Encoding: gzip` has had the
// browser inflate it already: bytes without gzip's magic number are taken as they are.
async function gunzip(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// `recoverable`: 'trap' or 'gpu' when a new worker can take over (see engine.js), else absent.
function fatal(error, recoverable) {
  if (dead) return;
  dead = true;
  for (const run of runs.values()) run.running = false;
  post({ type: 'fatal', message: String(error?.message ?? error).split('\n')[0], recoverable });
}

// A read-back on a device the browser took away fails with wgpu's "The device is poisoned",
// caused by "A valid external Instance reference no longer exists" (a GPU process crash), or
// with a lost device.
const deviceLost = (error) => /device is poisoned|device (was |is )?lost|Instance reference no longer exists/i.test(String(error?.message ?? error));

async function start(backendPreference) {
  const noWebGpu = !('gpu' in navigator);
  const cpu = noWebGpu || backendPreference === 'cpu';
  // On the CPU the CPU module is the whole core (the same crate without WebGPU): the full module
  // is not even downloaded.
  core = cpu ? await cpuModule : null;
  if (!core) await headStart;
  // The data downloads while the module compiles and the device starts.
  const data = fetchBytes(DATASET_URL).then(gunzip);
  data.catch(() => {}); // awaited below, after the module: not an unhandled rejection meanwhile
  if (!core) {
    await fullModule.default();
    core = fullModule;
  }
  const backend = await core.initBackend(cpu ? 'cpu' : 'webgpu');
  if (noWebGpu && backendPreference !== 'cpu') backend.fallbackReason = 'this browser does not expose WebGPU (navigator.gpu is missing)';
  if (backend.kind === 'webgpu') backend.name = await describeAdapter(backend.name);
  dataset = await data.catch((e) => {
    throw new Error(`could not load the MNIST data (${e.message})`);
  });
  started = true;
  post({ type: 'ready', backend, schema: core.schema() });
}

const isPoints = (dataset) => isPointsIn((schema ??= core.schema()), dataset);

// Each run handles its messages one at a time, so that a reset never races a read-back; runs
// do not wait for each other.
const queues = new Map();
self.onmessage = ({ data: msg }) => {
  if (dead) return;
  if (msg.type === 'init') {
    // The CPU module first: it is the smaller download, and it tells the page the schema.
    cpuModule = loadCpuModule().catch((e) => {
      console.warn(`No CPU module (${e.message ?? e}); the first samples wait for the full module.`);
      return null;
    });
    cpuModule.then((module) => {
      if (module && !started) post({ type: 'schema', schema: module.schema() });
      setTimeout(() => opened || endHeadStart(), module ? OPEN_WAIT_MS : 0);
    });
    ready = start(msg.backend).catch(fatal);
    return;
  }
  if (msg.type === 'open' && !runs.has(msg.run)) runs.set(msg.run, new Run(msg.run));
  const run = runs.get(msg.run);
  if (!run) return;
  if (msg.type === 'open') opened = true;
  if (msg.type === 'open' && msg.pretrained && !msg.weights && !started) {
    previewRun(run, msg.config).catch((e) => console.warn(`preview: ${e.message ?? e}`)).finally(endHeadStart);
  } else if (msg.type === 'open') {
    endHeadStart();
  }
  const queue = (queues.get(msg.run) ?? ready).then(() => !dead && run.handle(msg)).catch((e) => run.fail(e));
  queues.set(msg.run, queue);
};
