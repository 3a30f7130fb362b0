// Training runs here, off the main thread: WebGPU works in workers, and the page never freezes.
// Messages in:  {type: 'init', backend, config} | 'start' | 'pause' | 'step' | {type: 'reset', config?}
//               | {type: 'knob', name, value} (changes a variant setting, e.g. BEGAN's γ, mid-run)
//               | {type: 'save'} | {type: 'load', bytes, name, target?}
//               (a reset's config is merged into the current one, e.g. {variant: 'wgan'})
// Messages out: {type: 'ready', backend, config, variants, schedule} | {type: 'config', config, schedule}
//               | {type: 'weights', bytes, name} | {type: 'loaded', name, generator, critic, metadata}
//               | {type: 'sampling', name, model, image} then {type: 'samples', samples, shape} (a sample-only generator)
//               | {type: 'progress', session, step, dLoss, gLoss, values, ...}
//               | {type: 'state', running} | {type: 'error', message, fatal, diverged}
// `session` counts resets, so the page can drop progress of a run that was just replaced.
import init, { initBackend, inspectWeights, Sampler, Session, variants } from '../pkg/gan_playground.js';
import { describeAdapter } from './adapter.js';

const DATASET_URL = new URL('./data/mnist.bin', import.meta.url);
const PRETRAINED_URL = new URL('./pretrained/manifest.json', import.meta.url);
const SAMPLE_EVERY_MS = 400; // how often the grid is read back while training
const TARGET_CHUNK_MS = 150; // work queued between two read-backs of the losses
const HISTOGRAM_BINS = 41; // the critic weight histogram, read with the samples

let dataset = null;
let session = null;
let sessionId = 0;
let dead = false; // the wasm module trapped: nothing more can run in this worker
let config = null;
let running = false;
let loopDone = Promise.resolve();
let chunk = 1;
let lastSamplesAt = 0;
let rate = null;
let wantPretrained = false;
let weightsUrl = null;
let sampler = null; // a generator loaded only to sample from (not dcgan28)

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);
class Diverged extends Error {}

const fail = (error, fatal = false) => {
  running = false;
  // A trap (RuntimeError) kills the wasm module: treat it like a failed start.
  dead ||= fatal || error instanceof WebAssembly.RuntimeError;
  if (!dead) post({ type: 'state', running });
  post({ type: 'error', message: String(error?.message ?? error), fatal: dead, diverged: error instanceof Diverged });
};

async function readout(withSamples) {
  const r = await session.readout(withSamples, withSamples ? HISTOGRAM_BINS : undefined);
  const msg = { type: 'progress', session: sessionId, step: r.step, dLoss: r.dLoss, gLoss: r.gLoss, values: r.values, histogram: r.histogram, stepsPerSec: rate };
  const transfer = [];
  if (r.samples) {
    msg.samples = r.samples;
    msg.shape = [config.grid_samples, 1, 28, 28];
    transfer.push(r.samples.buffer);
    lastSamplesAt = performance.now();
  }
  post(msg, transfer);
  if (!r.finite) throw new Diverged('The losses became NaN or infinite: training diverged. Reset to start again.');
}

// The new session is built before the old one is freed, so a bad config leaves the old run (and
// its config) as they were.
function newSession(nextConfig = config) {
  const next = Session.create(dataset, nextConfig);
  session?.free();
  session = next;
  sessionId += 1;
  config = session.config();
}

async function loop() {
  while (running) {
    const t0 = performance.now();
    session.train(chunk);
    const withSamples = performance.now() - lastSamplesAt > SAMPLE_EVERY_MS;
    await readout(withSamples);
    const ms = performance.now() - t0;
    const r = (1000 * chunk) / ms;
    rate = rate === null ? r : 0.7 * rate + 0.3 * r;
    // Queue more steps per read-back when steps are fast, one at a time when they are slow.
    chunk = Math.max(1, Math.min(64, Math.round((chunk * TARGET_CHUNK_MS) / Math.max(ms, 1))));
  }
}

// Loads a weights file into a fresh run built for it: our files carry their run's config in the
// metadata; a bare PyTorch dcgan28 generator state dict gets this run's settings with its widths.
// The current run is only replaced once the new one holds the weights, so a bad file loses nothing.
function loadWeights(bytes, name, target) {
  let info;
  try {
    info = inspectWeights(bytes);
  } catch (e) {
    throw new Error(`${name}: ${e.message ?? e}`);
  }
  let wanted;
  if (info.metadata.config) {
    try {
      wanted = { ...config, ...JSON.parse(info.metadata.config) };
    } catch {
      throw new Error(`${name}: the "config" in its metadata is not valid JSON`);
    }
  } else if (info.generator?.model === 'dcgan28') {
    wanted = { ...config, model: { ...config.model, nz: info.generator.nz, g_width: info.generator.width } };
    target ??= 'generator';
  } else if (info.generator) {
    // Not a dcgan28: too big to train here, but the page can draw from it.
    const next = Sampler.load(bytes);
    sampler?.free();
    sampler = next;
    return { type: 'sampling', name, model: sampler.model, image: info.generator.image };
  } else {
    // A bare state dict that is no generator: a critic for this run (its shapes are checked).
    target ??= 'critic';
  }
  const next = Session.create(dataset, wanted ?? config);
  let loaded;
  try {
    loaded = next.loadWeights(bytes, target);
  } catch (e) {
    next.free();
    throw new Error(`${name}: ${e.message ?? e}`);
  }
  session?.free();
  session = next;
  sessionId += 1;
  config = session.config();
  return { type: 'loaded', name, ...loaded };
}

// A same-site file's bytes; an HTTP error becomes an exception naming the file.
async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname.split('/').pop()}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function start(backendPreference, initialConfig) {
  await init();
  const noWebGpu = !('gpu' in navigator);
  const backend = await initBackend(noWebGpu || backendPreference === 'cpu' ? 'cpu' : 'webgpu');
  if (noWebGpu && backendPreference !== 'cpu') backend.fallbackReason = 'this browser does not expose WebGPU (navigator.gpu is missing)';
  if (backend.kind === 'webgpu') backend.name = await describeAdapter(backend.name);
  dataset = await fetchBytes(DATASET_URL).catch((e) => {
    throw new Error(`could not load the MNIST data (${e.message})`);
  });
  newSession(initialConfig);
  // The page opens on weights from a same-origin URL when it names one (?weights=…), else on a
  // trained generator when it asks for one: the manifest's entry for the chosen variant (or its
  // default), if there is one.
  let loaded = null;
  if (weightsUrl) {
    const url = new URL(weightsUrl, self.location.href);
    try {
      if (url.origin !== self.location.origin) throw new Error('only this site\'s own files can be loaded by URL');
      loaded = loadWeights(await fetchBytes(url), url.pathname.split('/').pop());
    } catch (e) {
      post({ type: 'error', message: `The weights at ${weightsUrl} could not be loaded: ${e.message}`, fatal: false });
    }
  } else if (wantPretrained) {
    try {
      const manifest = await (await fetch(PRETRAINED_URL)).json();
      const entry = manifest.models.find((m) => m.variant === (initialConfig?.variant ?? manifest.default));
      if (entry) {
        loaded = loadWeights(await fetchBytes(new URL(entry.file, PRETRAINED_URL)), entry.file);
      }
    } catch (e) {
      post({ type: 'error', message: `The pretrained weights could not be loaded (${e.message}); starting from random weights.`, fatal: false });
    }
  }
  post({ type: 'ready', backend, config, variants: variants(), schedule: session.schedule() });
  if (loaded) post(loaded);
  if (loaded?.type === 'sampling') return postSamplerGrid();
  await readout(true);
}

// The sample-only generator's grid (a fixed seed, as the training grid's fixed z).
async function postSamplerGrid() {
  const { samples, shape } = await sampler.sample(64, 1);
  post({ type: 'samples', samples, shape }, [samples.buffer]);
}

// Stops the loop and waits until its last read-back is done, so the session is free to replace.
async function stop() {
  running = false;
  await loopDone;
  post({ type: 'state', running });
}

let queue = Promise.resolve();
// Handle messages one at a time, so that a reset never races a read-back.
self.onmessage = ({ data }) => {
  if (dead) return;
  queue = queue.then(() => handle(data)).catch((e) => fail(e, data.type === 'init'));
};

async function handle(msg) {
  switch (msg.type) {
    case 'init':
      wantPretrained = Boolean(msg.pretrained);
      weightsUrl = msg.weights ?? null;
      return start(msg.backend, msg.config);
    case 'save': {
      const bytes = await session.saveWeights('f32');
      const name = `${config.variant}-step${session.step}.safetensors`;
      post({ type: 'weights', bytes, name }, [bytes.buffer]);
      return;
    }
    case 'load': {
      await stop();
      rate = null;
      chunk = 1;
      const loaded = loadWeights(msg.bytes, msg.name, msg.target);
      post(loaded);
      if (loaded.type === 'sampling') return postSamplerGrid();
      sampler?.free();
      sampler = null;
      post({ type: 'config', config, schedule: session.schedule() });
      return readout(true);
    }
    case 'start':
      if (!running) {
        running = true;
        post({ type: 'state', running });
        // The loop runs outside the message queue so that 'pause' gets through.
        loopDone = loop().catch((e) => fail(e));
      }
      return;
    case 'pause':
      return stop();
    case 'step':
      if (running) return;
      session.train(1);
      return readout(true);
    case 'knob':
      session.setKnob(msg.name, msg.value);
      config = session.config();
      post({ type: 'config', config, schedule: session.schedule() });
      return;
    case 'reset':
      sampler?.free();
      sampler = null;
      await stop();
      rate = null;
      chunk = 1;
      // Knobs belong to a variant: a different variant starts from its own defaults.
      newSession(msg.config ? { ...config, ...(msg.config.variant !== config.variant && { knobs: {} }), ...msg.config } : config);
      post({ type: 'config', config, schedule: session.schedule() });
      return readout(true);
  }
}
