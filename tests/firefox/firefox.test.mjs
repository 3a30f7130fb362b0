// Firefox, the CPU module's real user (its headless build on Linux has no WebGPU): the playground
// opens, says why it trains on the CPU, trains, and a reload offers the run back at its step; the
// article's figures draw. No uncaught error and no CSP violation, under the site's strict CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env, open, waitFor } from './helpers.mjs';

const LINK = '?g_width=8&d_width=8&batch=4&seed=3&pretrained=0';
const LOADS = 20;
const ready = (page) => waitFor(page, () => $playgrounds()[0]?.runConfig && !$pg('step').disabled, 180_000);

test('the playground trains on the CPU in Firefox, says why, and a reload offers the run back', { timeout: 600_000 }, async () => {
  const context = await env.browser.createBrowserContext();
  const page = await open(LINK, context);
  await ready(page);
  assert.match(await page.evaluate(() => $pg('backend').textContent), /^CPU \(burn flex, \d+ threads?\), the fallback: this browser does not expose WebGPU/);
  assert.match(await page.evaluate(() => $pg('message').textContent), /WebGPU is not available, so training runs on the CPU/);
  await page.evaluate(() => $playgrounds()[0].start(6));
  await waitFor(page, () => $pg('samples').dataset.step === '6' && !$playgrounds()[0].progress.running, 180_000);
  const trained = await page.evaluate(() => ({ ...$playgrounds()[0].progress }));
  assert.ok(Number.isFinite(trained.dLoss) && Number.isFinite(trained.gLoss));
  await page.evaluate(() => $playgrounds()[0].snapshot());
  await waitFor(page, () => $playgrounds()[0].dataset.savedStep === '6', 60_000);

  await page.reload();
  await waitFor(page, () => /^Resume NS-GAN \(DCGAN\) at step 6 /.test($pg('offer-text')?.textContent ?? '') && !$pg('resume').hidden, 180_000);
  await page.evaluate(() => $pg('resume').click());
  await waitFor(page, () => /^Resumed NS-GAN/.test($pg('message').textContent) && $pg('samples').dataset.step === '6', 120_000);
  await page.evaluate(() => $playgrounds()[0].step());
  await waitFor(page, () => $pg('samples').dataset.step === '7', 120_000);
  // The saved runs list reads the same storage.
  await waitFor(page, () => document.querySelector('gan-saved-runs')?.shadowRoot.querySelectorAll('tbody tr').length === 1, 60_000);
  assert.deepEqual(page.errors, []);
  await context.close();
});

// The threaded module's pool workers start on every load: started by the page's worker, they once
// left about 1 load in 30 waiting for good (www/lib/pool.js).
test('the playground opens on every core in Firefox, load after load', { timeout: 900_000 }, async () => {
  const context = await env.browser.createBrowserContext();
  const page = await open(LINK, context);
  for (let load = 1; load <= LOADS; load++) {
    await waitFor(page, () => $playgrounds()[0]?.runConfig && !$pg('step').disabled, 60_000).catch((e) => {
      throw new Error(`load ${load} of ${LOADS}: ${e.message}`);
    });
    const { backend, cores } = await page.evaluate(() => ({ backend: $pg('backend').textContent, cores: navigator.hardwareConcurrency }));
    assert.match(backend, new RegExp(`^CPU \\(burn flex, ${cores} threads?\\)`));
    await page.reload();
  }
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the article\'s figures draw in Firefox', { timeout: 900_000 }, async () => {
  const context = await env.browser.createBrowserContext();
  const page = await open('www/article.html', context);
  // Each figure boots as it nears the screen: scroll through the article, waiting at each.
  const count = await page.evaluate(() => document.querySelectorAll('figure').length);
  for (let i = 0; i < count; i++) {
    await page.evaluate((i) => document.querySelectorAll('figure')[i].scrollIntoView({ block: 'center' }), i);
    await page.evaluate((i) => {
      const figure = document.querySelectorAll('figure')[i];
      const runs = [...figure.querySelectorAll('gan-playground, gan-compare')].flatMap((e) => (e.tagName === 'GAN-COMPARE' ? [...(e.shadowRoot?.querySelectorAll('gan-playground') ?? [])] : [e]));
      return Promise.race([
        new Promise((r) => setTimeout(r, 120_000)),
        (async () => {
          while (!runs.every((el) => el.shadowRoot?.querySelector('[data-role=samples]')?.dataset.step !== undefined)) await new Promise((r) => setTimeout(r, 200));
        })(),
      ]);
    }, i);
  }
  const drawn = await page.evaluate(() => $playgrounds().map((e, i) => ({ i, step: $pg('samples', i)?.dataset.step, backend: $pg('backend', i)?.textContent })));
  const blank = drawn.filter((d) => d.step === undefined);
  assert.deepEqual(blank, [], 'every figure\'s run has drawn its samples');
  console.log(`${drawn.length} runs drawn in Firefox; steps ${drawn.map((d) => d.step).join(', ')}`);
  // The figures that are not runs: the distance figure and the study's.
  assert.ok(await page.evaluate(() => document.querySelector('gan-distance')?.shadowRoot?.querySelector('canvas')?.width > 0));
  assert.deepEqual(page.errors, []);
  await context.close();
});
