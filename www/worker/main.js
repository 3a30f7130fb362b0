// Training runs here, off the main thread: WebGPU works in workers, and the page never freezes.
// One worker serves every widget on a page: one wasm module, one GPU device, several runs.
// This file loads the modules and the data and hands each message to its run (www/worker/run.js);
// the messages are declared in www/worker/protocol.js.
import * as fullModule from '../../pkg/gan_playground.js';
import { describeAdapter } from '../lib/adapter.js';
import { fetchBytes, gunzip, inspectWeightsFile, pretrainedFile, pretrainedOpening } from './files.js';
import { poolAnswered, startThreadPool } from './pool.js';
import { TO_WORKER } from './protocol.js';
import { Run } from './run.js';
import { fatal, post, shared } from './shared.js';

// MNIST as gzip (1.6 MB instead of 7.9; scripts/build-data.mjs), inflated here.
const DATASET_URL = new URL('../data/mnist.bin.gz', import.meta.url);
// The CPU module: the core built without WebGPU (burn's CPU backend only), a quarter of the full
// module's download. It draws a pretrained run's first grid while the full module, WebGPU and the
// data still load, and it is the whole core where the CPU is chosen.
const CPU_MODULE_URL = new URL('../../pkg/cpu/gan_playground.js', import.meta.url);
// The same on every core, with wasm threads: only a cross-origin-isolated page can run it
// (SharedArrayBuffer). Loaded where the CPU trains; a preview for WebGPU needs one thread only.
const CPU_THREADS_MODULE_URL = new URL('../../pkg/cpu-threads/gan_playground.js', import.meta.url);

let ready = null; // resolves once the module, the device and the data are there
let started = false; // `ready` has resolved
let cpuModule = null; // resolves to the first CPU module (the preview's), or null where it could not load
let threadedModule = null; // resolves to the CPU module on every core, once asked for
// Resolves once the first run's preview is drawn (or, drawn by the CPU module, once its weights
// have arrived), or once no preview is coming. The full module's download waits for it: on a slow
// link the two would otherwise share the bandwidth, and the first samples would come only a little
// before the full module.
let endHeadStart;
const headStart = new Promise((resolve) => (endHeadStart = resolve));
// How long the CPU module waits for the page to open a run before the full module's download
// starts anyway (a page whose widgets open only when scrolled to, or open no pretrained run).
const OPEN_WAIT_MS = 300;
let opened = false; // a run has been opened

/** The CPU module that trains: on every core where the page is cross-origin isolated, else the
 * first one. */
const trainingCpuModule = () => (self.crossOriginIsolated ? (threadedModule ??= loadCpuModule(true)) : cpuModule);

async function loadCpuModule(threads) {
  if (threads && self.crossOriginIsolated) {
    try {
      const module = await import(CPU_THREADS_MODULE_URL.href);
      await module.default();
      await startThreadPool(module, CPU_THREADS_MODULE_URL, navigator.hardwareConcurrency);
      await module.initBackend('cpu');
      return module;
    } catch (e) {
      console.warn(`No threaded CPU module (${e.message ?? e}); the CPU trains on one thread.`);
    }
  }
  const module = await import(CPU_MODULE_URL.href);
  await module.default();
  await module.initBackend('cpu');
  return module;
}

// A pretrained run's grid, sent unless the run's own grid came first: the one drawn when the file
// was made, else drawn by the CPU module. Either is the grid the run will draw (its file's seed,
// the same latent vectors), so the run's first read-out replaces it with the same images. The
// preview is only a head start: any failure is the run's to report, once it opens.
async function previewRun(run, settings) {
  // The weights download meanwhile: the run needs them, and without a drawn grid so does the preview.
  const wanted = pretrainedFile(settings);
  wanted.catch(() => {}); // awaited below where a module is there: not an unhandled rejection
  const opening = await pretrainedOpening(settings).catch((e) => console.warn(`preview: ${e.message ?? e}`));
  if (opening) {
    if (!run.shown) run.post({ type: 'preview', ...opening }, [opening.samples.buffer]);
    return;
  }
  const module = await cpuModule;
  const file = module && !run.shown && (await wanted.finally(endHeadStart));
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

async function start(backendPreference) {
  const noWebGpu = !('gpu' in navigator);
  let fallbackReason = noWebGpu && backendPreference !== 'cpu' ? 'this browser does not expose WebGPU (navigator.gpu is missing)' : null;
  // The preview's module and weights first; then what trains (a GPU's start takes a core too).
  await headStart;
  // Without an adapter WebGPU cannot start: the full module is then not downloaded for nothing.
  const gpu = /** @type {any} */ (navigator).gpu;
  if (!noWebGpu && backendPreference !== 'cpu' && !(await gpu.requestAdapter().catch(() => null))) {
    fallbackReason = 'this browser has WebGPU but no adapter for it';
  }
  const cpu = backendPreference === 'cpu' || fallbackReason !== null;
  // The data downloads while the module compiles and the device starts.
  const data = fetchBytes(DATASET_URL).then(gunzip);
  data.catch(() => {}); // awaited below, after the module: not an unhandled rejection meanwhile
  // On the CPU the CPU module is the whole core (the same crate without WebGPU): the full module
  // is not even downloaded (unless the CPU module could not load).
  shared.core = cpu ? await trainingCpuModule() : null;
  if (!shared.core) {
    await fullModule.default();
    shared.core = fullModule;
  }
  let backend = await shared.core.initBackend(cpu ? 'cpu' : 'webgpu');
  // Where WebGPU does not start, the CPU module trains: the full module's CPU backend is built
  // for size, the CPU module's for speed.
  const cpuCore = backend.kind === 'webgpu' ? null : await trainingCpuModule();
  if (cpuCore && shared.core !== cpuCore) {
    fallbackReason ??= backend.fallbackReason;
    shared.core = cpuCore;
    backend = await cpuCore.initBackend('cpu');
  }
  if (fallbackReason) backend.fallbackReason = fallbackReason;
  if (backend.kind === 'webgpu') backend.name = await describeAdapter(backend.name);
  shared.dataset = await data.catch((e) => {
    throw new Error(`could not load the MNIST data (${e.message})`);
  });
  started = true;
  post({ type: 'ready', backend, schema: shared.core.schema() });
}

// Each run handles its messages one at a time, so that a reset never races a read-back; runs
// do not wait for each other. Waiting commands do not pile up: a newer reset replaces the
// resets, steps and knobs still waiting (they were for the run it replaces), and Pause stops the
// training loop at once and drops the starts still waiting.
class Inbox {
  constructor(run) {
    this.run = run;
    this.waiting = [];
    this.draining = null;
  }

  push(msg) {
    if (msg.type === 'reset') this.waiting = this.waiting.filter((m) => !['reset', 'step', 'knob'].includes(m.type));
    if (msg.type === 'pause') {
      // Whatever is queued, no step is trained after this: the loop is between chunks (a message
      // is only handled then), and it checks `running` before the next one. Said at once.
      if (this.run.running) this.run.post({ type: 'state', running: false });
      this.run.running = false;
      this.run.pauses += 1;
      this.run.wake?.();
      this.waiting = this.waiting.filter((m) => m.type !== 'start');
    }
    this.waiting.push(msg);
    this.draining ??= this.drain();
  }

  async drain() {
    try {
      await ready; // a failed start is said once, by `fatal`
      while (this.waiting.length && !shared.dead) {
        const msg = this.waiting.shift();
        try {
          await this.run.handle(msg);
        } catch (e) {
          this.run.fail(e);
        }
      }
    } catch {
      // the worker could not start: `fatal` has told the page
    } finally {
      this.draining = null;
      if (!shared.runs.has(this.run.id)) inboxes.delete(this.run.id); // closed
    }
  }
}
const inboxes = new Map();

self.onmessage = ({ data: msg }) => {
  if (shared.dead) return;
  if (!Object.hasOwn(TO_WORKER, msg?.type)) return console.warn(`worker: no message of type ${String(msg?.type)} (www/worker/protocol.js)`);
  if (msg.type === 'init') {
    // The one-thread CPU module first: it is the smallest download, it draws the first samples
    // and it tells the page the schema. (Where the CPU trains on every core, the threaded module
    // follows; its pool of workers would hold back the first picture.)
    cpuModule = loadCpuModule(false).catch((e) => {
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
  if (msg.type === 'pool') return poolAnswered(msg);
  if (msg.type === 'summarise') {
    // The study's figures, from whichever module is there first (the CPU module needs no device).
    const module = cpuModule.then((m) => m ?? ready.then(() => shared.core));
    module.then((m) => post({ type: 'summary', run: msg.run, summary: m.studySummary(msg.search, msg.seeds ?? '') }))
      .catch((e) => post({ type: 'summary', run: msg.run, message: String(e?.message ?? e) }));
    return;
  }
  if (msg.type === 'open' && !shared.runs.has(msg.run)) shared.runs.set(msg.run, new Run(msg.run));
  const run = shared.runs.get(msg.run);
  if (!run) return;
  if (msg.type === 'open') opened = true;
  if (msg.type === 'open' && msg.pretrained && !msg.weights && !started) {
    previewRun(run, msg.settings ?? msg.config).catch((e) => console.warn(`preview: ${e.message ?? e}`)).finally(endHeadStart);
  } else if (msg.type === 'open') {
    endHeadStart();
  }
  if (!inboxes.has(msg.run)) inboxes.set(msg.run, new Inbox(run));
  inboxes.get(msg.run).push(msg);
};
