// Page tests: the real page, the real wasm module and real WebGPU (SwiftShader) in the system
// Chromium, driven by playwright-core. Narrow networks keep SwiftShader's steps short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve, urlOf } from '../../scripts/serve.mjs';
import { coreSchema, root } from '../../scripts/tools.mjs';
import { CHROMIUM, OUT, QUIET, canvasPixels, env, gridWhen, open, stats } from './helpers.mjs';

const SMALL = '?g_width=8&d_width=8&batch=8';

const stepOf = (page) => page.evaluate(() => Number($pg('stat-step').textContent));

/** A 16-bin histogram of grey levels, as fractions. */
const histogram = (pixels) => {
  const h = new Array(16).fill(0);
  for (const v of pixels) h[Math.min(15, v >> 4)] += 1;
  return h.map((c) => c / pixels.length);
};
const l1 = (a, b) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0);

/** The grey-level histogram of the first 2,000 MNIST digits of the page's data file. */
function mnistHistogram() {
  const bytes = readFileSync(join(root, 'www', 'data', 'mnist.bin'));
  return histogram(bytes.subarray(20, 20 + 2000 * 784));
}

test('the page opens on a pretrained generator that draws digits before any training', { timeout: 600_000 }, async () => {
  const manifest = JSON.parse(readFileSync(join(root, 'www', 'pretrained', 'manifest.json'), 'utf8'));
  const page = await open(`?backend=cpu`);
  const steps = String(manifest.models.find((m) => m.variant === manifest.default).steps);
  await page.waitForFunction((s) => $pg('message').textContent === `Opened on a generator trained beforehand for ${Number(s).toLocaleString('en')} steps (ns-gan.safetensors). Play trains on from it; Reset starts from noise.`, steps, { timeout: 180_000 });
  await page.waitForFunction((s) => $pg('samples').dataset.step === s, steps, { timeout: 180_000 });
  assert.equal(await stepOf(page), Number(steps));
  const trained = histogram(await canvasPixels(page));
  const fresh = await open(`?backend=cpu&pretrained=0`);
  await fresh.waitForFunction(() => $pg('samples').dataset.step === '0', null, { timeout: 180_000 });
  const untrained = histogram(await canvasPixels(fresh));
  const mnist = mnistHistogram();
  const [dTrained, dUntrained] = [l1(trained, mnist), l1(untrained, mnist)];
  console.log(`grey-level histogram L1 distance to MNIST: pretrained ${dTrained.toFixed(3)}, untrained ${dUntrained.toFixed(3)}`);
  assert.ok(dTrained < 0.5 * dUntrained && dTrained < 0.5, `pretrained samples look like MNIST (${dTrained.toFixed(3)} vs noise ${dUntrained.toFixed(3)})`);
  await page.screenshot({ path: join(OUT, 'pretrained.png') });
  assert.deepEqual([...page.errors, ...fresh.errors], []);
  await fresh.close();
  await page.close();
});

test('the first samples are the pretrained file\'s opening grid, and the run then shows the same grid on WebGPU', { timeout: 600_000 }, async () => {
  const page = await open('');
  const first = await gridWhen(page);
  assert.equal(first.preview, true, 'the opening grid is drawn before the full module is ready');
  assert.ok(page.requested.includes('/www/pretrained/ns-gan.opening.u8'), 'the preview is the file drawn beforehand');
  assert.match(first.message, /trained beforehand/);
  const manifest = JSON.parse(readFileSync(join(root, 'www', 'pretrained', 'manifest.json'), 'utf8'));
  assert.equal(first.step, String(manifest.models.find((m) => m.variant === manifest.default).steps));
  const own = await gridWhen(page, { runOnly: true });
  assert.equal(own.preview, false);
  assert.equal(await page.evaluate(() => $pg('backend').dataset.kind), 'webgpu');
  const worst = Math.max(...first.pixels.map((v, i) => Math.abs(v - own.pixels[i])));
  assert.equal(first.pixels.length, own.pixels.length);
  assert.ok(worst <= 2, `the run's own grid (WebGPU) is the opening grid: largest grey-level difference ${worst}`);
  assert.ok(stats(own.pixels).std > 30, 'the grid is not blank');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('without its opening grid (a manifest from before them, a failed download) the CPU module draws the preview', { timeout: 600_000 }, async () => {
  const context = await env.browser.newContext();
  await context.route('**/*.opening.u8', (route) => route.abort());
  const warnings = [];
  context.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  const page = await open('?backend=cpu', context);
  const first = await gridWhen(page);
  assert.equal(first.preview, true, 'a preview before the run opens');
  const own = await gridWhen(page, { runOnly: true });
  assert.deepEqual(first.pixels, own.pixels, 'the CPU module\'s preview is the run\'s own grid');
  assert.ok(warnings.some((w) => /^preview: .*opening/.test(w)), `the failed download is noted: ${warnings.join('; ')}`);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('Start trains on WebGPU: the step count rises and the samples change', { timeout: 900_000 }, async () => {
  const page = await open(SMALL);
  await page.waitForFunction(() => /WebGPU/.test($pg('backend').textContent), null, { timeout: 180_000 });
  await page.waitForFunction(() => $pg('samples').dataset.step === '0', null, { timeout: 180_000 });
  const before = await canvasPixels(page);
  assert.ok(stats(before).std > 3, `the step-0 grid shows the untrained generator's noise (std ${stats(before).std.toFixed(1)})`);

  await page.click('gan-playground[hash] [data-role=play]');
  await page.waitForFunction(() => Number($pg('stat-step').textContent) >= 10, null, { timeout: 840_000, polling: 500 });
  await page.click('gan-playground[hash] [data-role=play]'); // pause
  await page.waitForFunction(() => $pg('play').textContent === 'Play', null, { timeout: 120_000 });
  await page.waitForFunction(() => Number($pg('samples').dataset.step) >= 10, null, { timeout: 120_000 });

  const afterPixels = await canvasPixels(page);
  const { std } = stats(afterPixels);
  console.log(`step-0 grid: grey ${JSON.stringify(stats(before))}; after training: ${JSON.stringify(stats(afterPixels))}`);
  const change = afterPixels.reduce((a, v, i) => a + Math.abs(v - before[i]), 0) / afterPixels.length;
  assert.ok(std > 3, `the sample canvas is not blank (grey-level std ${std.toFixed(1)})`);
  assert.ok(change > 1, `the samples changed since step 0 (mean |Δ| ${change.toFixed(2)})`);
  for (const id of ['gan-playground[hash] [data-role=stat-d]', 'gan-playground[hash] [data-role=stat-g]']) {
    const v = Number(await page.$eval(id, (e) => e.textContent));
    assert.ok(Number.isFinite(v), `${id} shows a finite loss`);
  }
  assert.ok(Number(await page.$eval('gan-playground[hash] [data-role=stat-rate]', (e) => e.textContent)) > 0, 'steps/s is shown');
  await page.screenshot({ path: join(OUT, 'playground-webgpu.png') });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Step and Reset work on the CPU backend when asked for, without the full module', { timeout: 600_000 }, async () => {
  // The backend from the link's hash, as every setting.
  const page = await open(`#backend=cpu&g_width=8&d_width=8&batch=4`);
  await page.waitForFunction(() => /CPU/.test($pg('backend').textContent), null, { timeout: 120_000 });
  await page.waitForSelector('gan-playground[hash] [data-role=step]:not([disabled])');
  await page.click('gan-playground[hash] [data-role=step]');
  await page.waitForFunction(() => $pg('stat-step').textContent === '1', null, { timeout: 300_000 });
  await page.click('gan-playground[hash] [data-role=reset]');
  await page.waitForFunction(() => $pg('stat-step').textContent === '0', null, { timeout: 300_000 });
  assert.equal(await stepOf(page), 0);
  // The dev server isolates the page: the CPU module on every core trains; the one-thread module,
  // whose start needs no pool of workers, drew the first samples before it.
  assert.ok(page.requested.includes('/pkg/cpu-threads/gan_playground_bg.wasm'), 'the threaded CPU module was loaded');
  assert.ok(page.requested.includes('/pkg/cpu/gan_playground_bg.wasm'), 'the one-thread CPU module was loaded');
  assert.ok(!page.requested.includes('/pkg/gan_playground_bg.wasm'), 'the full (WebGPU) module was not downloaded');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('choosing WGAN resets the run with its own schedule and shows its Wasserstein estimate', { timeout: 600_000 }, async () => {
  const page = await open(`?backend=cpu&g_width=8&d_width=8&batch=8`);
  await page.waitForSelector('gan-playground[hash] [data-role=variant]:not([disabled])', { timeout: 120_000 });
  const titles = await page.$$eval('gan-playground[hash] [data-role=variant] option', (os) => os.map((o) => o.value));
  assert.deepEqual(titles, coreSchema().variants.map((v) => v.id), 'the menu lists the core\'s variants, in its order');
  await page.selectOption('gan-playground[hash] [data-role=variant]', 'wgan');
  await page.waitForFunction(() => /RMSProp/.test($pg('schedule').textContent), null, { timeout: 120_000 });
  assert.match(await page.$eval('gan-playground[hash] [data-role=schedule]', (e) => e.textContent), /5 critic steps per G step/);
  await page.click('gan-playground[hash] [data-role=step]');
  await page.waitForFunction(() => $pg('stat-step').textContent === '1', null, { timeout: 300_000 });
  const estimate = await page.$eval('gan-playground[hash] [data-role=variant-stats]', (e) => e.textContent);
  // (a number under 0.001 is shown with its exponent, 8.2e-4, not as 0.001)
  assert.match(estimate, /W estimate\s*(-?\d+\.\d{3}|-?\d(\.\d)?e-\d+)/);
  // The critic weight histogram: every weight within the clipping bound c = 0.01.
  await page.waitForFunction(() => /weights in/.test($pg('histogram-range').textContent), null, { timeout: 120_000 });
  const range = await page.$eval('gan-playground[hash] [data-role=histogram-range]', (e) => e.textContent);
  const limit = Number(range.match(/, ([\d.e-]+)\]/)[1]);
  assert.ok(limit > 0 && limit <= 0.01, `WGAN's critic weights lie in [−0.01, 0.01]: ${range}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('BEGAN shows its γ dial; a change applies mid-run and the run keeps going', { timeout: 600_000 }, async () => {
  const page = await open(`?backend=cpu&g_width=8&d_width=8&batch=4&variant=began`);
  await page.waitForSelector('gan-playground[hash] [data-role=knobs] input[data-knob="gamma"]', { timeout: 120_000 });
  assert.equal(await page.$eval('gan-playground[hash] [data-role=knobs] input', (e) => e.value), '0.5');
  await page.$eval('gan-playground[hash] [data-role=knobs] input', (e) => {
    e.value = '0.8';
    e.dispatchEvent(new Event('input'));
    e.dispatchEvent(new Event('change'));
  });
  await page.click('gan-playground[hash] [data-role=step]');
  await page.waitForFunction(() => $pg('stat-step').textContent === '1', null, { timeout: 300_000 });
  assert.equal(await page.$eval('gan-playground[hash] [data-role=knobs] output', (e) => e.textContent), '0.8');
  assert.match(await page.$eval('gan-playground[hash] [data-role=variant-stats]', (e) => e.textContent), /k_t\s*(0\.\d{3}|\d(\.\d)?e-\d+).*M_global\s*\d+\.\d{3}/s);
  // Another variant brings its own knobs, at their defaults.
  await page.selectOption('gan-playground[hash] [data-role=variant]', 'wgan-gp');
  await page.waitForSelector('gan-playground[hash] [data-role=knobs] input[data-knob="lambda"]', { timeout: 120_000 });
  assert.equal(await page.$eval('gan-playground[hash] [data-role=knobs] input', (e) => e.value), '10');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('weights download, load back, and a bad file is refused with the run kept', { timeout: 600_000 }, async () => {
  const page = await open(`?backend=cpu&g_width=8&d_width=8&batch=4&variant=lsgan`);
  await page.waitForSelector('gan-playground[hash] [data-role=save]:not([disabled])', { timeout: 120_000 });
  await page.click('gan-playground[hash] [data-role=step]');
  await page.waitForFunction(() => $pg('samples').dataset.step === '1', null, { timeout: 300_000 });
  const trained = await canvasPixels(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('gan-playground[hash] [data-role=save]')]);
  assert.match(download.suggestedFilename(), /^lsgan-step1\.safetensors$/);
  const saved = join(OUT, 'saved.safetensors');
  await download.saveAs(saved);

  // A corrupt file: a clear message, and the run goes on as it was.
  const bad = join(OUT, 'bad.safetensors');
  writeFileSync(bad, readFileSync(saved).subarray(0, 100));
  await page.setInputFiles('gan-playground[hash] [data-role=load]', bad);
  await page.waitForFunction(() => /^bad\.safetensors: /.test($pg('message').textContent), null, { timeout: 60_000 });
  assert.match(await page.$eval('gan-playground[hash] [data-role=message]', (e) => e.textContent), /truncated|out of range|not valid JSON/);
  assert.equal(await stepOf(page), 1);

  // Reset to fresh weights, then load the file: the step count and the samples come back.
  await page.click('gan-playground[hash] [data-role=reset]');
  await page.waitForFunction(() => $pg('samples').dataset.step === '0', null, { timeout: 300_000 });
  await page.setInputFiles('gan-playground[hash] [data-role=load]', saved);
  await page.waitForFunction(() => /Loaded the generator and critic/.test($pg('message').textContent), null, { timeout: 120_000 });
  await page.waitForFunction(() => $pg('samples').dataset.step === '1', null, { timeout: 120_000 });
  assert.deepEqual(await canvasPixels(page), trained, 'the loaded generator draws the saved samples');
  assert.equal(await page.$eval('gan-playground[hash] [data-role=variant]', (e) => e.value), 'lsgan');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a PyTorch dcgan64 generator state dict is drawn (64×64 RGB), and Reset goes back to training', { timeout: 600_000 }, async () => {
  const page = await open(`?backend=cpu&g_width=8&d_width=8&batch=4`);
  await page.waitForSelector('gan-playground[hash] [data-role=save]:not([disabled])', { timeout: 120_000 });
  await page.setInputFiles('gan-playground[hash] [data-role=load]', join(root, 'tests', 'fixtures', 'forward', 'dcgan64-generator.safetensors'));
  await page.waitForFunction(() => $pg('samples').dataset.model === '3x64x64', null, { timeout: 120_000 });
  assert.match(await page.$eval('gan-playground[hash] [data-role=message]', (e) => e.textContent), /dcgan64 generator/);
  const { width, std } = await page.$eval('gan-playground[hash] [data-role=samples]', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < d.length; i += 4) {
      sum += d[i + 1];
      sq += d[i + 1] ** 2;
    }
    const n = d.length / 4;
    return { width: c.width, std: Math.sqrt(sq / n - (sum / n) ** 2) };
  });
  assert.equal(width, 8 * 65 + 1);
  assert.ok(std > 3, `the 64×64 samples are not blank (std ${std.toFixed(1)})`);
  assert.equal(await page.$eval('gan-playground[hash] [data-role=play]', (e) => e.disabled), true);
  await page.click('gan-playground[hash] [data-role=reset]');
  await page.waitForFunction(() => $pg('samples').dataset.step === '0' && !$pg('samples').dataset.model, null, { timeout: 120_000 });
  await page.waitForSelector('gan-playground[hash] [data-role=play]:not([disabled])', { timeout: 120_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('?weights= opens on a PyTorch dcgan28 generator state dict, its widths read off the file', { timeout: 600_000 }, async () => {
  const page = await open(`?backend=cpu&weights=tests/fixtures/forward/dcgan28-generator.safetensors`);
  await page.waitForFunction(() => /^Loaded the generator from dcgan28-generator/.test($pg('message').textContent), null, { timeout: 180_000 });
  await page.waitForFunction(() => $pg('samples').dataset.step === '0', null, { timeout: 180_000 });
  assert.ok(stats(await canvasPixels(page)).std > 3, 'the loaded generator draws');
  const bad = await open(`?backend=cpu&weights=www/style.css`);
  await bad.waitForFunction(() => /could not be loaded/.test($pg('message').textContent), null, { timeout: 180_000 });
  assert.match(await bad.$eval('gan-playground[hash] [data-role=message]', (e) => e.textContent), /style\.css/);
  await bad.waitForSelector('gan-playground[hash] [data-role=play]:not([disabled])', { timeout: 120_000 });
  assert.deepEqual([...page.errors, ...bad.errors], []);
  await bad.close();
  await page.close();
});

test('without a WebGPU adapter the page falls back to the CPU, says why and trains with the CPU module', { timeout: 300_000 }, async () => {
  const plain = await chromium.launch({ executablePath: CHROMIUM, args: QUIET });
  try {
    const page = await open(SMALL, plain);
    await page.waitForFunction(() => /, the fallback: /.test($pg('backend').textContent), null, { timeout: 120_000 });
    const message = await page.$eval('gan-playground[hash] [data-role=message]', (e) => (e.hidden ? '' : e.textContent));
    assert.match(message, /WebGPU is not available/);
    assert.match(await page.evaluate(() => $pg('backend').textContent), /^CPU \(burn flex, \d+ threads?\), the fallback: this browser has WebGPU but no adapter for it$/);
    await page.waitForSelector('gan-playground[hash] [data-role=play]:not([disabled])');
    // It trains, on the CPU module (the full module's CPU backend is built for size, not speed).
    await page.click('gan-playground[hash] [data-role=step]');
    await page.waitForFunction(() => $pg('stat-step').textContent === '1', null, { timeout: 120_000 });
    // The page is isolated: it trains on the CPU module on every core (the one-thread module drew
    // the preview while WebGPU was still expected).
    assert.ok(page.requested.includes('/pkg/cpu-threads/gan_playground_bg.wasm'), 'the threaded CPU module was loaded');
  } finally {
    await plain.close();
  }
});

test('a page whose wasm module is missing shows an error instead of a blank page', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gan-no-pkg-'));
  cpSync(join(root, 'index.html'), join(dir, 'index.html'));
  cpSync(join(root, 'www'), join(dir, 'www'), { recursive: true, filter: (p) => !/\.bin(\.gz)?$/.test(p) });
  const broken = await serve({ port: 0, dir });
  try {
    const page = await open(urlOf(broken));
    await page.waitForFunction(() => !$pg('message').hidden, null, { timeout: 60_000 });
    assert.match(await page.$eval('gan-playground[hash] [data-role=message]', (e) => e.textContent), /failed to load/);
  } finally {
    broken.close();
  }
});
