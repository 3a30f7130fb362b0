// The page's side of the threaded CPU module's pool (www/worker/pool.js the worker's): one Web
// Worker per rayon thread, each running the module on its shared memory (crate/bindings/pool.rs).
// The page starts them when the training worker asks: in Firefox, a worker that starts workers
// itself can stay blocked inside `new Worker` for good (about 1 page load in 30 here,
// docs/architecture.md), where a page's `new Worker` does not wait.

const POOL_WORKER_URL = new URL('../worker/pool-worker.js', import.meta.url);
// How long the pool's workers get to load the module (about a second on a laptop) before the
// training worker is told to train on one thread instead of waiting for them.
const POOL_START_MS = 30_000;

/** The pool workers started for each worker (kept: Firefox may otherwise collect a worker that
 * shares the module's memory), stopped with it. */
const pools = new Map();

/** Starts the pool workers that `worker` asked for (its 'pool' message), and answers it ('pool',
 * with `error` if they could not start in time). */
export async function startPoolWorkers(worker, { coreUrl, module, memory, threads }) {
  const workers = Array.from({ length: threads }, () => new Worker(POOL_WORKER_URL, { type: 'module' }));
  pools.set(worker, workers);
  const started = Promise.all(workers.map((w) => new Promise((resolve, reject) => {
    w.onmessage = ({ data }) => (data.ready ? resolve() : reject(new Error(data.error)));
    w.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`a pool worker did not start${e.message ? ` (${e.message})` : ''}`));
    };
    w.postMessage({ coreUrl, module, memory });
  })));
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the pool workers did not start within ${POOL_START_MS / 1000} s`)), POOL_START_MS);
  });
  try {
    await Promise.race([started, late]);
  } catch (e) {
    stopPoolWorkers(worker);
    worker.postMessage({ type: 'pool', error: String(e.message) });
    return;
  } finally {
    clearTimeout(timer);
  }
  worker.postMessage({ type: 'pool' });
}

/** Stops the pool workers started for `worker` (which is being stopped). */
export function stopPoolWorkers(worker) {
  for (const w of pools.get(worker) ?? []) w.terminate();
  pools.delete(worker);
}
