// `npm run bench`: step times of the same DCGAN in one run, interleaved per variant — the core on
// WebGPU and on its CPU backend in headless Chromium, TF.js on its webgpu and wasm backends in the
// same browser (www/bench/bench-tfjs.html), the core natively on the CPU (`gan bench`) and PyTorch on the
// CPU (scripts/bench_torch.py) — then our/their ratios, the WebGPU calls of one iteration (ours and
// TF.js's), memory growth, the time from opening index.html and the article to their first pretrained
// samples with the bytes before them, and the size of what the page downloads. A benchmark, not a test.
// Sizes: BENCH_BATCH (8), BENCH_STEPS (10), BENCH_WARMUP (2), BENCH_G_WIDTH (128), BENCH_D_WIDTH (64),
// BENCH_BACKENDS ("webgpu,webgpu-burn,tfjs-webgpu,cpu,tfjs-wasm,cpu-threads,tfjs-wasm-threads,native,torch";
// webgpu-burn: WebGPU with burn's direct convolution kernels instead of the core's products), BENCH_VARIANTS ("ns-gan,lsgan,wgan-gp";
// or "all"), BENCH_SOAK_STEPS (2000) and BENCH_SOAK_WEBGPU_STEPS (2000): iterations of a small model
// on the CPU backend and on WebGPU, for memory growth (0 skips), BENCH_SOAK_REF_STEPS (300): NS-GAN
// iterations at the bench's widths and batch 64 on the CPU backend, and a fifth as many of WGAN-GP
// (five critic steps each), for memory growth at the reference size (0 skips), BENCH_FIRST_SAMPLE (1:
// the first picture, see firstPictures below; 0 skips) and BENCH_FIRST_SAMPLE_LOADS (3: loads of each
// page and path, each with a cold cache; the table has their medians), BENCH_CHROMIUM_ARGS: more
// Chromium flags, split at spaces, or "auto": the first of scripts/webgpu-adapter.mjs's flag sets that
// gives WebGPU a hardware adapter (headless Chromium's is SwiftShader otherwise). BENCH_BACKENDS=none
// skips the step benches and the soaks (e.g. to time the first picture alone).
// One iteration is a generator iteration: n_critic critic steps and one G step.
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { buildAll } from './build.mjs';
import { CSP, serve, urlOf } from './serve.mjs';
import { SNAPSHOT_EVERY_MS } from '../www/worker/autosave.js';
import { CHROMIUM, CHROMIUM_QUIET, coreSchema, ensureReferencePython, root, run } from './tools.mjs';
import { hardwareAdapterFlags } from './webgpu-adapter.mjs';

const env = (k, d) => process.env[k] ?? d;
const batch = Number(env('BENCH_BATCH', 8));
const steps = Number(env('BENCH_STEPS', 10));
const warmup = Number(env('BENCH_WARMUP', 2));
const gWidth = Number(env('BENCH_G_WIDTH', 128));
const dWidth = Number(env('BENCH_D_WIDTH', 64));
const soakSteps = Number(env('BENCH_SOAK_STEPS', 2000));
const soakWebGpuSteps = Number(env('BENCH_SOAK_WEBGPU_STEPS', 2000));
const soakRefSteps = Number(env('BENCH_SOAK_REF_STEPS', 300));
const firstSample = env('BENCH_FIRST_SAMPLE', '1') !== '0';
const firstSampleLoads = Number(env('BENCH_FIRST_SAMPLE_LOADS', 3));
const backends = env('BENCH_BACKENDS', 'webgpu,webgpu-burn,tfjs-webgpu,cpu,tfjs-wasm,cpu-threads,tfjs-wasm-threads,native,torch').split(',');
const wanted = env('BENCH_VARIANTS', 'ns-gan,lsgan,wgan-gp');
const variants = wanted === 'all' ? coreSchema().variants.map((v) => v.id) : wanted.split(',');
// www/bench/bench-tfjs.html loads TF.js from node_modules, and TF.js's threaded wasm backend starts its
// workers from blob: URLs that import a blob: script; TF.js's bundle also evaluates strings as code
// while it loads (its protobuf and long helpers), so the page's policy plus those and
// 'unsafe-eval' (only on this bench page, served by its own server; never on the site).
const TFJS_CSP = CSP.replace("script-src 'self'", "script-src 'self' blob: 'unsafe-eval'").replace("worker-src 'self'", "worker-src 'self' blob:");
// The variants www/bench/bench-tfjs.html writes in TF.js (by hand, on purpose: an independent port).
const TFJS_VARIANTS = ['ns-gan', 'mm-gan', 'lsgan', 'wgan', 'wgan-gp', 'dragan'];
const WHERE = {
  webgpu: 'browser, WebGPU', 'webgpu-burn': "browser, WebGPU, burn's conv kernels", cpu: 'browser, CPU (wasm)', 'cpu-threads': 'browser, CPU (wasm threads)', 'tfjs-webgpu': 'browser, TF.js webgpu', 'tfjs-wasm': 'browser, TF.js wasm',
  'tfjs-wasm-threads': 'browser, TF.js wasm (threads)',
  native: 'native, CPU', torch: 'native, PyTorch CPU',
};

// BENCH_NO_BUILD=1 measures pkg/ as it is, e.g. a build made with other settings.
if (env('BENCH_NO_BUILD', '0') !== '1') await buildAll();
// Imported after buildAll(), which installs the npm packages on a fresh clone.
const { chromium } = await import('playwright-core');
const rows = [];
const load = [];
const sizeRows = [];
const soak = [];
const firstSamples = [];

const browserBackends = backends.filter((b) => b in WHERE && !['native', 'torch'].includes(b));
const pageOf = (variant, backend, q) => (backend.startsWith('tfjs-')
  ? `www/bench/bench-tfjs.html?variant=${variant}&backend=${backend.slice(5)}&${q}`
  : `www/bench/bench.html?variant=${variant}&backend=${backend}&${q}`);

async function inPage(browser, url, label) {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  try {
    await page.goto(url);
    // Generous: a full-size step on SwiftShader takes minutes.
    const deadline = Date.now() + 3_600_000;
    while (!(await page.evaluate(() => window.benchResult))) {
      if (pageErrors.length) throw new Error(`${label}: ${pageErrors.join('; ')}`);
      if (Date.now() > deadline) throw new Error(`${label}: no result within an hour`);
      await page.waitForTimeout(1000);
    }
    const r = await page.evaluate(() => window.benchResult);
    if (r.error) throw new Error(`${label}: ${r.error}`);
    return r;
  } finally {
    await page.close();
  }
}

const median = (values) => {
  const sorted = values.filter((v) => v != null).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length ? (sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2) : null;
};

// The first picture: from opening index.html and www/article.html to their first pretrained samples
// drawn, with the bytes each needs. "Drawn": the page's first <gan-playground> (index.html's own,
// the article's first figure) has put a grid with lit pixels on its canvas, the preview (the
// pretrained file's opening grid, drawn by `npm run pretrain`; without one, the CPU module draws it
// from the weights) or the run's own, checked at each animation frame (so within a frame of the
// draw). Paths: WebGPU (the bench's browser); no WebGPU adapter (a Chromium without
// --enable-unsafe-webgpu: navigator.gpu is there but gives no adapter, so the worker falls back to
// the CPU without fetching the full module, as in page.test.mjs's fallback test); the CPU chosen by
// the link (?backend=cpu, where the CPU modules alone load and train, and the full module is never
// fetched). Bytes are the bodies of the browser's responses (Content-Length, as scripts/serve.mjs
// sends them: uncompressed, headers not counted): those the grid needs (all that had arrived when
// its opening grid did, or its pretrained weights where it has none, the last file it waits for:
// the page opens its run once the CPU module has told it the core's settings; the training data,
// which the CPU path fetches as soon as its module is there, left out), those whose last byte
// arrived before it was drawn (on loopback, some of what comes next too), and in all: once the page
// is idle after the run's own first grid (opening it), and once it is idle again after scrolling
// through it, so that every lazy figure opens its run (reading it all). Each load in a browser of
// its own: an empty HTTP cache, no saved runs, no compiled shaders, and no GPU work left over from
// the load before (on SwiftShader that slowed the next load's preview several times over).
async function firstPictures(server, extraFlags) {
  const PAGES = ['index.html', 'www/article.html'];
  const webgpu = [...CHROMIUM_QUIET, '--enable-unsafe-webgpu', ...extraFlags];
  const PATHS = [
    { path: 'WebGPU', args: webgpu, query: '' },
    { path: 'no WebGPU adapter', args: CHROMIUM_QUIET, query: '' },
    { path: 'CPU chosen (?backend=cpu)', args: webgpu, query: '?backend=cpu' },
  ];
  const results = [];
  for (const url of PAGES) {
    for (const { path, args, query } of PATHS) {
      const loads = [];
      for (let i = 0; i < firstSampleLoads; i++) {
        console.log(`${url}, ${path}: first pretrained samples, load ${i + 1} of ${firstSampleLoads}…`);
        loads.push(await firstPicture(args, `${urlOf(server)}${url}${query}`));
      }
      const pick = (k) => median(loads.map((l) => l[k]));
      results.push({
        url, path, loads: loads.length, backend: [...new Set(loads.map((l) => l.backend))].join(', '),
        previews: loads.filter((l) => l.preview).length, fromOpening: loads.filter((l) => l.fromOpening).length, ms: pick('ms'), runMs: pick('runMs'), before: pick('before'), requestsBefore: pick('requestsBefore'), needed: pick('needed'), requestsNeeded: pick('requestsNeeded'),
        opened: pick('opened'), read: pick('read'), requests: pick('requests'), msAll: loads.map((l) => l.ms),
      });
    }
  }
  return results;
}

async function firstPicture(args, url) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args });
  const context = await browser.newContext();
  const responses = []; // {bytes, end: epoch ms of the last byte}
  let inFlight = 0;
  let lastActivity = Date.now();
  const pending = [];
  context.on('request', (r) => {
    if (!r.url().startsWith('http')) return; // blob: and data: URLs are not downloads
    inFlight += 1;
    lastActivity = Date.now();
  });
  const settle = (r, finished) => {
    if (!r.url().startsWith('http')) return;
    const now = Date.now();
    pending.push((async () => {
      try {
        if (!finished) return;
        const response = await r.response();
        const length = response && Number((await response.allHeaders())['content-length']);
        const bytes = Number.isFinite(length) ? length : ((await r.sizes())?.responseBodySize ?? 0);
        const t = r.timing();
        // (when the browser gives no timing, the moment the event reached the bench)
        responses.push({ bytes, end: t.responseEnd >= 0 ? t.startTime + t.responseEnd : now, weights: r.url().endsWith('.safetensors'), opening: r.url().endsWith('.opening.u8'), data: r.url().includes('/www/data/') });
      } catch {
        // the context closed while this response was read: after the last count
      } finally {
        inFlight -= 1;
        lastActivity = Date.now();
      }
    })());
  };
  context.on('requestfinished', (r) => settle(r, true));
  context.on('requestfailed', (r) => settle(r, false));
  // No request in flight for a second and a half (a page opening figures may start more).
  const idle = async () => {
    const deadline = Date.now() + 300_000;
    while (inFlight > 0 || Date.now() - lastActivity < 1500) {
      if (Date.now() > deadline) throw new Error(`${url}: still downloading after 5 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all(pending);
    return responses.reduce((sum, r) => sum + r.bytes, 0);
  };
  try {
    const page = await context.newPage();
    await page.goto(url);
    const gridShown = async (runOnly) => (await page.waitForFunction((runOnly) => {
      const canvas = document.querySelector('gan-playground')?.shadowRoot?.querySelector('[data-role=samples]');
      const preview = canvas?.dataset.preview === 'true';
      if (!(canvas?.dataset.step !== undefined || (preview && !runOnly))) return false;
      const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let lit = false;
      for (let i = 0; i < px.length && !lit; i += 4) lit = px[i] > 127;
      return lit && { ms: performance.now(), at: performance.timeOrigin + performance.now(), preview };
    }, runOnly, { timeout: 600_000, polling: 'raf' })).jsonValue();
    const first = await gridShown(false);
    const own = await gridShown(true);
    const opened = await idle();
    const backend = await page.evaluate(() => document.querySelector('gan-playground').shadowRoot.querySelector('[data-role=backend]').dataset.kind);
    const before = responses.filter((r) => r.end <= first.at);
    // The preview's last file: its opening grid, or (without one) the weights the CPU module draws from.
    const opening = before.filter((r) => r.opening).map((r) => r.end);
    const last = opening.length ? Math.min(...opening) : Math.min(...before.filter((r) => r.weights).map((r) => r.end));
    const needed = before.filter((r) => r.end <= last && !r.data);
    for (let y = 0; y < (await page.evaluate(() => document.body.scrollHeight)); y += 600) {
      await page.evaluate((y) => window.scrollTo(0, y), y);
      await page.waitForTimeout(150);
    }
    const read = await idle();
    return {
      ms: first.ms, preview: first.preview, fromOpening: first.preview && opening.length > 0, runMs: own.ms, backend,
      before: before.reduce((sum, r) => sum + r.bytes, 0), requestsBefore: before.length,
      needed: needed.length ? needed.reduce((sum, r) => sum + r.bytes, 0) : null, requestsNeeded: needed.length, opened, read, requests: responses.length,
    };
  } finally {
    await browser.close();
  }
}

if (browserBackends.length || firstSample) {
  // The core's pages under the site's own policy; the TF.js page from a second server.
  const server = await serve({ port: 0 });
  const tfjsServer = await serve({ port: 0, extra: ['node_modules/@tensorflow'], csp: TFJS_CSP });
  let extraFlags = env('BENCH_CHROMIUM_ARGS', '').split(' ').filter(Boolean);
  if (extraFlags.join() === 'auto') {
    console.log('Chromium flags for a hardware WebGPU adapter…');
    extraFlags = (await hardwareAdapterFlags({ log: (line) => console.log(`  ${line}`) })) ?? [];
    console.log(`  using: ${extraFlags.join(' ') || '(none: SwiftShader)'}`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_QUIET, '--enable-unsafe-webgpu', '--enable-precise-memory-info', '--js-flags=--expose-gc', ...extraFlags],
  });
  try {
    const q = `batch=${batch}&steps=${steps}&warmup=${warmup}&g_width=${gWidth}&d_width=${dWidth}`;
    for (const variant of variants) {
      for (const backend of browserBackends) {
        if (backend.startsWith('tfjs-') && !TFJS_VARIANTS.includes(variant)) continue;
        console.log(`${WHERE[backend]}, ${variant}: batch ${batch}, ${warmup} warm-up + ${steps} timed iterations…`);
        load.push(loadavg()[0]);
        const r = await inPage(browser, `${urlOf(backend.startsWith('tfjs-') ? tfjsServer : server)}${pageOf(variant, backend, q)}`, `${backend} ${variant}`);
        // Labelled by what ran, not by what was asked for (WebGPU may fall back to the CPU).
        const where = r.backend === 'cpu' && backend.startsWith('webgpu') ? `browser, CPU (wasm), fallback: ${r.fallbackReason}` : WHERE[backend];
        rows.push({ variant, key: backend, where, ...r });
        console.log(`  ${r.name}: ${r.medianMs.toFixed(1)} ms per G iteration${r.calls?.dispatches ? `, ${r.calls.dispatches} dispatches` : ''}`);
      }
    }
    // Memory over many iterations of a small model, after 40 warm-up iterations: burn's GPU
    // memory pool adds buffers over the first ~30 (one per new size class) and then holds.
    // On SwiftShader the WebGPU soak takes about 9 minutes (BENCH_SOAK_WEBGPU_STEPS shortens it).
    for (const [backend, n] of [['cpu', soakSteps], ['webgpu', soakWebGpuSteps]]) {
      if (!(n > 0) || !browserBackends.includes(backend)) continue;
      console.log(`memory: ${n} NS-GAN iterations on ${WHERE[backend]} (G width 8, D width 8, batch 4)…`);
      const r = await inPage(browser, `${urlOf(server)}www/bench/bench.html?variant=ns-gan&backend=${backend}&batch=4&steps=${n}&warmup=40&g_width=8&d_width=8`, `soak ${backend}`);
      soak.push({ where: WHERE[backend], run: 'soak, ns-gan 8/8, batch 4', ...r });
    }
    // The reference size on the CPU backend, where every tensor lives in wasm memory (20 warm-up
    // iterations: the allocator's high-water mark is reached within the first few).
    if (soakRefSteps > 0 && browserBackends.includes('cpu')) {
      for (const [variant, n] of [['ns-gan', soakRefSteps], ['wgan-gp', Math.ceil(soakRefSteps / 5)]]) {
        console.log(`memory: ${n} ${variant} iterations on ${WHERE.cpu} (G width ${gWidth}, D width ${dWidth}, batch 64)…`);
        const r = await inPage(browser, `${urlOf(server)}www/bench/bench.html?variant=${variant}&backend=cpu&batch=64&steps=${n}&warmup=20&g_width=${gWidth}&d_width=${dWidth}`, `soak ${variant} reference size`);
        soak.push({ where: WHERE.cpu, run: `soak, ${variant} ${gWidth}/${dWidth}, batch 64`, ...r });
      }
    }
    if (firstSample) firstSamples.push(...await firstPictures(server, extraFlags));
  } finally {
    await browser.close();
    server.close();
    tfjsServer.close();
  }
}

// The options `gan bench` and scripts/bench_torch.py share.
const sizeArgs = (variant) => ['--variant', variant, '--batch', String(batch), '--steps', String(steps), '--warmup', String(warmup), '--g-width', String(gWidth), '--d-width', String(dWidth)];
// Natively, ours and PyTorch's per variant, one after the other, so that both meet the same load.
const python = backends.includes('torch') ? ensureReferencePython() : null;
for (const variant of variants) {
  if (backends.includes('native')) {
    console.log(`native CPU, ${variant}: batch ${batch}…`);
    load.push(loadavg()[0]);
    const args = ['run', '--release', '--quiet', '--bin', 'gan', '--', 'bench', '--json', ...sizeArgs(variant)];
    const r = JSON.parse(run('cargo', args, { quiet: true }).trim().split('\n').at(-1));
    rows.push({ variant, key: 'native', where: r.backend === 'native-gpu' ? 'native, GPU (wgpu)' : WHERE.native, ...r });
  }
  if (python) {
    console.log(`PyTorch CPU, ${variant}: batch ${batch}…`);
    load.push(loadavg()[0]);
    const args = [join(root, 'scripts', 'bench_torch.py'), ...sizeArgs(variant)];
    const r = JSON.parse(run(python, args, { quiet: true }).trim().split('\n').at(-1));
    rows.push({ variant, key: 'torch', where: WHERE.torch, ...r });
  }
}

for (const [label, path] of [['core (.wasm)', 'pkg/gan_playground_bg.wasm'], ['bindings (.js)', 'pkg/gan_playground.js'],
  ['CPU module (.wasm)', 'pkg/cpu/gan_playground_bg.wasm'], ['CPU module bindings (.js)', 'pkg/cpu/gan_playground.js'],
  ['default weights (NS-GAN)', 'www/pretrained/ns-gan.safetensors'], ['its opening grid', 'www/pretrained/ns-gan.opening.u8'], ['training data (MNIST, gzip)', 'www/data/mnist.bin.gz'],
  ['classifier', 'www/metrics/mnist-classifier.safetensors']]) {
  if (!existsSync(join(root, path))) {
    console.log(`(${path} is missing: not built, so not in the size table)`);
    continue;
  }
  const bytes = readFileSync(join(root, path));
  // Brotli as static hosts and CDNs send it (quality 11): what most readers would download.
  const brotli = brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_LGWIN]: 24 } });
  sizeRows.push({ label, path, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli: brotli.length });
}

const ms = (v) => (v == null ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const mb = (v) => (v == null ? '–' : `${(v / 1048576).toFixed(2)} MB`);
console.log(`\ndcgan28 (G width ${gWidth}, D width ${dWidth}), batch ${batch}: one iteration = n_critic critic steps + one G step, synced by a loss read-back`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; 1-min load during the runs: ${load.map((l) => l.toFixed(1)).join(', ')}\n`);
console.log('| variant | where | device | first iteration (ms) | median ms per D step | median ms per G iteration (n_critic D + 1 G) | min | max | iterations | conv GFLOP/s |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
// The convolutions' arithmetic per iteration, as the core's products count it (the same on every
// path and backend of the core, so burn's kernels get the products' count).
const gflopOf = (variant) => rows.find((r) => r.variant === variant && r.convGflop)?.convGflop;
for (const r of rows) {
  const gflop = r.key.startsWith('tfjs-') || r.key === 'torch' ? null : gflopOf(r.variant);
  const rate = gflop && r.medianMs ? (gflop / r.medianMs * 1000).toFixed(2) : '–';
  console.log(`| ${r.variant} | ${r.where} | ${r.name} | ${ms(r.firstStepMs)} | ${ms(r.dStepMedianMs)} | ${ms(r.medianMs)} (n_critic ${r.nCritic}) | ${ms(r.minMs)} | ${ms(r.maxMs)} | ${r.steps} | ${rate} |`);
}

// Ours over theirs on the matching backend, from the same run: below 1 is faster.
const PAIRS = [
  ['webgpu', 'tfjs-webgpu', 'WebGPU / TF.js webgpu'], ['webgpu', 'webgpu-burn', "WebGPU: products / burn's conv kernels"], ['cpu', 'tfjs-wasm', 'CPU (wasm) / TF.js wasm'],
  ['cpu-threads', 'tfjs-wasm-threads', 'CPU (wasm threads) / TF.js wasm (threads)'], ['cpu-threads', 'cpu', 'CPU (wasm threads) / one thread'],
  ['native', 'torch', 'native CPU / PyTorch CPU'],
];
const ratioLines = [];
for (const variant of variants) {
  for (const [ours, theirs, label] of PAIRS) {
    const a = rows.find((r) => r.variant === variant && r.key === ours);
    const b = rows.find((r) => r.variant === variant && r.key === theirs);
    const ratio = (x, y) => (x == null || y == null ? '–' : (x / y).toFixed(2));
    if (a && b) ratioLines.push(`| ${variant} | ${label} | ${ratio(a.dStepMedianMs, b.dStepMedianMs)} | ${ratio(a.medianMs, b.medianMs)} |`);
  }
}
if (ratioLines.length) {
  console.log('\n| variant | ours / theirs | D step ratio | G iteration ratio |\n|---|---|---:|---:|');
  ratioLines.forEach((l) => console.log(l));
}

// The WebGPU calls of one G iteration (www/bench/bench-gpu-calls.js wraps them in both pages), ours
// and TF.js's from the same run; what a real GPU pays per launch, whatever its speed.
const counted = rows.filter((r) => r.calls?.dispatches > 0);
if (counted.length) {
  console.log(`\n| variant | where | dispatches per G iteration | ours / TF.js | compute passes | submits | command buffers | copied between buffers | written from JS |\n|---|---|---:|---:|---:|---:|---:|---:|---:|`);
  for (const r of counted) {
    const c = r.calls;
    const tfjs = r.key === 'webgpu' && counted.find((t) => t.variant === r.variant && t.key === 'tfjs-webgpu');
    console.log(`| ${r.variant} | ${r.where} | ${c.dispatches} | ${tfjs ? (c.dispatches / tfjs.calls.dispatches).toFixed(2) : '–'} | ${c.passes} | ${c.submits} | ${c.commandBuffers} | ${mb(c.copiedBytes)} | ${mb(c.writtenBytes)} |`);
  }
}

const grown = rows.filter((r) => r.growth || r.tensorGrowth != null);
if (grown.length || soak.length) {
  console.log('\n| run | where | iterations after warm-up | live GPU buffers (growth) | GPU bytes (growth) | wasm memory (growth) | JS heap (growth) | TF.js tensors (growth) |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of [...grown.map((r) => ({ ...r, run: r.variant })), ...soak]) {
    const m = r.memory ?? {};
    const g = r.growth ?? {};
    const pair = (v, d, f) => (v == null ? '–' : `${f(v)} (${d >= 0 ? '+' : ''}${f(d)})`);
    console.log(`| ${r.run} | ${r.where} | ${r.steps} | ${pair(m.gpuBuffers, g.gpuBuffers, String)} | ${pair(m.gpuBytes, g.gpuBytes, mb)} | ${pair(m.wasmBytes, g.wasmBytes, mb)} | ${pair(m.jsHeapBytes, g.jsHeapBytes, mb)} | ${r.tensors == null ? '–' : `${r.tensors} (+${r.tensorGrowth})`} |`);
  }
}
const snapshots = rows.filter((r) => r.snapshot);
if (snapshots.length) {
  // A snapshot is taken once per SNAPSHOT_EVERY_MS of training: the loop waits while the run is
  // read and serialised; the file is written while training goes on.
  const every = SNAPSHOT_EVERY_MS;
  console.log(`\n| autosave | where | run file | read + serialise (ms, the loop waits) | OPFS write (ms, alongside training) | step-time overhead at one snapshot per ${every / 1000} s of training |\n|---|---|---:|---:|---:|---:|`);
  for (const r of snapshots) {
    const { bytes, saveMs, writeMs } = r.snapshot;
    console.log(`| ${r.variant} | ${r.where} | ${mb(bytes)} | ${ms(saveMs)} | ${ms(writeMs)} | ${(100 * saveMs / every).toFixed(2)} % |`);
  }
}
if (firstSamples.length) {
  console.log(`\nThe first picture: ms after navigation start, median of ${firstSampleLoads} cold loads; bytes: response bodies, uncompressed as the dev server sends them`);
  console.log('| page | path | backend | first pretrained samples drawn (ms) | each load (ms) | drawn by | needed for them | received before them | the run\'s own first grid (ms) | downloaded on opening (idle) | downloaded after scrolling through | requests |');
  console.log('|---|---|---|---:|---|---|---:|---:|---:|---:|---:|---:|');
  for (const f of firstSamples) {
    console.log(`| ${f.url} | ${f.path} | ${f.backend} | ${ms(f.ms)} | ${f.msAll.map(ms).join(', ')} | ${f.fromOpening === f.loads ? 'its opening grid (preview)' : f.previews === f.loads ? 'the CPU module (preview)' : f.previews ? `the preview in ${f.previews} of ${f.loads} loads, else the run` : 'the run'} | ${mb(f.needed)} (${f.requestsNeeded} files) | ${mb(f.before)} (${f.requestsBefore} files) | ${ms(f.runMs)} | ${mb(f.opened)} | ${mb(f.read)} | ${f.requests} |`);
  }
}
console.log('\n| download | file | bytes | gzip -9 | brotli 11 |\n|---|---|---:|---:|---:|');
sizeRows.forEach((s) => console.log(`| ${s.label} | ${s.path} | ${mb(s.bytes)} | ${mb(s.gzip)} | ${mb(s.brotli)} |`));
const total = (...labels) => {
  const parts = sizeRows.filter((s) => labels.includes(s.label));
  return `${mb(parts.reduce((t, s) => t + s.gzip, 0))} | ${mb(parts.reduce((t, s) => t + s.brotli, 0))}`;
};
console.log(`| before the first pretrained samples: CPU module .wasm + bindings + opening grid | | | ${total('CPU module (.wasm)', 'CPU module bindings (.js)', 'its opening grid')} |`);
console.log(`| to train on the CPU: CPU module .wasm + bindings + default weights | | | ${total('CPU module (.wasm)', 'CPU module bindings (.js)', 'default weights (NS-GAN)')} |`);
console.log(`| to train: .wasm + bindings + default weights | | | ${total('core (.wasm)', 'bindings (.js)', 'default weights (NS-GAN)')} |`);
console.log(`| to train, with the data | | | ${total('core (.wasm)', 'bindings (.js)', 'default weights (NS-GAN)', 'training data (MNIST, gzip)')} |`);
