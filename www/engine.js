// The main thread's side of the training worker: one worker (one wasm module, one GPU device)
// for every widget on the page, each widget holding its own run.

let engine = null;

/** The page's engine, started on first use with the given backend preference ('webgpu' or 'cpu'). */
export function getEngine(backend = 'webgpu') {
  engine ??= new Engine(backend);
  return engine;
}

class Engine {
  constructor(backend) {
    this.runs = new Map();
    this.nextId = 1;
    this.info = null; // {backend, variants} once the worker is ready
    this.variantList = null; // the variants, known before the rest when the CPU module loads first
    this.failure = null;
    this.waiting = [];
    this.waitingForVariants = [];
    try {
      if (typeof WebAssembly !== 'object') throw new Error('this browser cannot run WebAssembly');
      this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    } catch (e) {
      this.failure = `The playground cannot start: ${e.message}.`;
      return;
    }
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.die(`The training module failed to load${e.message ? `: ${e.message}` : ''}. If you run the page from a checkout, build it first with "npm run build".`);
    });
    this.worker.addEventListener('message', ({ data: msg }) => {
      if (msg.type === 'variants' || msg.type === 'ready') {
        this.variantList ??= msg.variants;
        for (const w of this.waitingForVariants.splice(0)) w.resolve(this.variantList);
      }
      if (msg.type === 'ready') {
        this.info = { backend: msg.backend, variants: msg.variants };
        for (const w of this.waiting.splice(0)) w.resolve(this.info);
      } else if (msg.type === 'fatal') {
        this.die(`The playground stopped: ${msg.message}`);
      } else {
        this.runs.get(msg.run)?.onMessage(msg);
      }
    });
    this.worker.postMessage({ type: 'init', backend });
  }

  die(message) {
    this.failure = message;
    for (const w of [...this.waiting.splice(0), ...this.waitingForVariants.splice(0)]) w.reject(new Error(message));
    for (const run of this.runs.values()) run.onMessage({ type: 'fatal', message });
  }

  /** Resolves to {backend, variants} when the worker is ready; rejects with a readable reason. */
  ready() {
    if (this.failure) return Promise.reject(new Error(this.failure));
    if (this.info) return Promise.resolve(this.info);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Resolves to the GAN variants as soon as the worker knows them (before `ready`). */
  variants() {
    if (this.failure) return Promise.reject(new Error(this.failure));
    if (this.variantList) return Promise.resolve(this.variantList);
    return new Promise((resolve, reject) => this.waitingForVariants.push({ resolve, reject }));
  }

  /** A new run; `onMessage` receives its messages (see worker.js). It may open before `ready`:
   * the run starts once the worker is ready, and a pretrained run shows a preview meanwhile. */
  open(options, onMessage) {
    const id = this.nextId++;
    const run = {
      id,
      onMessage,
      send: (msg, transfer) => this.worker?.postMessage({ ...msg, run: id }, transfer ?? []),
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
