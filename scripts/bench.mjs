// `npm run bench`: DCGAN step times of the same core on WebGPU and on the CPU backend in
// headless Chromium, and natively on the CPU. A benchmark, not a test: it prints a table.
// Sizes: BENCH_BATCH (8), BENCH_STEPS (10), BENCH_WARMUP (2), BENCH_G_WIDTH (128), BENCH_D_WIDTH (64),
// BENCH_BACKENDS ("webgpu,cpu,native"), BENCH_VARIANTS ("ns-gan"; e.g. "ns-gan,wgan,wgan-gp", or "all").
// One iteration is a generator iteration: n_critic critic steps and one G step.
import { cpus, loadavg } from 'node:os';
import { buildAll } from './build.mjs';
import { serve, urlOf } from './serve.mjs';
import { run } from './tools.mjs';

const env = (k, d) => process.env[k] ?? d;
const batch = Number(env('BENCH_BATCH', 8));
const steps = Number(env('BENCH_STEPS', 10));
const warmup = Number(env('BENCH_WARMUP', 2));
const gWidth = Number(env('BENCH_G_WIDTH', 128));
const dWidth = Number(env('BENCH_D_WIDTH', 64));
const backends = env('BENCH_BACKENDS', 'webgpu,cpu,native').split(',');
const ALL_VARIANTS = ['ns-gan', 'mm-gan', 'lsgan', 'wgan', 'wgan-gp', 'dragan', 'began'];
const variants = env('BENCH_VARIANTS', 'ns-gan') === 'all' ? ALL_VARIANTS : env('BENCH_VARIANTS', 'ns-gan').split(',');

await buildAll();
// Imported after buildAll(), which installs the npm packages on a fresh clone.
const { chromium } = await import('playwright-core');
const rows = [];
const load = [];

if (backends.some((b) => b !== 'native')) {
  const server = await serve({ port: 0 });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
  });
  try {
    for (const variant of variants) for (const backend of backends.filter((b) => b !== 'native')) {
      console.log(`browser ${backend}, ${variant}: batch ${batch}, ${warmup} warm-up + ${steps} timed steps…`);
      load.push(loadavg()[0]);
      const page = await browser.newPage();
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(`${urlOf(server)}www/bench.html?variant=${variant}&backend=${backend}&batch=${batch}&steps=${steps}&warmup=${warmup}&g_width=${gWidth}&d_width=${dWidth}`);
      // Generous: a full-size step on SwiftShader takes minutes.
      const deadline = Date.now() + 3_600_000;
      while (!(await page.evaluate(() => window.benchResult))) {
        if (pageErrors.length) throw new Error(`${backend}: ${pageErrors.join('; ')}`);
        if (Date.now() > deadline) throw new Error(`${backend}: no result within an hour`);
        await page.waitForTimeout(1000);
      }
      const r = await page.evaluate(() => window.benchResult);
      if (r.error) throw new Error(`${backend}: ${r.error}`);
      // Labelled by what ran, not by what was asked for (WebGPU may fall back to the CPU).
      const where = r.backend === 'webgpu' ? 'WebGPU' : `CPU (wasm)${r.fallbackReason ? `, fallback: ${r.fallbackReason}` : ''}`;
      rows.push({ variant, where: `browser, ${where}`, ...r });
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
}

if (backends.includes('native')) {
  for (const variant of variants) {
    console.log(`native CPU, ${variant}: batch ${batch}…`);
    load.push(loadavg()[0]);
    const args = ['run', '--release', '--quiet', '--bin', 'gan', '--', 'bench', '--json', '--variant', variant, '--batch', String(batch), '--steps', String(steps), '--warmup', String(warmup), '--g-width', String(gWidth), '--d-width', String(dWidth)];
    const r = JSON.parse(run('cargo', args, { quiet: true }).trim().split('\n').at(-1));
    rows.push({ variant, where: r.backend === 'native-gpu' ? 'native, GPU (wgpu)' : 'native, CPU', ...r });
  }
}

const ms = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
console.log(`\ndcgan28 (G width ${gWidth}, D width ${dWidth}), batch ${batch}: one iteration = n_critic critic steps + one G step, synced by a loss read-back`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; 1-min load during the runs: ${load.map((l) => l.toFixed(1)).join(', ')}\n`);
console.log('| variant | where | device | first iteration (ms) | median ms per D step | median ms per G iteration (n_critic D + 1 G) | min | max | iterations |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.variant} | ${r.where} | ${r.name} | ${ms(r.firstStepMs)} | ${ms(r.dStepMedianMs)} | ${ms(r.medianMs)} (n_critic ${r.nCritic}) | ${ms(r.minMs)} | ${ms(r.maxMs)} | ${r.steps} |`);
}
