// What the worker's parts share: the module the runs use, the data, the classifier, the runs, and
// how the worker posts messages and gives up.
import { isPoints as isPointsIn } from '../lib/state.js';

export const shared = {
  /** @type {typeof import('../../pkg/gan_playground.js') | null} the module the runs use: the full one, or the CPU module where the CPU was chosen */
  core: null,
  dataset: null, // MNIST's dataset file
  scorer: null, // the MNIST classifier of the scores, loaded on the first request
  schema: null, // the core's schema (crate/schema.rs), read once
  dead: false, // the wasm module trapped: nothing more can run in this worker
  runs: new Map(),
};

export const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);

/** The core's schema (crate/schema.rs), read once. */
export const schema = () => (shared.schema ??= shared.core.schema());

/** Whether a dataset is 2-D points, as the core's schema says. */
export const isPoints = (dataset) => isPointsIn(schema(), dataset);

/** Whether a dataset is the user's own, a file made in the page (their images, their drawing). */
export const isUserDataset = (dataset) => schema().datasets.some((d) => d.id === dataset && d.fromUser);

// `recoverable`: 'trap' or 'gpu' when a new worker can take over (see engine.js), else absent.
export function fatal(error, recoverable) {
  if (shared.dead) return;
  shared.dead = true;
  for (const run of shared.runs.values()) run.running = false;
  post({ type: 'fatal', message: String(error?.message ?? error).split('\n')[0], recoverable });
}

// A read-back on a device the browser took away fails with wgpu's "The device is poisoned",
// caused by "A valid external Instance reference no longer exists" (a GPU process crash), or
// with a lost device.
export const deviceLost = (error) => /device is poisoned|device (was |is )?lost|Instance reference no longer exists/i.test(String(error?.message ?? error));
