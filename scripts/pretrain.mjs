// `npm run pretrain`: trains the generators the page ships, natively with `gan train` (skipped
// when a finished run is already in out/pretrained/<variant>), stores them as f16 in
// www/pretrained/<variant>.safetensors with a sample grid, and writes www/pretrained/manifest.json
// (model, variant, dataset, steps, wall time, machine, sizes). It also checks that f16 storage
// does not visibly change the samples: the largest pixel difference between G(z) from the f32 and
// the f16 file, for the same z, is recorded in the manifest.
// Settings: PRETRAIN_VARIANTS ("ns-gan,lsgan,wgan-gp"), PRETRAIN_STEPS (2000).
import { cpus } from 'node:os';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cargoEnv, root, run } from './tools.mjs';
import { buildMnist } from './build-data.mjs';

const variants = (process.env.PRETRAIN_VARIANTS || 'ns-gan,lsgan,wgan-gp').split(',');
const steps = Number(process.env.PRETRAIN_STEPS || 2000);
const SETTINGS = ['--batch', '32', '--g-width', '64', '--d-width', '32', '--seed', '1'];
const outDir = join(root, 'www', 'pretrained');
mkdirSync(outDir, { recursive: true });
buildMnist();
run('cargo', ['build', '--release', '--bin', 'gan'], { env: cargoEnv() });
const gan = (...args) => run(join(cargoEnv().CARGO_TARGET_DIR, 'release', 'gan'), args);

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

const models = [];
for (const variant of variants) {
  const runDir = join(root, 'out', 'pretrained', variant);
  const log = join(runDir, 'losses.csv');
  const finished = existsSync(log) && readFileSync(log, 'utf8').trim().split('\n').at(-1).startsWith(`${steps},`);
  if (!finished) gan('train', '--variant', variant, '--steps', String(steps), '--grid-every', '500', '--out', runDir, ...SETTINGS);
  const last = readFileSync(log, 'utf8').trim().split('\n').at(-1).split(',');
  const file = `${variant}.safetensors`;
  gan('convert', '--in', join(runDir, 'weights.safetensors'), '--out', join(outDir, file), '--dtype', 'f16');
  // The same z through the f32 and the f16 generator.
  const samples = {};
  for (const [name, weights] of [['f32', join(runDir, 'weights.safetensors')], ['f16', join(outDir, file)]]) {
    const path = join(runDir, `samples-${name}.safetensors`);
    gan('sample', '--weights', weights, '--n', '64', '--seed', '7', '--out', path);
    samples[name] = readSafetensors(path).samples;
  }
  const maxDiff = samples.f32.reduce((m, v, i) => Math.max(m, Math.abs(v - samples.f16[i])), 0);
  gan('sample', '--weights', join(outDir, file), '--n', '64', '--seed', '7', '--out', join(outDir, `${variant}.png`));
  copyFileSync(join(runDir, 'grid.png'), join(runDir, 'grid-final.png'));
  models.push({
    variant,
    model: metadataOf(join(outDir, file)).model, // the networks' architecture (began28 for BEGAN)
    dataset: 'mnist',
    file,
    dtype: 'F16',
    bytes: statSync(join(outDir, file)).size,
    steps,
    batch: 32,
    g_width: 64,
    d_width: 32,
    seed: 1,
    wall_time_s: Math.round(Number(last[3])),
    machine: `native CPU (burn flex), ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`,
    grid: `${variant}.png`,
    // Largest |G(z)_f32 − G(z)_f16| over 64 samples, in [-1, 1] units (1/127.5 is one grey level).
    f16_max_abs_diff: Number(maxDiff.toPrecision(3)),
  });
  console.log(`${variant}: ${models.at(-1).bytes} bytes, f16 vs f32 max |Δ| ${maxDiff.toExponential(2)}`);
}
writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify({ default: variants[0], models }, null, 2)}\n`);
console.log(`wrote ${join(outDir, 'manifest.json')}`);
