// The page never disagrees with its run: a change is proposed, checked (by the page, then by the
// core) and only an accepted one becomes the element's state; a refusal says why in the page's
// words and leaves the run doing what it did. Each item below was a bug; the last test drives a
// seeded random mix of a few hundred valid and invalid operations and checks after each that the
// element's state, its controls and the worker's config agree, and that Pause takes effect
// within a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, env, open } from './helpers.mjs';

const LINK = '?backend=cpu&g_width=8&d_width=8&batch=4&pretrained=0';
const SEL = (role) => `gan-playground[hash] [data-role=${role}]`;
const el = (page, fn, arg) => page.evaluate(fn, arg);

async function ready(page) {
  await page.waitForFunction(() => $playgrounds()[0]?.runConfig && !$pg('play').disabled, null, { timeout: 180_000 });
}

/** What the element says of its run: its state's run settings, the controls', and the worker's config as the state it maps to. */
const agreement = (page) => page.evaluate(() => {
  const e = $playgrounds()[0];
  const pick = (s) => ({ variant: s.variant, dataset: s.dataset, batch: s.batch, seed: s.seed, g_width: s.g_width, d_width: s.d_width, n_critic: s.n_critic, lr: s.lr, knobs: s.knobs });
  const field = (name) => $pg('fields').querySelector(`[data-field="${name}"]`)?.value;
  return {
    state: pick(e.state),
    worker: pick({ ...e.state, ...e.view.settings }),
    controls: { variant: $pg('variant').value, dataset: $pg('dataset').value, batch: field('batch'), seed: field('seed'), speed: $pg('speed').value },
    expected: { variant: e.state.variant, dataset: e.state.dataset, batch: String(e.state.batch), seed: String(e.state.seed), speed: e.state.speed },
  };
});

async function assertAgrees(page, why) {
  const a = await agreement(page);
  assert.deepEqual(a.worker, a.state, `${why}: the worker's config and the element's state`);
  assert.deepEqual(a.controls, a.expected, `${why}: the controls and the element's state`);
}

const settled = (page) => page.evaluate(() => $playgrounds()[0].settled());
const message = (page) => page.evaluate(() => $pg('message').textContent);

test('a refused setting changes nothing: state, controls and run stay, and later resets work', { timeout: 300_000 }, async () => {
  const page = await open(LINK);
  await ready(page);
  const before = await agreement(page);
  // Refused by the page, before anything is sent.
  for (const [changes, why] of [[{ batch: -1 }, /Reset refused: batch=-1 \(not a whole number from 1 to 1024\)/], [{ variant: 'nope' }, /Reset refused: variant=nope \(not one of ns-gan, /], [null, /Reset refused: the changes must be an object/], [{ speed: 'warp' }, /Reset refused: speed=warp/], [{ lr: 'fast' }, /Reset refused: lr=fast/]]) {
    assert.equal(await el(page, (c) => $playgrounds()[0].reset(c), changes), false);
    assert.match(await message(page), why);
    await settled(page);
    assert.deepEqual(await agreement(page), before, JSON.stringify(changes));
  }
  assert.doesNotMatch(await page.evaluate(() => location.hash), /warp/);
  // Refused by the core (the networks would not fit): the run and its state stay.
  assert.equal(await el(page, () => $playgrounds()[0].reset({ batch: 1024, g_width: 1024 })), true);
  await settled(page);
  assert.match(await message(page), /MiB/);
  assert.doesNotMatch(await message(page), /invalid type|undefined|Cannot read/);
  assert.deepEqual(await agreement(page), before, 'after a refusal by the core');
  // The menu, then a script: each later reset works.
  await page.selectOption(SEL('variant'), 'lsgan');
  await settled(page);
  await assertAgrees(page, 'after the variant menu');
  assert.equal((await agreement(page)).state.variant, 'lsgan');
  await el(page, () => $playgrounds()[0].reset({ variant: 'wgan', knobs: { clip: 0.02 } }));
  await settled(page);
  await assertAgrees(page, 'after reset({variant, knobs})');
  assert.deepEqual((await agreement(page)).state.knobs, { clip: 0.02 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('start(until) moves the stop of a running run; a bad until is refused and its note goes with a good start', { timeout: 300_000 }, async () => {
  const page = await open(`${LINK}&speed=10`); // slow enough that the new until is ahead of the run
  await ready(page);
  await el(page, () => $playgrounds()[0].start());
  await page.waitForFunction(() => $playgrounds()[0].progress.step >= 2, null, { timeout: 120_000 });
  const until = (await el(page, () => $playgrounds()[0].progress.step)) + 5;
  await el(page, (u) => $playgrounds()[0].start(u), until);
  await page.waitForFunction(() => !$playgrounds()[0].progress.running, null, { timeout: 120_000 });
  assert.equal(await el(page, () => $playgrounds()[0].progress.step), until, 'it stopped at the new until');
  assert.equal(await el(page, () => $playgrounds()[0].start('abc')), false);
  assert.match(await message(page), /start\(until\): until must be a whole step number above 0, not "abc"/);
  assert.equal(await el(page, () => $playgrounds()[0].progress.running), false, 'nothing started');
  await el(page, (u) => $playgrounds()[0].start(u), until + 2);
  assert.equal(await page.evaluate(() => $pg('message').hidden), true, 'the refusal\'s note is gone');
  await page.waitForFunction((u) => $playgrounds()[0].progress.step === u && !$playgrounds()[0].progress.running, until + 2, { timeout: 120_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** A copy of a safetensors file with its metadata changed by `edit`. */
function withMetadata(bytes, edit) {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
  edit(header.__metadata__);
  const json = Buffer.from(JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8, ' '));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, bytes.subarray(8 + n)]);
}

test('a refused run file and a failed score leave a training run training; a file is named by its config\'s variant', { timeout: 600_000 }, async () => {
  const page = await open(`${LINK}#variant=lsgan`);
  await ready(page);
  await page.click(SEL('step'));
  await page.waitForFunction(() => $playgrounds()[0].progress.step === 1, null, { timeout: 120_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(SEL('save-run'))]);
  const saved = readFileSync(await download.path());
  const files = {
    later: withMetadata(saved, (m) => (m.format = 'gan-playground run 2')),
    huge: withMetadata(saved, (m) => (m.steps = '1e20')),
    negative: withMetadata(saved, (m) => (m.steps = '-5')),
    batch: withMetadata(saved, (m) => (m.config = m.config.replace(/"batch_size":\d+/, '"batch_size":-8'))),
    unknown: withMetadata(saved, (m) => (m.config = m.config.replace(/"variant":"lsgan"/, '"variant":"nope"'))),
    large: withMetadata(saved, (m) => (m.config = m.config.replace(/"g_width":\d+/, '"g_width":1024').replace(/"batch_size":\d+/, '"batch_size":1024'))),
    named: withMetadata(saved, (m) => (m.variant = 'wgan-gp')),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(OUT, `state-${name}.safetensors`), bytes);

  await el(page, () => $playgrounds()[0].start());
  await page.waitForFunction(() => $playgrounds()[0].progress.running, null, { timeout: 60_000 });
  const refusals = [['later', /format 2, and this page reads format 1/], ['huge', /steps/], ['negative', /steps/], ['batch', /^state-batch\.safetensors: its run config has batch_size = -8, which is not a whole number of 0 or more/], ['unknown', /nope/], ['large', /MiB|GiB/]];
  for (const [name, why] of refusals) {
    await page.setInputFiles(SEL('load'), join(OUT, `state-${name}.safetensors`));
    await page.waitForFunction((w) => new RegExp(w).test($pg('message').textContent), why.source, { timeout: 60_000 });
    console.log(`${name}: ${await message(page)}`);
    const step = await el(page, () => $playgrounds()[0].progress.step);
    await page.waitForFunction((s) => $playgrounds()[0].progress.running && $playgrounds()[0].progress.step > s, step, { timeout: 60_000 });
  }
  // The classifier missing: the score says so, and training goes on.
  await page.route('**/mnist-classifier.safetensors', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await el(page, () => $playgrounds()[0].score());
  await page.waitForFunction(() => /The samples could not be scored \(the digit classifier: .*HTTP 404\)\. Training goes on\./.test($pg('message').textContent), null, { timeout: 60_000 });
  const step = await el(page, () => $playgrounds()[0].progress.step);
  await page.waitForFunction((s) => $playgrounds()[0].progress.running && $playgrounds()[0].progress.step > s, step, { timeout: 60_000 });
  await el(page, () => $playgrounds()[0].pause());
  // A file whose metadata names another variant than its config: announced by its config's.
  await page.setInputFiles(SEL('load'), join(OUT, 'state-named.safetensors'));
  await page.waitForFunction(() => /^Resumed LSGAN at step 1 /.test($pg('message').textContent), null, { timeout: 60_000 });
  await settled(page);
  await assertAgrees(page, 'after the load');
  assert.deepEqual(page.errors.filter((e) => !/404/.test(e)), []);
  await page.close();
});

test('a link\'s notes are bounded and stay until dismissed', { timeout: 300_000 }, async () => {
  const keys = Array.from({ length: 8000 }, (_, i) => `k${i}=1`).join('&');
  const page = await open(`?backend=cpu#variant=began&gamma=7&${keys}`);
  await page.waitForFunction(() => !$pg('play').disabled && $pg('samples').dataset.step !== undefined, null, { timeout: 180_000 });
  const note = await page.evaluate(() => $pg('link-notes-text').textContent);
  assert.ok(note.length < 600, `${note.length} characters`);
  assert.match(note, /gamma=7 .*and 7996 more\.$/);
  // The pretrained run's own messages came after it; the note is still there.
  await page.waitForTimeout(1500);
  assert.equal(await page.evaluate(() => $pg('link-notes').hidden), false);
  await page.click(SEL('link-notes-ok'));
  assert.equal(await page.evaluate(() => $pg('link-notes').hidden), true);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('after 600 quick clicks and calls, Pause takes effect within a second', { timeout: 300_000 }, async () => {
  const page = await open(LINK);
  await ready(page);
  const ms = await page.evaluate(async () => {
    const e = $playgrounds()[0];
    for (let i = 0; i < 600; i++) {
      if (i % 4 === 0) e.reset({ seed: i });
      else if (i % 4 === 1) e.start();
      else if (i % 4 === 2) $pg('step').click();
      else $pg('play').click();
    }
    e.start();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    e.pause();
    while (e.progress.running && performance.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 5));
    return performance.now() - t0;
  });
  console.log(`Pause after 600 calls: ${Math.round(ms)} ms`);
  assert.ok(ms < 1000, `${Math.round(ms)} ms`);
  await settled(page);
  await assertAgrees(page, 'after the calls');
  assert.equal(await page.evaluate(() => $playgrounds()[0].progress.running), false);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('while a slow opening run downloads, the widget says what its controls wait for', { timeout: 300_000 }, async () => {
  const context = await env.browser.newContext();
  // The pretrained generator arrives after four seconds.
  await context.route('**/pretrained/ns-gan.safetensors', async (route) => {
    await new Promise((r) => setTimeout(r, 4000));
    await route.continue();
  });
  const page = await open('?backend=cpu', context);
  await page.waitForFunction(() => $pg('play')?.disabled && !$pg('message').hidden && /^(Loading the training module|Samples of a generator trained beforehand)/.test($pg('message').textContent), null, { timeout: 60_000 });
  // Once the run is there, the controls work and the waiting note is gone.
  await page.waitForFunction(() => !$pg('play').disabled && !/^Loading /.test($pg('message').textContent), null, { timeout: 180_000 });
  assert.deepEqual(page.errors, []);
  await context.close();
});

/** A small seeded random number generator (mulberry32). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The operations of the model-based test: [name, weight, make(rng) → an op run in the page]. */
const OPS = [
  ['reset a valid setting', 4, (r) => ({ api: 'reset', arg: [{ batch: 1 + Math.floor(r() * 8) }, { seed: Math.floor(r() * 100) }, { variant: ['ns-gan', 'lsgan', 'wgan', 'wgan-gp', 'began', 'dragan'][Math.floor(r() * 6)] }, { lr: r() < 0.5 ? null : 0.0001 + r() * 0.001 }, {}][Math.floor(r() * 5)] })],
  ['reset an invalid setting', 3, (r) => ({ api: 'reset', arg: [{ batch: -1 }, { variant: 'nope' }, null, { speed: 'warp' }, { g_width: 'wide' }, { lr: 5 }, { colour: 'red' }][Math.floor(r() * 7)] })],
  ['reset too big for the core', 1, () => ({ api: 'reset', arg: { batch: 1024, g_width: 1024 } })],
  ['start', 3, () => ({ api: 'start' })],
  ['start until', 2, (r) => ({ api: 'start', arg: r() < 0.3 ? 'abc' : 1 + Math.floor(r() * 30) })],
  ['pause', 3, () => ({ api: 'pause' })],
  ['step', 2, (r) => ({ api: 'step', arg: ['both', 'd', 'g', 'x'][Math.floor(r() * 4)] })],
  ['set a knob', 2, (r) => ({ api: 'setKnob', arg: [['gamma', r()], ['clip', r() * 0.1], ['lambda', 20 * r()], ['gamma', 7]][Math.floor(r() * 4)] })],
  ['variant menu', 2, (r) => ({ ui: 'variant', arg: ['ns-gan', 'mm-gan', 'lsgan', 'wgan-gp', 'vae'][Math.floor(r() * 5)] })],
  ['speed menu', 1, (r) => ({ ui: 'speed', arg: ['max', '30', '10', '3', '1'][Math.floor(r() * 5)] })],
  ['burst of clicks', 1, (r) => ({ burst: 20 + Math.floor(r() * 40) })],
];

function pick(rng) {
  const total = OPS.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [name, w, make] of OPS) {
    if ((x -= w) < 0) return { name, ...make(rng) };
  }
  return null;
}

async function perform(page, op) {
  if (op.api) {
    await page.evaluate(({ api, arg }) => {
      const e = $playgrounds()[0];
      if (api === 'setKnob') e.setKnob(...arg);
      else if (arg === undefined) e[api]();
      else e[api](arg);
    }, op);
  } else if (op.ui) {
    await page.selectOption(SEL(op.ui), op.arg);
  } else if (op.burst) {
    // Quick clicks and calls: resets and starts pile up behind each other.
    await page.evaluate((n) => {
      const e = $playgrounds()[0];
      for (let i = 0; i < n; i++) i % 3 === 0 ? e.reset({ seed: i }) : i % 3 === 1 ? e.start() : $pg('step').click();
    }, op.burst);
  }
}

test('model-based: a seeded mix of 300 valid and invalid operations; state, controls and the run agree after each; Pause within a second', { timeout: 1_200_000 }, async () => {
  const page = await open(LINK);
  await ready(page);
  const rng = random(20261207);
  const counts = {};
  let pauses = 0;
  let slowest = 0;
  for (let i = 0; i < 300; i++) {
    const op = pick(rng);
    counts[op.name] = (counts[op.name] ?? 0) + 1;
    await perform(page, op);
    if (op.name === 'pause' || op.burst) {
      // Pause is honoured within a second, whatever was queued before it.
      const ms = await page.evaluate(async () => {
        const e = $playgrounds()[0];
        const t0 = performance.now();
        e.pause();
        while (e.progress.running && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
        return performance.now() - t0;
      });
      pauses += 1;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < 1000, `operation ${i} (${op.name}): Pause took ${Math.round(ms)} ms`);
    }
    await settled(page);
    await assertAgrees(page, `operation ${i} (${op.name} ${JSON.stringify(op.arg ?? op.burst ?? '')})`);
    assert.doesNotMatch(await message(page), /invalid type|undefined|Cannot read|expected usize/, `operation ${i}: an internal text reached the page`);
  }
  console.log(`model-based: 300 operations, seed 20261207: ${JSON.stringify(counts)}; ${pauses} pauses, the slowest ${Math.round(slowest)} ms`);
  assert.deepEqual(page.errors, []);
  await page.close();
});
