// Nothing a user trains is lost: a reload or a crashed renderer offers the run back from its last
// snapshot (OPFS) and it goes on exactly (CPU backend: bit for bit the losses of a run that was
// never interrupted); a diverged run rolls back to its last snapshot and can train on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cargoEnv, root } from '../../scripts/tools.mjs';
import { OUT, env, open } from './helpers.mjs';

const LINK = '?backend=cpu&g_width=8&d_width=8&batch=4&seed=3&pretrained=0';
const SEL = (role) => `gan-playground[hash] [data-role=${role}]`;
const stepOf = (page) => page.evaluate(() => $pg('samples')?.dataset.step);
const progress = (page) => page.evaluate(() => ({ ...$playgrounds()[0].progress }));

async function ready(page) {
  await page.waitForFunction(() => $pg('samples')?.dataset.step !== undefined && !$pg('step').disabled, null, { timeout: 180_000 });
}

/** Presses Step until the run is at step `n`. */
async function stepTo(page, n) {
  for (let s = Number(await stepOf(page)) + 1; s <= n; s++) {
    await page.click(SEL('step'));
    await page.waitForFunction((s) => $pg('samples').dataset.step === String(s), s, { timeout: 120_000 });
  }
}

/** Saves the run now and waits until the worker says it is on disk. */
async function snapshot(page, step) {
  await page.evaluate(() => $playgrounds()[0].snapshot());
  await page.waitForFunction((s) => $playgrounds()[0].dataset.savedStep === String(s), step, { timeout: 60_000 });
}

async function resume(page, step) {
  await page.waitForFunction(() => $pg('offer') && !$pg('offer').hidden, null, { timeout: 180_000 });
  const offer = await page.evaluate(() => $pg('offer-text').textContent);
  assert.match(offer, new RegExp(`^Resume NS-GAN \\(DCGAN\\) at step ${step} \\(saved `));
  await page.click(SEL('resume'));
  await page.waitForFunction((s) => /^Resumed NS-GAN/.test($pg('message').textContent) && $pg('samples').dataset.step === String(s), step, { timeout: 120_000 });
}

test('a reload mid-run offers the run back, and it goes on exactly as if never interrupted', { timeout: 600_000 }, async () => {
  const page = await open(LINK);
  await ready(page);
  await stepTo(page, 5);
  await page.click(SEL('score-now'));
  await page.waitForFunction(() => $playgrounds()[0].scores?.length === 1, null, { timeout: 120_000 });
  const scored = await page.evaluate(() => $pg('score-stats').textContent);
  await snapshot(page, 5);
  await page.reload();
  await resume(page, 5);
  const history = await page.evaluate(() => $playgrounds()[0].history.map((p) => p.step));
  assert.deepEqual(history, [0, 1, 2, 3, 4, 5], 'the charts come back with the run');
  assert.deepEqual(await page.evaluate(() => $playgrounds()[0].scores.map((s) => s.step)), [5], 'and its scores');
  assert.equal(await page.evaluate(() => $pg('score-stats').textContent), scored);
  await stepTo(page, 8);
  const resumed = await progress(page);

  const fresh = await open(LINK); // another browser context: no snapshot, no offer
  await ready(fresh);
  assert.equal(await fresh.evaluate(() => $pg('offer').hidden), true);
  await stepTo(fresh, 8);
  const whole = await progress(fresh);
  console.log(`step 8: resumed D ${resumed.dLoss} G ${resumed.gLoss}; uninterrupted D ${whole.dLoss} G ${whole.gLoss}`);
  assert.deepEqual([resumed.step, resumed.dLoss, resumed.gLoss], [whole.step, whole.dLoss, whole.gLoss]);
  assert.deepEqual([...page.errors, ...fresh.errors], []);
  await fresh.close();
  await page.close();
});

test('a crashed renderer loses nothing: a new tab offers the run back and it trains on', { timeout: 600_000 }, async () => {
  const context = await env.browser.newContext();
  const page = await open(LINK, context);
  await ready(page);
  await stepTo(page, 4);
  await snapshot(page, 4);
  const cdp = await context.newCDPSession(page);
  const crashed = new Promise((resolve) => page.once('crash', resolve));
  cdp.send('Page.crash').catch(() => {});
  await crashed;

  const again = await open(LINK, context);
  await resume(again, 4);
  await stepTo(again, 5);
  const p = await progress(again);
  assert.ok(Number.isFinite(p.dLoss) && Number.isFinite(p.gLoss));
  assert.deepEqual(again.errors, []);
  await context.close();
});

/** A weights file's critic weights times `factor`: still finite, so it loads, but its next step
 * overflows. */
function scaledCritic(bytes, factor) {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
  for (const [name, t] of Object.entries(header)) {
    if (!name.startsWith('critic.') || !name.endsWith('.weight') || t.dtype !== 'F32') continue;
    for (let at = 8 + n + t.data_offsets[0]; at < 8 + n + t.data_offsets[1]; at += 4) bytes.writeFloatLE(bytes.readFloatLE(at) * factor, at);
  }
  return bytes;
}

test('a diverged run rolls back to its last snapshot and can train on', { timeout: 600_000 }, async () => {
  const page = await open(LINK);
  await ready(page);
  await stepTo(page, 3);
  await snapshot(page, 3);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(SEL('save'))]);
  const huge = join(OUT, 'huge-critic.safetensors');
  await download.saveAs(huge);
  writeFileSync(huge, scaledCritic(readFileSync(huge), 1e30));
  await page.setInputFiles(SEL('load'), huge);
  await page.waitForFunction(() => /^Loaded the generator and critic from huge-critic/.test($pg('message').textContent), null, { timeout: 120_000 });

  await page.click(SEL('step'));
  await page.waitForFunction(() => /diverged at step 4; rolled back to step 3, the last snapshot/.test($pg('message').textContent), null, { timeout: 120_000 });
  await page.waitForFunction(() => $pg('samples').dataset.step === '3' && !$pg('play').disabled && !$pg('step').disabled, null, { timeout: 60_000 });
  await stepTo(page, 4);
  const p = await progress(page);
  assert.ok(Number.isFinite(p.dLoss) && Number.isFinite(p.gLoss), 'it trains on from the snapshot');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a run moves from the page to the command line and back, and trains on', { timeout: 600_000 }, async () => {
  const page = await open(LINK);
  await ready(page);
  await stepTo(page, 3);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(SEL('save-run'))]);
  assert.equal(download.suggestedFilename(), 'ns-gan-step3-run.safetensors');
  const work = mkdtempSync(join(OUT, 'moved-'));
  const file = join(work, 'page.safetensors');
  await download.saveAs(file);
  // Natively, from step 3 to step 5: the file's config, optimiser state and data order.
  const gan = join(cargoEnv().CARGO_TARGET_DIR, 'release', 'gan');
  execFileSync(gan, ['train', '--backend', 'cpu', '--resume', file, '--steps', '5', '--data', join(root, 'www', 'data', 'mnist.bin'), '--out', work]);
  // And back in a fresh page: the run file resumes at step 5.
  const back = await open(LINK);
  await ready(back);
  await back.setInputFiles(SEL('load'), join(work, 'run.safetensors'));
  await back.waitForFunction(() => /^Resumed NS-GAN \(DCGAN\) at step 5 from run\.safetensors/.test($pg('message').textContent) && $pg('samples').dataset.step === '5', null, { timeout: 120_000 });
  const history = await back.evaluate(() => $playgrounds()[0].history.map((p) => p.step));
  assert.deepEqual(history.slice(0, 4), [0, 1, 2, 3], 'the page\'s charts travel with the run');
  await stepTo(back, 6);
  const p = await progress(back);
  assert.ok(Number.isFinite(p.dLoss) && Number.isFinite(p.gLoss));
  assert.deepEqual([...page.errors, ...back.errors], []);
  await back.close();
  await page.close();
});
