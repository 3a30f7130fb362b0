// A failing worker is not the end of the page: after a trap in the wasm module, or a GPU process
// crash that takes the WebGPU device away, a new worker restores every widget's run from its last
// snapshot; a second failure within a minute stops with a Reload button and the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, env, open } from './helpers.mjs';

/** A page of two widgets (`backend` '' for WebGPU, or 'cpu'). */
function twoWidgets(name, backend) {
  const attrs = `batch="4" g-width="8" d-width="8" eager controls="full"${backend ? ` backend="${backend}"` : ''}`;
  writeFileSync(join(OUT, name), `<!doctype html><meta charset="utf-8"><link rel="icon" href="../www/favicon.svg">
<script type="module" src="../www/gan-playground.js"></script>
<gan-playground variant="ns-gan" ${attrs}></gan-playground>
<gan-playground variant="lsgan" ${attrs}></gan-playground>`);
  return `test-results/${name}`;
}

const both = [0, 1];
const steps = (page) => page.evaluate(() => $playgrounds().map((e) => e.progress.step));

/** Both widgets train until step `n`, are saved, and pause; resolves to their saved steps. */
async function trainAndSave(page, n) {
  await page.waitForFunction(() => [0, 1].every((i) => $pg('samples', i)?.dataset.step !== undefined && !$pg('play', i).disabled), null, { timeout: 180_000 });
  await page.evaluate(() => $playgrounds().forEach((e) => e.start()));
  await page.waitForFunction((n) => $playgrounds().every((e) => e.progress.step >= n), n, { timeout: 300_000 });
  await page.evaluate(() => $playgrounds().forEach((e) => e.pause())); // Pause saves
  await page.waitForFunction(() => $playgrounds().every((e) => e.dataset.savedStep && Number(e.dataset.savedStep) === e.progress.step), null, { timeout: 120_000 });
  return page.evaluate(() => $playgrounds().map((e) => Number(e.dataset.savedStep)));
}

/** Both widgets say why and are back at their saved steps, then train on. */
async function recovered(page, reason, saved) {
  await page.waitForFunction((r) => $playgrounds().every((e, i) => new RegExp(`^${r}; resumed .* from step`).test($pg('message', i).textContent) && !$pg('play', i).disabled), reason, { timeout: 180_000 });
  assert.deepEqual(await steps(page), saved, 'each run is back at its last snapshot');
  console.log(await page.evaluate(() => $playgrounds().map((e, i) => `${$pg('message', i).textContent} [backend: ${$pg('backend', i).textContent}]`).join('\n')));
  await page.evaluate(() => $playgrounds().forEach((e) => e.start()));
  await page.waitForFunction((s) => $playgrounds().every((e, i) => e.progress.step > s[i]), saved, { timeout: 300_000 });
  await page.evaluate(() => $playgrounds().forEach((e) => e.pause()));
}

test('a trap in the module: both widgets come back from their snapshots; a second trap within a minute stops with a Reload button', { timeout: 600_000 }, async () => {
  const page = await open(twoWidgets('recovery-trap.html', 'cpu'));
  const saved = await trainAndSave(page, 3);
  await page.evaluate(() => $playgrounds()[0].send({ type: 'panic-for-tests' }));
  await recovered(page, 'The training module crashed', saved);

  await page.evaluate(() => $playgrounds()[1].send({ type: 'panic-for-tests' }));
  await page.waitForFunction(() => [0, 1].every((i) => /again within a minute/.test($pg('message', i).textContent)), null, { timeout: 60_000 });
  for (const i of both) {
    assert.match(await page.evaluate((i) => $pg('message', i).textContent, i), /The training module crashed again within a minute \(.*\), so the playground stopped/);
    assert.equal(await page.evaluate((i) => $pg('reload', i).hidden, i), false);
  }
  // The panics were raised on purpose; nothing else went wrong.
  assert.deepEqual(page.errors.filter((e) => !/panicked at|panic raised on purpose|RuntimeError|unreachable/.test(e)), []);
  await page.close();
});

test('the GPU process crashes under two widgets training on WebGPU: both resume from their snapshots', { timeout: 900_000 }, async () => {
  const page = await open(twoWidgets('recovery-gpu.html', ''));
  await page.waitForFunction(() => /WebGPU/.test($pg('backend')?.textContent), null, { timeout: 180_000 });
  const saved = await trainAndSave(page, 2);
  const browserCdp = await env.browser.newBrowserCDPSession();
  await browserCdp.send('Browser.crashGpuProcess').catch(() => {});
  // The runs notice the lost device at their next read-back.
  await page.evaluate(() => $playgrounds().forEach((e) => e.step()));
  await recovered(page, 'The GPU was reset', saved);
  assert.deepEqual(page.errors.filter((e) => !/poisoned|Instance reference|lost|GPU/i.test(e)), []);
  await page.close();
});
