// The CPU module on every core the page allows: a cross-origin-isolated page (COOP and COEP, as
// the dev server and the built site send) trains on the threaded CPU module, a page served
// without them on the one-thread module, and says which; the same run gives the same losses and
// samples on both, bit for bit (each output element is summed by one thread in one order).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { serve, urlOf } from '../../scripts/serve.mjs';
import { env, open } from './helpers.mjs';

const LINK = '?backend=cpu&pretrained=0&g_width=16&d_width=16&batch=32&seed=7';
const STEPS = 4;

let plain; // a server that does not isolate the page
before(async () => { plain = await serve({ port: 0, isolated: false }); });
after(() => plain?.close());

/** The backend line, whether the page is isolated, and the run after STEPS steps: the losses
 * at each read-out and the samples' sum. */
async function trained(url) {
  const page = await open(url);
  await page.waitForFunction(() => $playgrounds()[0]?.view && !$pg('play').disabled, null, { timeout: 180_000 });
  await page.evaluate((n) => $playgrounds()[0].start(n), STEPS);
  await page.waitForFunction((n) => $playgrounds()[0].progress.step === n && !$playgrounds()[0].progress.running, STEPS, { timeout: 300_000 });
  const run = await page.evaluate(() => ({
    isolated: crossOriginIsolated,
    backend: $pg('backend').textContent,
    losses: $playgrounds()[0].history.map((p) => [p.step, p.d, p.g]),
    samples: $grey($pg('samples')).reduce((a, b) => a + b, 0),
  }));
  assert.deepEqual(page.errors, []);
  await page.close();
  return run;
}

test('an isolated page trains on every core, another on one thread, with the same losses', { timeout: 900_000 }, async () => {
  const threaded = await trained(LINK);
  const single = await trained(`${urlOf(plain)}${LINK}`);
  console.log(`# ${threaded.backend} | ${single.backend}`);
  assert.equal(threaded.isolated, true);
  assert.equal(single.isolated, false);
  assert.match(threaded.backend, /CPU \(burn flex, \d+ threads\)/);
  assert.match(single.backend, /CPU \(burn flex, 1 thread\)/);
  // The charts take a point at each read-out, which come as the loop's timing allows: compare
  // the steps both have, the last (STEPS) among them.
  assert.equal(threaded.losses.at(-1)[0], STEPS);
  assert.deepEqual(threaded.losses.at(-1), single.losses.at(-1));
  const both = threaded.losses.filter(([step]) => single.losses.some(([s]) => s === step));
  assert.deepEqual(both, single.losses.filter(([step]) => threaded.losses.some(([s]) => s === step)));
  assert.equal(threaded.samples, single.samples);
});

test('an isolated page whose pool workers never start trains on one thread, and says why in the console', { timeout: 600_000 }, async () => {
  // The pool worker's script, served as it is but with a body that never answers: the hang that a
  // worker starting workers met in Firefox (www/lib/pool.js).
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.route('**/pool-worker.js', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: '// loads, and never answers\n' });
  });
  const warnings = [];
  context.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  const page = await open(LINK, context);
  await page.waitForFunction(() => $playgrounds()[0]?.view && !$pg('play').disabled, null, { timeout: 180_000 });
  await page.evaluate(() => $playgrounds()[0].start(1));
  await page.waitForFunction(() => $playgrounds()[0].progress.step === 1 && !$playgrounds()[0].progress.running, null, { timeout: 300_000 });
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  assert.match(await page.evaluate(() => $pg('backend').textContent), /CPU \(burn flex, 1 thread\)/);
  assert.ok(warnings.some((w) => /No threaded CPU module \(the pool workers did not start within \d+ s\)/.test(w)), warnings.join('\n'));
  assert.deepEqual(page.errors, []);
  await context.close();
});
