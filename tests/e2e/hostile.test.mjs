// Hostile files, as a user could drop them: each refused at once with its reason, and nothing
// else on the page disturbed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, open } from './helpers.mjs';
import { blackPng, png } from '../node/image-files.mjs';

const widget = (variant) => `<gan-playground variant="${variant}" backend="cpu" batch="4" g-width="8" d-width="8" eager controls="full"></gan-playground>`;

/** A page of two small widgets on the CPU, each with its file buttons. */
function twoWidgets() {
  writeFileSync(join(OUT, 'two-widgets-files.html'), `<!doctype html><meta charset="utf-8"><link rel="icon" href="../www/favicon.svg">
<script type="module" src="../www/gan-playground.js"></script>
${widget('ns-gan')}
${widget('lsgan')}`);
  return 'test-results/two-widgets-files.html';
}

/** Both widgets ready, the second one training. */
async function trainSecond(page) {
  await page.waitForFunction(() => [0, 1].every((i) => $pg('samples', i)?.dataset.step === '0' && !$pg('load', i).disabled), null, { timeout: 180_000 });
  await page.evaluate(() => $playgrounds()[1].start());
  await page.waitForFunction(() => $playgrounds()[1].progress.step >= 2, null, { timeout: 300_000 });
}

test('a 600 MB weights file is refused at once while another widget keeps training', { timeout: 600_000 }, async () => {
  const url = twoWidgets();
  // A sparse file: 600 MB on paper, nothing on disk.
  const big = join(OUT, 'big.safetensors');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 600 * 2 ** 20);
  closeSync(fd);

  const page = await open(url);
  await trainSecond(page);

  const input = await page.evaluateHandle(() => $pg('load', 0));
  const t0 = Date.now();
  await input.setInputFiles(big);
  await page.waitForFunction(() => /big\.safetensors is 600 MB: weights files over 256 MB are refused/.test($pg('message', 0).textContent), null, { timeout: 30_000 });
  const ms = Date.now() - t0;
  console.log(`600 MB file refused after ${ms} ms`);
  assert.ok(ms < 5_000, `refused at once (${ms} ms)`);

  // The refused widget's run is as it was; the other one trains on.
  const step = await page.evaluate(() => $playgrounds()[1].progress.step);
  await page.waitForFunction((s) => $playgrounds()[1].progress.step > s, step, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => $pg('samples', 0).dataset.step), '0');
  await page.evaluate(() => $playgrounds()[0].step());
  await page.waitForFunction(() => $pg('samples', 0).dataset.step === '1', null, { timeout: 120_000 });
  await page.evaluate(() => $playgrounds()[1].pause());
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an image bomb is refused from its header, named with its size, and the rest of the set trains', { timeout: 300_000 }, async () => {
  const page = await open('?backend=cpu&g_width=8&d_width=8&batch=4');
  const images = 'gan-playground[hash] [data-role=images]';
  await page.waitForFunction(() => $pg('samples')?.dataset.step === '0' && !$pg('dataset').disabled, null, { timeout: 120_000 });
  // 20000 × 20000 black pixels: 389 KB of PNG, 1.6 GB once decoded.
  const huge = { name: 'huge.png', mimeType: 'image/png', buffer: await blackPng(20000, 20000) };
  const small = [0, 1].map((i) => ({ name: `digit-${i}.png`, mimeType: 'image/png', buffer: png(28, 28, (x, y) => (Math.abs(x - 14) < 4 + i && Math.abs(y - 14) < 8 ? 255 : 0)) }));
  const refusal = /huge\.png: 20000 × 20000 pixels, over the 50-megapixel limit/;

  // The bomb alone: refused at once, the run stays on MNIST.
  let t0 = Date.now();
  await page.setInputFiles(images, [huge]);
  await page.waitForFunction((r) => new RegExp(r).test($pg('message').textContent) && /could not be used/.test($pg('message').textContent), refusal.source, { timeout: 10_000 });
  const alone = Date.now() - t0;
  assert.equal(await page.$eval('gan-playground[hash] [data-role=dataset]', (e) => e.value), 'mnist');

  // With two ordinary images: the bomb is named, the two train.
  t0 = Date.now();
  await page.setInputFiles(images, [huge, ...small]);
  await page.waitForFunction(() => /your 2 images/.test($pg('message').textContent), null, { timeout: 10_000 });
  const withRest = Date.now() - t0;
  console.log(`bomb refused after ${alone} ms alone, ${withRest} ms with two images`);
  assert.ok(alone < 1_000 && withRest < 1_000, `refused within a second (${alone}, ${withRest} ms)`);
  assert.match(await page.$eval('gan-playground[hash] [data-role=message]', (e) => e.textContent), new RegExp(`1 file left out \\(${refusal.source}\\)`));
  await page.waitForFunction(() => $pg('dataset').value === 'images' && !$pg('step').disabled, null, { timeout: 120_000 });
  await page.click('gan-playground[hash] [data-role=step]');
  await page.waitForFunction(() => $playgrounds()[0].progress.step === 1, null, { timeout: 120_000 });
  const p = await page.evaluate(() => ({ ...$playgrounds()[0].progress }));
  assert.ok(Number.isFinite(p.dLoss) && Number.isFinite(p.gLoss));
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** A valid safetensors file of one tiny tensor whose metadata asks for `config`. */
function fileWithConfig(config) {
  const header = Buffer.from(JSON.stringify({
    __metadata__: { format: 'gan-playground weights 1', config: JSON.stringify(config) },
    'generator.main.0.weight': { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
  }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([length, header, Buffer.alloc(4)]);
}

test('a weights file whose run would not fit in memory is refused with the figures while another widget trains on', { timeout: 600_000 }, async () => {
  const page = await open(twoWidgets());
  await trainSecond(page);
  const big = join(OUT, 'huge-run.safetensors');
  writeFileSync(big, fileWithConfig({ variant: 'ns-gan', dataset: 'mnist', batch_size: 256, model: { nz: 100, g_width: 512, d_width: 512, channels: 1 } }));
  await (await page.evaluateHandle(() => $pg('load', 0))).setInputFiles(big);
  await page.waitForFunction(() => /^huge-run\.safetensors: a training step of this run needs about \d+ MiB at its peak .*the limit is 2048 MiB/.test($pg('message', 0).textContent), null, { timeout: 60_000 });
  const step = await page.evaluate(() => $playgrounds()[1].progress.step);
  await page.waitForFunction((s) => $playgrounds()[1].progress.step > s, step, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => $pg('samples', 0).dataset.step), '0', 'the refused widget\'s run is as it was');
  assert.equal(await page.evaluate(() => $pg('g_width', 0)?.value ?? $pg('fields', 0).querySelector('[data-field="g_width"]').value), '8');
  await page.evaluate(() => $playgrounds()[1].pause());
  assert.deepEqual(page.errors, []);
  await page.close();
});
