// The bench in a worker, for the threaded CPU module: rayon's callers wait for the pool, which a
// page's main thread may not (it would spin, taking a core from the pool).
import { measure } from './bench-run.js';

self.onmessage = async ({ data: search }) => {
  const out = { set textContent(progress) { self.postMessage({ progress }); } };
  try {
    self.postMessage(await measure(search, out));
  } catch (e) {
    self.postMessage({ error: String(e?.message ?? e) });
  }
};
