// The worker's side of the threaded CPU module's pool: the page starts the pool's workers
// (www/lib/pool.js says why there), and the module builds rayon's pool on them.
import { post } from './shared.js';

let answer = null; // resolves the request with the page's answer

/** Has the page start `threads` pool workers for `core` (the threaded module, loaded from
 * `coreUrl`) and builds rayon's pool on them; rejects with the reason if they could not start. */
export async function startThreadPool(core, coreUrl, threads) {
  const [module, memory] = core.poolShare();
  const answered = new Promise((resolve) => (answer = resolve));
  post({ type: 'pool', coreUrl: String(coreUrl), module, memory, threads });
  const { error } = await answered;
  if (error) throw new Error(error);
  core.buildThreadPool(threads);
}

/** The page's answer to `startThreadPool`'s request (its 'pool' message). */
export const poolAnswered = (msg) => answer?.(msg);
