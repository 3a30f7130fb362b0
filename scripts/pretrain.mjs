// `npm run pretrain`: trains what the site ships, natively with `gan train` (skipped when a
// finished run is already in out/pretrained/<name>), stores it as f16 in www/pretrained/ with a
// sample grid, and records it in www/pretrained/manifest.json (model, variant, dataset, steps,
// wall time, machine, sizes):
// - `models`: the page's pretrained generators, one per variant, which `pretrained` opens on;
// - `starts`: the article's figure openings: every figure whose point takes training opens on a
//   run of its own with the figure's settings, trained to where the point shows (the minimax
//   generator stalled, clipped weights piled up at ±c, BEGAN's γ acting through k_t, which moves
//   about 1e-5 a step), with its charts (`gan train` writes them into the file), the digit classes
//   a classifier sees in 1,000 of its samples and its FID-style distance. A figure loads them by
//   URL (weights=…) once it nears the screen.
// It also checks that f16 storage does not visibly change the samples: the largest pixel
// difference between G(z) from the f32 and the f16 file, for the same z, is recorded.
// Entries it does not remake stay in the manifest as they were.
// Settings: PRETRAIN_VARIANTS ("ns-gan,lsgan,wgan-gp"; "none"), PRETRAIN_STEPS (2000),
// PRETRAIN_STARTS ("all"; "none", or names such as began-gamma0.3).
import { cpus } from 'node:os';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cargoEnv, root, run } from './tools.mjs';
import { buildMnist } from './build-data.mjs';

const list = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  return v === 'none' ? [] : v.split(',');
};
const variants = list('PRETRAIN_VARIANTS', 'ns-gan,lsgan,wgan-gp');
const steps = Number(process.env.PRETRAIN_STEPS || 2000);
const MODEL_SIZES = { batch: 32, g_width: 64, d_width: 32, seed: 1 };
// The article's figures train at these sizes (www/article.html): small enough to train live.
const FIGURE = { batch: 16, g_width: 32, d_width: 16, seed: 1 };
const STARTS = [
  // BEGAN, 5,000 steps per γ: by then γ = 0.3 draws mostly ones and zeros where γ = 0.9 draws every digit.
  ...[0.3, 0.5, 0.9].map((gamma) => ({ name: `began-gamma${gamma}`, variant: 'began', knobs: { gamma }, steps: 5000, sizes: FIGURE })),
  // Minimax against a winning critic (4× wider, 5 steps per G step): stalled, where NS-GAN draws strokes.
  ...['mm-gan', 'ns-gan'].map((variant) => ({ name: `minimax-${variant}`, variant, nCritic: 5, steps: 1500, sizes: { ...FIGURE, g_width: 16, d_width: 64 } })),
  // Clipping: the weights piled up at ±c, ‖∇D‖ by c; WGAN-GP beside it (and in the four losses).
  // (Named apart from the page's generators of `models`, which are called after their variant.)
  ...[0.001, 0.01, 0.1].map((clip) => ({ name: `wgan-clip${clip}`, variant: 'wgan', knobs: { clip }, steps: 1500, sizes: FIGURE })),
  { name: 'wgan-gp-seed1', variant: 'wgan-gp', steps: 1500, sizes: FIGURE },
  // The VAE's blurred digits.
  { name: 'vae-seed1', variant: 'vae', steps: 10000, sizes: FIGURE },
  // One loss from three seeds, and four losses from one seed (NS-GAN's seed 1 is both).
  ...[1, 2, 3].map((seed) => ({ name: `ns-gan-seed${seed}`, variant: 'ns-gan', steps: 1500, sizes: { ...FIGURE, seed } })),
  ...['lsgan', 'dragan'].map((variant) => ({ name: `${variant}-seed1`, variant, steps: 1500, sizes: FIGURE })),
  // The ring of Gaussians after 3,000 steps: where each loss's generator has gone (mode collapse or not).
  ...['ns-gan', 'wgan', 'lsgan', 'wgan-gp'].map((variant) => ({ name: `ring-${variant}`, variant, dataset: 'ring', steps: 3000, sizes: { batch: 64, g_width: 64, d_width: 64, seed: 1 } })),
];
const startNames = list('PRETRAIN_STARTS', 'all');
const starts = STARTS.filter((s) => startNames.includes('all') || startNames.includes(s.name));
const outDir = join(root, 'www', 'pretrained');
mkdirSync(outDir, { recursive: true });
buildMnist();
run('cargo', ['build', '--release', '--bin', 'gan'], { env: cargoEnv() });
const ganPath = join(cargoEnv().CARGO_TARGET_DIR, 'release', 'gan');
const gan = (...args) => run(ganPath, args);
const machine = `native CPU (burn flex), ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`;

/** The metadata of a safetensors file (what the run that wrote it says of itself). */
function metadataOf(path) {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  return JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')).__metadata__ ?? {};
}

/** The tensors of a safetensors file as Float32Arrays (F32 only: what `gan sample` writes). */
function readSafetensors(path) {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const out = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, e] = t.data_offsets;
    const data = bytes.subarray(8 + n + b, 8 + n + e);
    out[name] = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
  }
  return out;
}

/** The training time in a loss log: each resumed stretch counts its seconds from 0 again. */
function wallTime(log) {
  let total = 0;
  let previous = 0;
  for (const line of readFileSync(log, 'utf8').trim().split('\n').slice(1)) {
    const seconds = Number(line.split(',')[3]);
    if (seconds < previous) total += previous;
    previous = seconds;
  }
  return total + previous;
}

/** Trains `name` (unless done), stores it as f16 (a 2-D run's small MLPs as f32) and returns its manifest entry. */
function pretrain({ name, variant, steps, sizes, knobs = {}, nCritic, dataset = 'mnist' }) {
  const runDir = join(root, 'out', 'pretrained', name);
  const log = join(runDir, 'losses.csv');
  const finished = existsSync(log) && readFileSync(log, 'utf8').trim().split('\n').at(-1).startsWith(`${steps},`);
  const knobArgs = Object.keys(knobs).length ? ['--knobs', Object.entries(knobs).map(([k, v]) => `${k}=${v}`).join(',')] : [];
  const sizeArgs = ['--batch', sizes.batch, '--g-width', sizes.g_width, '--d-width', sizes.d_width, '--seed', sizes.seed, ...(nCritic ? ['--n-critic', nCritic] : [])].map(String);
  // A shorter run of the same name goes on from its last checkpoint (the same run, longer).
  const checkpoint = join(runDir, 'run.safetensors');
  const lastStep = existsSync(log) ? Number(readFileSync(log, 'utf8').trim().split('\n').at(-1).split(',')[0]) : NaN;
  if (!finished && existsSync(checkpoint) && lastStep < steps) gan('train', '--resume', checkpoint, '--steps', String(steps), '--grid-every', '500', '--out', runDir);
  else if (!finished) gan('train', '--variant', variant, '--dataset', dataset, '--steps', String(steps), '--grid-every', '500', '--out', runDir, ...sizeArgs, ...knobArgs);
  const file = `${name}.safetensors`;
  const about = {
    variant, dataset, file, steps, ...sizes, ...(Object.keys(knobs).length && { knobs }), ...(nCritic && { n_critic: nCritic }),
    wall_time_s: Math.round(wallTime(log)), machine, grid: `${name}.png`,
  };
  if (dataset !== 'mnist') {
    gan('convert', '--in', join(runDir, 'weights.safetensors'), '--out', join(outDir, file), '--dtype', 'f32');
    copyFileSync(join(runDir, `grid_${String(steps).padStart(6, '0')}.png`), join(outDir, `${name}.png`));
    return { ...about, model: metadataOf(join(outDir, file)).model, dtype: 'F32', bytes: statSync(join(outDir, file)).size };
  }
  gan('convert', '--in', join(runDir, 'weights.safetensors'), '--out', join(outDir, file), '--dtype', 'f16');
  // The same z through the f32 and the f16 generator.
  const samples = {};
  for (const [kind, weights] of [['f32', join(runDir, 'weights.safetensors')], ['f16', join(outDir, file)]]) {
    const path = join(runDir, `samples-${kind}.safetensors`);
    gan('sample', '--weights', weights, '--n', '64', '--seed', '7', '--out', path);
    samples[kind] = readSafetensors(path).samples;
  }
  const maxDiff = samples.f32.reduce((m, v, i) => Math.max(m, Math.abs(v - samples.f16[i])), 0);
  gan('sample', '--weights', join(outDir, file), '--n', '64', '--seed', '7', '--out', join(outDir, `${name}.png`));
  console.log(`${name}: f16 vs f32 max |Δ| ${maxDiff.toExponential(2)}`);
  return {
    ...about,
    model: metadataOf(join(outDir, file)).model, // the networks' architecture (began28 for BEGAN)
    dtype: 'F16',
    bytes: statSync(join(outDir, file)).size,
    // Largest |G(z)_f32 − G(z)_f16| over 64 samples, in [-1, 1] units (1/127.5 is one grey level).
    f16_max_abs_diff: Number(maxDiff.toPrecision(3)),
  };
}

/** The grid a run from `file` opens on, drawn once here: the page shows it before any module has
 * loaded (`{ file, shape }`, one byte per pixel, NCHW). */
function opening(file) {
  const out = file.replace(/\.safetensors$/, '.opening.u8');
  gan('sample', '--weights', join(outDir, file), '--opening', '--out', join(outDir, out));
  const { grid_samples: n, model: { channels } } = JSON.parse(metadataOf(join(outDir, file)).config);
  const side = Math.sqrt(statSync(join(outDir, out)).size / (n * channels));
  return { file: out, shape: [n, channels, side, side] };
}

/** The FID-style distance, the digit classes the classifier sees in 1,000 samples of a stored file,
 * and the share of them it labels with confidence (top class probability ≥ 0.9; real digits: 0.97). */
function scoreOf(file) {
  const line = run(ganPath, ['score', '--weights', join(outDir, file), '--n', '1000', '--json'], { quiet: true }).trim().split('\n').at(-1);
  const { fid, classes, confident, n } = JSON.parse(line);
  return { fid: Number(fid.toPrecision(4)), confident: Number((confident / n).toFixed(3)), classes };
}

const manifestPath = join(outDir, 'manifest.json');
const before = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : { models: [], starts: [] };
const models = variants.map((variant) => {
  const entry = pretrain({ variant, name: variant, steps, sizes: MODEL_SIZES });
  return { ...entry, opening: opening(entry.file), ...scoreOf(entry.file) };
});
const made = starts.map((start) => {
  const entry = { name: start.name, ...pretrain(start) };
  return entry.dataset === 'mnist' ? { ...entry, ...scoreOf(entry.file) } : entry;
});
/** `fresh` entries, with the manifest's earlier ones that were not remade kept in their order. */
const merged = (old = [], fresh, key) => [...old.map((e) => fresh.find((f) => f[key] === e[key]) ?? e), ...fresh.filter((f) => !old.some((e) => e[key] === f[key]))];
const manifest = {
  default: before.default ?? variants[0],
  models: merged(before.models, models, 'variant'),
  starts: merged(before.starts, made, 'name'),
};
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${manifestPath}`);
