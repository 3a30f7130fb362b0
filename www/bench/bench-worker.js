// The bench in a worker, for the CPU modules: the page trains on them in a worker, and the threaded
// module's callers wait for rayon's pool, which a page's main thread may not (it would spin, taking
// a core from the pool).
import { measure } from './bench-run.js';
import { poolAnswered } from '../worker/pool.js';

self.onmessage = async ({ data: search }) => {
  if (search?.type === 'pool') return poolAnswered(search);
  const out = { set textContent(progress) { self.postMessage({ progress }); } };
  try {
    self.postMessage(await measure(search, out));
  } catch (e) {
    self.postMessage({ error: String(e?.message ?? e) });
  }
};
