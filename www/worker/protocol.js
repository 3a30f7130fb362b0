// The messages between the page (www/lib/engine.js and the widgets) and the worker, declared once:
// each type with the fields it carries besides `type`. Every message about a run also carries
// `run`, the run's id (so no field is called `run`). The worker ignores, with a warning, a type
// that is not declared here, and a page test checks that both sides use exactly these.

/** Page → worker. */
export const TO_WORKER = {
  init: ['backend'], // once, before anything else
  // A new run with id `run`, of `settings` (the form's and links', read by the core's `configOf`)
  // or of a whole `config` (the study's planned runs): `key` is its snapshot folder, `resume`
  // opens it on its snapshot, `recovering` says why when a new worker takes over from one that failed.
  open: ['settings', 'config', 'pretrained', 'weights', 'key', 'resume', 'recovering'],
  start: ['until'], // with `until`: train to that step, score there, and stop
  pause: [],
  step: ['part'], // 'both' | 'd' | 'g'
  close: [],
  reset: ['settings'], // a new run of these settings (all of them, as for 'open')
  knob: ['name', 'value'], // a variant setting (BEGAN's γ) mid-run
  speed: ['stepsPerSec'], // Infinity: as fast as the device goes
  save: ['whole'], // the weights, or with `whole` the whole run
  load: ['file', 'name', 'target'], // a File: checked before it is read
  snapshot: [], // save the run now
  sync: ['tag'], // answered with 'synced' once every message before it is handled
  resume: ['key'], // go on from the snapshot in folder `key`, and save there from now on
  'panic-for-tests': [], // a panic in the module, for the recovery tests
  setLatent: ['z'],
  generate: ['z', 'tag'],
  score: ['now', 'every'], // score G now, and/or every `every` steps (0: off)
  // A dataset file made in the page: the user's 'images' (www/lib/images.js) or a 'drawing'
  // (www/lib/plane.js).
  data: ['dataset', 'bytes'],
  // Not a run's: the numbers of the study's figures from results files' text (crate/study); `run`
  // is the request's id.
  summarise: ['search', 'seeds'],
  pool: ['error'], // the threaded module's pool workers have started (or why not: www/lib/pool.js)
};

/** Worker → page. `session` counts a run's resets, so the page can drop a replaced run's progress. */
export const FROM_WORKER = {
  schema: ['schema'], // early, from the CPU module: the core's schema (crate/schema.rs)
  ready: ['backend', 'schema'],
  fatal: ['message', 'recoverable'], // 'trap' or 'gpu': a new worker can restore the runs
  // The run as the core shows it (trainer::settings::RunView): its config, its settings as set
  // (null: the variant's) and in use, its optimiser's kind ('adam', 'rmsprop') and training.
  config: ['config', 'settings', 'inUse', 'optimizer', 'training'],
  // On 2-D points, with the samples: plane = {surface, real, pull?, warped?} (pull: −∂L_G/∂x at
  // each sample, the arrows), and on a mixture of
  // Gaussians coverage = {covered, modes, near}.
  progress: ['session', 'step', 'dLoss', 'gLoss', 'values', 'histogram', 'coverage', 'stepsPerSec', 'samples', 'shape', 'plane'],
  state: ['running'],
  synced: ['tag'],
  error: ['message', 'diverged', 'rolledBack', 'refused'], // refused: a command or file turned down; the run goes on as it was
  weights: ['bytes', 'name'],
  loaded: ['name', 'generator', 'critic', 'resumed', 'variant', 'metadata', 'history', 'scores', 'recovering'],
  snapshot: ['step', 'variant', 'savedAt', 'bytes'],
  'snapshot-failed': ['message', 'full'],
  sampling: ['name', 'model', 'image'], // then 'samples'
  samples: ['samples', 'shape'],
  preview: ['samples', 'shape', 'step'], // a pretrained run's grid, drawn before the run opens
  latent: ['z', 'nz'], // after each 'config', before the samples drawn from the grid's latents
  generated: ['tag', 'samples', 'shape'],
  score: ['session', 'step', 'ms', 'n', 'fid', 'kid', 'kidStd', 'classes', 'confident', 'triangles'],
  summary: ['summary', 'message'], // the answer to 'summarise', or why there is none
  pool: ['coreUrl', 'module', 'memory', 'threads'], // start the threaded module's pool workers (www/lib/pool.js)
};
