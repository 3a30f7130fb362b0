// `npm run study`: the committed replay of "Are GANs Created Equal?" on this machine, natively
// with `gan study`: on MNIST the search (every variant × STUDY_SETTINGS settings from the study's
// wide ranges) and the seeds phase (each variant's best setting × STUDY_SEEDS seeds); on
// triangles the search alone, as the study ran it there. Results, plans and a manifest (sizes,
// wall times, machine) go to www/study/, the figures to www/assets/study/. A phase whose results
// are complete is not rerun; an interrupted one goes on where it stopped.
// Settings: STUDY_SETTINGS (10), STUDY_SEEDS (6), STUDY_TRIANGLE_SETTINGS (4), STUDY_STEPS (300),
// STUDY_JOBS (the machine's cores).
import { cpus } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cargoEnv, root, run } from './tools.mjs';
import { buildMnist } from './build-data.mjs';

const env = (name, fallback) => Number(process.env[name] || fallback);
const settings = env('STUDY_SETTINGS', 10);
const seeds = env('STUDY_SEEDS', 6);
const triangleSettings = env('STUDY_TRIANGLE_SETTINGS', 4);
const steps = env('STUDY_STEPS', 300);
const jobs = env('STUDY_JOBS', cpus().length);
const SIZE = { batch: 32, g_width: 16, d_width: 16, checkpoints: 4, n: 500 };
const dir = join(root, 'www', 'study');
const figures = join(root, 'www', 'assets', 'study');
mkdirSync(dir, { recursive: true });
mkdirSync(figures, { recursive: true });
buildMnist();
run('cargo', ['build', '--release', '--bin', 'gan'], { env: cargoEnv() });
const ganPath = join(cargoEnv().CARGO_TARGET_DIR, 'release', 'gan');
const gan = (...args) => run(ganPath, args.map(String));
// Every registered variant, from the core's schema.
const variants = JSON.parse(execFileSync(ganPath, ['schema', '--json'], { encoding: 'utf8' })).variants.map((v) => v.id).join(',');
const file = (name) => join(dir, name);
const timed = (work) => {
  const t = performance.now();
  work();
  return Math.round((performance.now() - t) / 1000);
};
const runPlan = (plan, results) => gan('--backend', 'cpu', 'study', 'run', '--plan', file(plan), '--results', file(results), '--n', SIZE.n, '--jobs', jobs);
const plan = (dataset, count, out) => gan('study', 'plan', '--dataset', dataset, '--variants', variants, '--settings', count,
  '--steps', steps, '--checkpoints', SIZE.checkpoints, '--batch', SIZE.batch, '--g-width', SIZE.g_width, '--d-width', SIZE.d_width, '--out', file(out));

const seconds = {};
plan('mnist', settings, 'mnist-search-plan.json');
seconds.mnistSearch = timed(() => runPlan('mnist-search-plan.json', 'mnist-search.jsonl'));
gan('study', 'seeds', '--search', file('mnist-search-plan.json'), '--results', file('mnist-search.jsonl'), '--seeds', seeds, '--out', file('mnist-seeds-plan.json'));
seconds.mnistSeeds = timed(() => runPlan('mnist-seeds-plan.json', 'mnist-seeds.jsonl'));
plan('triangles', triangleSettings, 'triangles-search-plan.json');
seconds.trianglesSearch = timed(() => runPlan('triangles-search-plan.json', 'triangles-search.jsonl'));

const title = `${steps} steps, batch ${SIZE.batch}, widths ${SIZE.g_width}`;
gan('study', 'figures', '--search', file('mnist-search.jsonl'), '--seeds', file('mnist-seeds.jsonl'), '--title', `MNIST, ${title}`, '--out', figures);
gan('study', 'figures', '--search', file('triangles-search.jsonl'), '--title', `triangles, ${title}`, '--out', join(figures, 'triangles'));

// Per-run times from the results themselves (a phase skipped as complete took no wall time now).
const runSeconds = (name) => readFileSync(file(name), 'utf8').trim().split('\n').map((l) => JSON.parse(l).seconds);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const manifest = {
  steps, jobs, ...SIZE, settings, seeds, triangleSettings, variants: variants.split(','),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`,
  wallSeconds: seconds,
  runSeconds: Object.fromEntries(['mnist-search.jsonl', 'mnist-seeds.jsonl', 'triangles-search.jsonl'].map((n) => {
    const s = runSeconds(n);
    return [n, { runs: s.length, total: Math.round(sum(s)), mean: +(sum(s) / s.length).toFixed(2) }];
  })),
};
writeFileSync(file('manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(JSON.stringify(manifest, null, 2));
