// The main thread's side of the training worker: one worker (one wasm module, one GPU device)
// for every widget on the page, each widget holding its own run. When the worker fails in a way a
// new one can recover from (a trap in the wasm module, a lost GPU device), the engine starts a new
// worker and reopens every run from its last snapshot (www/worker/autosave.js); two failures within a
// minute stop the page with the reason.

import { startPoolWorkers, stopPoolWorkers } from './pool.js';

let engine = null;

/** Failures within this time of each other stop the page instead of recovering again. */
const RECOVERY_WINDOW_MS = 60_000;

const REASONS = { gpu: 'The GPU was reset', trap: 'The training module crashed' };

/** The page's engine, started on first use with the given backend preference ('webgpu' or 'cpu'). */
export function getEngine(backend = 'webgpu') {
  engine ??= new Engine(backend);
  return engine;
}

class Engine {
  constructor(backend) {
    this.backend = backend;
    this.runs = new Map();
    this.requests = new Map(); // answers awaited from the worker that belong to no run (summarise)
    this.nextId = 1;
    this.info = null; // {backend, schema} once the worker is ready
    this.schemaDoc = null; // the core's schema, known before the rest when the CPU module loads first
    this.failure = null;
    this.waiting = [];
    this.waitingForSchema = [];
    this.lastRecovery = -Infinity;
    try {
      if (typeof WebAssembly !== 'object') throw new Error('this browser cannot run WebAssembly');
      this.startWorker();
    } catch (e) {
      this.failure = `The playground cannot start: ${e.message}.`;
    }
  }

  startWorker() {
    this.worker = new Worker(new URL('../worker/main.js', import.meta.url), { type: 'module' });
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.die(`The training module failed to load${e.message ? `: ${e.message}` : ''}. If you run the page from a checkout, build it first with "npm run build".`);
    });
    this.worker.addEventListener('message', ({ data: msg }) => {
      if (msg.type === 'schema' || msg.type === 'ready') {
        this.schemaDoc ??= msg.schema;
        for (const w of this.waitingForSchema.splice(0)) w.resolve(this.schemaDoc);
      }
      if (msg.type === 'ready') {
        this.info = { backend: msg.backend, schema: msg.schema };
        for (const w of this.waiting.splice(0)) w.resolve(this.info);
        if (this.lastRecovery > -Infinity) for (const run of this.runs.values()) run.onMessage({ type: 'backend', backend: msg.backend });
      } else if (msg.type === 'fatal') {
        if (msg.recoverable) this.recover(msg);
        else this.die(`The playground stopped: ${msg.message}`);
      } else if (msg.type === 'pool') {
        startPoolWorkers(this.worker, msg);
      } else if (msg.type === 'summary') {
        this.requests.get(msg.run)?.(msg);
        this.requests.delete(msg.run);
      } else {
        this.runs.get(msg.run)?.onMessage(msg);
      }
    });
    this.worker.postMessage({ type: 'init', backend: this.backend });
  }

  stopWorker() {
    stopPoolWorkers(this.worker);
    this.worker.terminate();
  }

  // A new worker in place of one that trapped or lost its GPU; each run reopens on its last
  // snapshot (WebGPU is asked for again: the CPU takes over, saying why, if it cannot be had).
  recover({ message, recoverable }) {
    const reason = REASONS[recoverable] ?? 'The training module stopped';
    const now = Date.now();
    if (now - this.lastRecovery < RECOVERY_WINDOW_MS) {
      this.die(`${reason} again within a minute (${message}), so the playground stopped. Reload the page to go on from the last snapshots.`, { reload: true });
      return;
    }
    this.lastRecovery = now;
    this.stopWorker();
    this.info = null;
    this.startWorker();
    for (const run of this.runs.values()) {
      run.onMessage({ type: 'restarting', reason, detail: message });
      this.worker.postMessage({ type: 'open', ...run.options, pretrained: false, weights: undefined, resume: true, recovering: reason, run: run.id });
    }
  }

  die(message, { reload = false } = {}) {
    this.failure = message;
    if (this.worker) this.stopWorker();
    for (const w of [...this.waiting.splice(0), ...this.waitingForSchema.splice(0)]) w.reject(new Error(message));
    for (const answer of this.requests.values()) answer({ message });
    this.requests.clear();
    for (const run of this.runs.values()) run.onMessage({ type: 'fatal', message, reload });
  }

  /** Resolves to {backend, schema} when the worker is ready; rejects with a readable reason. */
  ready() {
    if (this.failure) return Promise.reject(new Error(this.failure));
    if (this.info) return Promise.resolve(this.info);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Resolves to the core's schema (datasets, settings, variants: crate/schema.rs) as soon as
   * the worker knows it (before `ready`). */
  schema() {
    if (this.failure) return Promise.reject(new Error(this.failure));
    if (this.schemaDoc) return Promise.resolve(this.schemaDoc);
    return new Promise((resolve, reject) => this.waitingForSchema.push({ resolve, reject }));
  }

  /** The numbers of the study's figures (crate/study/summary.rs) from the text of a search's and
   * a seeds phase's results files (JSON lines). */
  summarise(search, seeds = '') {
    if (this.failure) return Promise.reject(new Error(this.failure));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.requests.set(id, (msg) => (msg.summary ? resolve(msg.summary) : reject(new Error(msg.message))));
      this.worker.postMessage({ type: 'summarise', search, seeds, run: id });
    });
  }

  /** A new run; `onMessage` receives its messages (declared in www/worker/protocol.js). It may open before `ready`:
   * the run starts once the worker is ready, and a pretrained run shows a preview meanwhile. */
  open(options, onMessage) {
    const id = this.nextId++;
    const run = {
      id,
      onMessage,
      // What a new worker needs to reopen the run (its snapshot folder follows the page's answer).
      options: { ...options },
      send: (msg, transfer) => {
        if (msg.type === 'resume') run.options.key = msg.key;
        this.worker?.postMessage({ ...msg, run: id }, transfer ?? []);
      },
      close: () => {
        run.send({ type: 'close' });
        this.runs.delete(id);
      },
    };
    this.runs.set(id, run);
    if (this.failure) queueMicrotask(() => onMessage({ type: 'fatal', message: this.failure }));
    else run.send({ type: 'open', ...options });
    return run;
  }
}
