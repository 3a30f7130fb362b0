// The article's figures show what their text says, measured on what they draw, and the article and
// the playground pass an accessibility check (axe-core, WCAG 2 A and AA rules) with no serious or
// critical violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { OUT, PRETRAINED_STEPS, open } from './helpers.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (shadow roots included). */
async function accessibilityViolations(page) {
  await page.evaluate(AXE); // through the debugger protocol: the page's CSP does not apply
  const results = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' > ')).join('; ')}`);
}

/** Scrolls through the page so that every lazy widget starts. */
async function scrollThrough(page) {
  for (let y = 0; y < (await page.evaluate(() => document.body.scrollHeight)); y += 700) {
    await page.evaluate((y) => window.scrollTo(0, y), y);
    await page.waitForTimeout(200);
  }
}

/** The indices among `$playgrounds()` of the playgrounds of the <gan-compare> that `selector`
 * finds, each brought near the screen in turn so that it boots (a figure's columns may wrap onto
 * rows below the first). */
async function compareRuns(page, selector) {
  const ids = await page.evaluate((selector) => {
    const compare = document.querySelector(selector);
    const all = $playgrounds();
    return [...compare.shadowRoot.querySelectorAll('gan-playground')].map((el) => all.indexOf(el));
  }, selector);
  for (const i of ids) {
    await page.evaluate((i) => $playgrounds()[i].scrollIntoView({ block: 'center' }), i);
    await page.waitForTimeout(200);
  }
  await page.evaluate((selector) => document.querySelector(selector).scrollIntoView(), selector);
  return ids;
}

test('the article and the playground pass axe-core with no serious or critical violation', { timeout: 900_000 }, async () => {
  for (const url of ['www/article.html?backend=cpu', '?backend=cpu']) {
    const page = await open(url, undefined, { width: 1280, height: 1000 });
    await scrollThrough(page);
    await page.waitForFunction(() => $playgrounds().every((el) => el.state), null, { timeout: 300_000, polling: 1000 });
    assert.deepEqual(page.errors, []);
    // (axe applies styles of its own while it checks, which the page's policy refuses and logs.)
    const violations = await accessibilityViolations(page);
    assert.deepEqual(violations, [], `${url}:\n${violations.join('\n')}`);
    await page.close();
  }
});

test("the clipping figure: it opens with WGAN's weights piled up at ±c and WGAN-GP's spread; from scratch, the pile-up comes with the first critic step, not at step 0", { timeout: 900_000 }, async () => {
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  await page.evaluate(() => document.querySelector('#wgan-gp').scrollIntoView());
  // The clipping figure: WGAN, then WGAN-GP.
  const [wgan, gp] = await compareRuns(page, 'gan-compare[variants="wgan,wgan-gp"]');
  assert.deepEqual(await page.evaluate(([a, b]) => [a, b].map((i) => $playgrounds()[i].getAttribute('variant')), [wgan, gp]), ['wgan', 'wgan-gp']);
  // The share of weights in the two outermost bins of the critic's weight histogram.
  const atEdges = (i) => page.evaluate((i) => {
    const { counts, limit, step } = $playgrounds()[i].histogram;
    const n = counts.reduce((a, b) => a + b, 0);
    return { share: (counts[0] + counts.at(-1)) / n, limit, step };
  }, i);
  // The opening state: 1,500 steps, 7,500 critic steps each.
  await page.waitForFunction(([a, b]) => [a, b].every((i) => $playgrounds()[i].histogram?.step === 1500), [wgan, gp], { timeout: 300_000, polling: 500 });
  const [opened, openedGp] = [await atEdges(wgan), await atEdges(gp)];
  console.log(`opened at step 1,500: WGAN ${(100 * opened.share).toFixed(1)} % at the edges (limit ${opened.limit.toFixed(4)}), WGAN-GP ${(100 * openedGp.share).toFixed(1)} %`);
  // (stored in f16, in which 0.01 is 0.0100021)
  assert.ok(Math.abs(opened.limit - 0.01) < 1e-5 && opened.share > 0.5, 'the opening critic has most weights at ±c');
  assert.ok(openedGp.share < 0.05, "the opening WGAN-GP critic's weights are spread out");
  // The c in the prose: two steps down (0.01 → 0.005 → 0.002), each a critic step with the new bound.
  const scrub = page.locator('gan-scrub[for="clipping"][knob="clip"]');
  await scrub.focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((a) => $playgrounds()[a].histogram?.step === 1500 && $playgrounds()[a].state.knobs.clip === 0.005 && $playgrounds()[a].histogram.limit < 0.0051, wgan, { timeout: 120_000, polling: 200 });
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((a) => $playgrounds()[a].state.knobs.clip === 0.002 && $playgrounds()[a].histogram.limit < 0.00201, wgan, { timeout: 120_000, polling: 200 });
  const scrubbed = await atEdges(wgan);
  console.log(`after c = 0.002 in the prose: ${(100 * scrubbed.share).toFixed(1)} % at ±${scrubbed.limit.toPrecision(3)} (step ${scrubbed.step})`);
  assert.equal(await scrub.textContent(), '0.002');
  assert.ok(Math.abs(scrubbed.limit - 0.002) < 1e-6 && scrubbed.share > 0.5, "the critic's weights pile up at the new ±c");
  // From scratch, with the published c again (the reader's c would stay through a reset).
  await page.evaluate(([a, b]) => [a, b].forEach((i) => $playgrounds()[i].reset({ knobs: {} })), [wgan, gp]);
  await page.waitForFunction(([a, b]) => [a, b].every((i) => $playgrounds()[i].histogram?.step === 0), [wgan, gp], { timeout: 300_000, polling: 500 });
  const before = await atEdges(wgan);
  await page.evaluate(([a, b]) => [a, b].forEach((i) => $playgrounds()[i].step()), [wgan, gp]);
  await page.waitForFunction(([a, b]) => [a, b].every((i) => $playgrounds()[i].histogram?.step >= 1), [wgan, gp], { timeout: 300_000, polling: 500 });
  const after = await atEdges(wgan);
  const penalised = await atEdges(gp);
  console.log(`WGAN: ${(100 * before.share).toFixed(1)} % at the edges at step 0 (limit ${before.limit.toFixed(3)}), ${(100 * after.share).toFixed(1)} % after a step (limit ${after.limit.toFixed(3)}); WGAN-GP ${(100 * penalised.share).toFixed(1)} %`);
  assert.ok(before.share < 0.05 && before.limit > 0.03, 'at step 0 the critic is DCGAN-initialised, not clipped');
  assert.ok(Math.abs(after.limit - 0.01) < 1e-6 && after.share > 0.5, 'after the first critic step most weights sit at ±c');
  assert.ok(penalised.share < 0.05, "WGAN-GP's weights stay spread out");
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** The entropy of a class histogram in units of log 10 (1: all ten digits equally often). */
const spread = (counts) => {
  const n = counts.reduce((a, b) => a + b, 0);
  return -counts.filter((c) => c > 0).reduce((h, c) => h + (c / n) * Math.log(c / n), 0) / Math.log(10);
};

test('the scrubbable γ and λ train their run with the new value: k_t leaves 0 at γ = 0.9, and at λ = 0.1 the critic\'s slope drifts far from 1', { timeout: 1_200_000 }, async () => {
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  // λ: the WGAN-GP column of the clipping figure, 100 steps at λ = 0.1 (two values down from 10).
  await page.evaluate(() => document.querySelector('#clipping').scrollIntoView());
  const [, gp] = await compareRuns(page, '#clipping');
  await page.waitForFunction((g) => $playgrounds()[g].histogram?.step === 1500 && !$pg('play', g).disabled, gp, { timeout: 300_000, polling: 500 });
  const lambda = page.locator('gan-scrub[knob="lambda"]');
  await lambda.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await lambda.textContent(), '0.1');
  await page.waitForFunction((g) => $playgrounds()[g].state.knobs.lambda === 0.1 && $playgrounds()[g].progress.step >= 1600 && !$playgrounds()[g].progress.running, gp, { timeout: 900_000, polling: 500 });
  const slope = await page.evaluate((g) => $playgrounds()[g].progress.values.gradient_norm, gp);
  console.log(`λ = 0.1, 100 steps: ‖∇D‖ ${slope.toFixed(2)}`);
  assert.ok(slope > 2, `‖∇D‖ ${slope}: the penalty no longer holds the slope near 1`);
  // γ: the middle BEGAN run, 500 steps at γ = 0.9 (two values up from 0.5).
  await page.evaluate(() => document.querySelector('#began-gamma').scrollIntoView());
  const [, middle] = await compareRuns(page, '#began-gamma');
  await page.waitForFunction((m) => $playgrounds()[m].progress.step === 5000 && !$pg('play', m).disabled, middle, { timeout: 300_000, polling: 500 });
  assert.ok(await page.evaluate((m) => $playgrounds()[m].progress.values.k, middle) < 1e-4, 'k_t opens at 0');
  const gamma = page.locator('gan-scrub[knob="gamma"]');
  await gamma.focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  assert.equal(await gamma.textContent(), '0.9');
  await page.waitForFunction((m) => $playgrounds()[m].state.knobs.gamma === 0.9 && $playgrounds()[m].progress.step >= 5500 && !$playgrounds()[m].progress.running, middle, { timeout: 900_000, polling: 500 });
  const k = await page.evaluate((m) => $playgrounds()[m].progress.values.k, middle);
  console.log(`γ = 0.9, 500 steps: k_t ${k.toFixed(4)}`);
  assert.ok(k > 0.005, `k_t ${k}: it left 0`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('per-column settings: the BEGAN figure opens three values of γ on their own runs, whose digit classes spread more with γ; the conclusion trains three seeds, each drawing its own samples', { timeout: 900_000 }, async () => {
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  await page.evaluate(() => document.querySelector('#began-gamma').scrollIntoView());
  const began = await compareRuns(page, 'gan-compare[variants="began,began,began"]');
  // A column opens only once it has come near the screen: wait for that before scrolling on.
  await page.waitForFunction((ids) => ids.every((i) => $playgrounds()[i].state && $pg('samples', i).dataset.step === '5000'), began, { timeout: 300_000, polling: 500 });
  await page.evaluate(() => document.querySelector('gan-compare[columns^="seed="]').scrollIntoView());
  const seeds = await compareRuns(page, 'gan-compare[columns^="seed="]');
  await page.waitForFunction((ids) => ids.every((i) => $playgrounds()[i].state && $pg('samples', i).dataset.step === '1500'), seeds, { timeout: 300_000, polling: 500 });
  const knobs = await page.evaluate((ids) => ids.map((i) => $playgrounds()[i].state.knobs.gamma), began);
  assert.deepEqual(knobs, [0.3, 0.5, 0.9]);
  const titles = await page.evaluate(() => [...document.querySelector('gan-compare[variants="began,began,began"]').shadowRoot.querySelectorAll('h3')].map((h) => h.textContent));
  assert.deepEqual(titles, ['BEGAN (gamma = 0.3)', 'BEGAN (gamma = 0.5)', 'BEGAN (gamma = 0.9)']);
  assert.deepEqual(await page.evaluate((ids) => ids.map((i) => $playgrounds()[i].state.seed), seeds), [1, 2, 3]);
  // Different seeds: different initial generators and latents, so different grids.
  const grids = await page.evaluate((ids) => ids.map((i) => $grey($pg('samples', i))), seeds);
  for (const [a, b] of [[0, 1], [1, 2], [0, 2]]) {
    const diff = grids[a].reduce((s, v, k) => s + Math.abs(v - grids[b][k]), 0) / grids[a].length;
    assert.ok(diff > 1, `seeds ${a + 1} and ${b + 1} draw different grids (mean |Δ| ${diff.toFixed(2)})`);
  }
  // The diversity read-out: the classifier's digit classes in each column's samples.
  await page.evaluate(() => document.querySelector('#began-gamma').scrollIntoView());
  await page.evaluate(() => document.querySelector('gan-compare[variants="began,began,began"]').shadowRoot.querySelector('[data-role="score"]').click());
  await page.waitForFunction((ids) => ids.every((i) => $playgrounds()[i].lastScore), began, { timeout: 300_000, polling: 500 });
  const classes = await page.evaluate((ids) => ids.map((i) => $playgrounds()[i].lastScore.classes), began);
  const spreads = classes.map(spread);
  console.log(`BEGAN digit classes at step 5,000 (γ = 0.3, 0.5, 0.9): ${classes.map((c, k) => `[${c}] spread ${spreads[k].toFixed(2)}`).join('; ')}`);
  assert.ok(spreads[2] > spreads[0] + 0.1 && spreads[2] > spreads[1] + 0.1, `γ = 0.9 draws more kinds of digit than 0.3 and 0.5: ${spreads}`);
  const top = classes.map((c) => Math.max(...c) / c.reduce((a, b) => a + b, 0));
  assert.ok(top[0] > top[2] + 0.15, `γ = 0.3's commonest digit takes a far larger share than γ = 0.9's: ${top}`);
  await page.screenshot({ path: join(OUT, 'article-began.png') });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a caption names the variant its figure shows, also after the reader switches it", { timeout: 600_000 }, async () => {
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  await page.evaluate(() => document.querySelector('#lsgan').scrollIntoView());
  const select = page.locator('#lsgan ~ figure gan-playground [data-role="variant"]').first();
  await page.waitForFunction(() => !document.querySelector('#lsgan ~ figure gan-playground').shadowRoot.querySelector('[data-role="variant"]').disabled, null, { timeout: 300_000 });
  const caption = () => page.evaluate(() => document.querySelector('#lsgan ~ figure figcaption [data-variant]').textContent);
  assert.equal(await caption(), 'LSGAN');
  await select.selectOption('wgan');
  await page.waitForFunction(() => document.querySelector('#lsgan ~ figure figcaption [data-variant]').textContent === 'WGAN (clipping)', null, { timeout: 300_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the ring figure: it opens at step 3,000 with LSGAN on every mode, NS-GAN on a few, and the clipped critic's arrows near zero where NS-GAN's are not; from scratch LSGAN again covers every mode by step 3,000", { timeout: 1_200_000 }, async () => {
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  await page.evaluate(() => document.querySelector('#wgan').scrollIntoView());
  const runs = await compareRuns(page, 'gan-compare[dataset="ring"]');
  await page.waitForFunction((ids) => ids.every((i) => $playgrounds()[i].coverage), runs, { timeout: 300_000, polling: 500 });
  const variants = await page.evaluate((ids) => ids.map((i) => $playgrounds()[i].state.variant), runs);
  assert.deepEqual(variants, ['ns-gan', 'wgan', 'lsgan', 'wgan-gp']);
  // The opening state: each run's coverage, and the plane's scales (the heatmap's range, the arrows' mean length).
  await page.waitForFunction((ids) => ids.every((i) => $playgrounds()[i].planeScales?.step === 3000), runs, { timeout: 300_000, polling: 500 });
  const opened = await page.evaluate((ids) => ids.map((i) => ({ covered: $playgrounds()[i].coverage.covered, ...$playgrounds()[i].planeScales, label: $pg('plane', i).getAttribute('aria-label') })), runs);
  console.log(opened.map((o, k) => `${variants[k]} at step 3,000: ${o.covered} of 8 modes, D from ${o.lo.toExponential(2)} to ${o.hi.toExponential(2)}, mean pull ${o.meanPull.toExponential(2)}`).join('\n'));
  assert.equal(opened[2].covered, 8, 'LSGAN opens on all 8 modes');
  assert.ok(opened[0].covered <= 5, 'NS-GAN opens on a few');
  assert.ok(opened[1].meanPull < 0.01 * opened[0].meanPull, "the clipped critic's arrows are near zero where NS-GAN's are not");
  assert.ok(opened[1].hi - opened[1].lo < 0.01, "the clipped critic's surface is nearly flat (the scale under it says so)");
  assert.match(opened[2].label, /^LSGAN, step 3000: .*8 of 8 modes covered/);
  // From scratch: Reset all, then each run trained to step 3,000.
  await page.evaluate(() => document.querySelector('gan-compare[dataset="ring"]').shadowRoot.querySelector('[data-role="reset"]').click());
  await page.waitForFunction((ids) => ids.every((i) => $playgrounds()[i].progress.step === 0 && $playgrounds()[i].coverage), runs, { timeout: 300_000, polling: 500 });
  // The modes each run covers, recorded at every plane it draws, each run trained to step 3,000
  // (the runs go at their own pace: WGAN takes five critic steps per step).
  await page.evaluate((ids) => {
    window.coverageSeen = ids.map((i) => {
      const el = $playgrounds()[i];
      const seen = [];
      el.addEventListener('gan-progress', () => {
        const step = Number(el.shadowRoot.querySelector('[data-role="plane"]').dataset.step);
        if (el.coverage && seen.at(-1)?.[0] !== step) seen.push([step, el.coverage.covered, el.shadowRoot.querySelector('[data-role="coverage"]').textContent]);
      });
      el.start(3000);
      return seen;
    });
  }, runs);
  await page.waitForFunction((ids) => ids.every((i) => $playgrounds()[i].progress.step === 3000 && !$playgrounds()[i].progress.running), runs, { timeout: 1_000_000, polling: 1000 });
  const seen = await page.evaluate(() => window.coverageSeen);
  for (const run of seen) {
    for (const [, covered, text] of run) assert.ok(text.startsWith(`Modes covered: ${covered} of 8`), text);
  }
  const best = seen.map((run) => Math.max(...run.map(([, covered]) => covered)));
  const history = seen.map((run) => run.filter(([, c], k) => k === 0 || c !== run[k - 1][1]));
  console.log(variants.map((v, k) => `${v}: at most ${best[k]} of 8 (step, modes: ${history[k].map(([a, b]) => `${a}:${b}`).join(' ')})`).join('\n'));
  assert.equal(best[2], 8, 'LSGAN covers every mode');
  assert.ok(best[0] <= 5, 'NS-GAN never covers most of the ring');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the conclusion's study figures draw from the committed results files, and a two-model, two-seed replay of each model's best setting runs in the page to its box plot", { timeout: 900_000 }, async () => {
  const lines = (name) => readFileSync(join(import.meta.dirname, '..', '..', 'www', 'study', name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const [search, seeds] = [lines('mnist-search.jsonl'), lines('mnist-seeds.jsonl')];
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  await page.evaluate(() => document.querySelector('#equal').scrollIntoView());
  await page.waitForFunction(() => document.querySelector('gan-study').shadowRoot.querySelector('[data-role="budget"]').dataset.variants, null, { timeout: 300_000, polling: 500 });
  const drawn = await page.evaluate(() => {
    const root = document.querySelector('gan-study').shadowRoot;
    const inked = (canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) n += data[i] > 0;
      return n / (canvas.width * canvas.height);
    };
    const [budget, boxes] = ['budget', 'seeds'].map((r) => root.querySelector(`[data-role="${r}"]`));
    return { variants: Number(budget.dataset.variants), runs: Number(boxes.dataset.runs), inked: [inked(budget), inked(boxes)], rows: root.querySelectorAll('tbody tr').length };
  });
  const variants = new Set(search.map((r) => r.variant)).size;
  console.log(`study figures: ${drawn.variants} budget curves, ${drawn.runs} seed runs in the box plots; ${drawn.inked.map((x) => (100 * x).toFixed(1)).join(' % and ')} % of the canvases inked`);
  assert.equal(drawn.variants, variants, 'a budget curve for every variant of the results file');
  assert.equal(drawn.runs, seeds.filter((r) => r.best).length, 'every scored seed run in the box plots');
  assert.equal(drawn.rows, variants);
  assert.ok(drawn.inked.every((x) => x > 0.02), 'both figures are drawn');

  await page.evaluate(() => {
    const study = document.querySelector('gan-study');
    study.addEventListener('gan-replay', (e) => (window.replayed = e.detail.results), { once: true });
    study.shadowRoot.querySelector('[data-role="replay"]').click();
  });
  await page.waitForFunction(() => document.querySelector('gan-study').shadowRoot.querySelector('[data-role="replay-seeds"]').dataset.done === '4', null, { timeout: 800_000, polling: 1000 });
  // Each run is one of the committed seeds phase's: its best setting, at its seed.
  const plan = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'www', 'study', 'mnist-seeds-plan.json'), 'utf8'));
  const replayed = await page.evaluate(() => window.replayed);
  for (const run of replayed) {
    const planned = plan.runs.find((r) => r.config.variant === run.variant && r.config.seed === run.seed);
    const committed = seeds.find((r) => r.variant === run.variant && r.seed === run.seed);
    assert.ok(planned && planned.setting === run.setting, `${run.variant} seed ${run.seed} is a run of the plan, with its best setting`);
    console.log(`${run.variant} setting ${run.setting} seed ${run.seed}: FID-style ${run.best?.fid.toFixed(1)} in the page, ${committed?.best?.fid.toFixed(1)} natively`);
    assert.ok(Number.isFinite(run.best?.fid), 'scored');
  }
  const replay = await page.evaluate(() => {
    const canvas = document.querySelector('gan-study').shadowRoot.querySelector('[data-role="replay-seeds"]');
    return { variants: Number(canvas.dataset.variants), runs: Number(canvas.dataset.runs) };
  });
  assert.deepEqual(replay, { variants: 2, runs: 4 }, 'two models, two seeds each, every run scored and in the box plot');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the minimax figure: against a winning critic, MM-GAN's ‖∇G‖ has collapsed where NS-GAN's has not, at its opening and again from scratch", { timeout: 900_000 }, async () => {
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  await page.evaluate(() => document.querySelector('#minimax').scrollIntoView());
  const [mm, ns] = await compareRuns(page, 'gan-compare[variants="mm-gan,ns-gan"]');
  const runs = [mm, ns];
  await page.waitForFunction((rs) => rs.every((i) => $playgrounds()[i].state), runs, { timeout: 300_000, polling: 500 });
  assert.deepEqual(await page.evaluate((rs) => rs.map((i) => [$playgrounds()[i].getAttribute('variant'), $playgrounds()[i].state.n_critic]), runs), [['mm-gan', 5], ['ns-gan', 5]]);
  // The opening state, read from the run's saved charts: no training needed.
  await page.waitForFunction((rs) => rs.every((i) => $playgrounds()[i].progress.step === 1500 && $playgrounds()[i].progress.values.generator_gradient_norm > 0), runs, { timeout: 300_000, polling: 500 });
  const [om, on] = await page.evaluate((rs) => rs.map((i) => $playgrounds()[i].progress.values.generator_gradient_norm), runs);
  console.log(`‖∇G‖ at the opening step 1,500: MM-GAN ${om.toExponential(2)}, NS-GAN ${on.toExponential(2)}`);
  assert.ok(om * 10 < on, `at its opening, MM-GAN's ‖∇G‖ (${om}) is far below NS-GAN's (${on})`);
  // Reset all: from scratch the collapse comes within a few dozen steps.
  await page.evaluate((rs) => rs.forEach((i) => $playgrounds()[i].reset()), runs);
  await page.waitForFunction((rs) => rs.every((i) => $playgrounds()[i].progress.step === 0), runs, { timeout: 300_000, polling: 500 });
  await page.evaluate((rs) => rs.forEach((i) => $playgrounds()[i].start()), runs);
  await page.waitForFunction((rs) => rs.every((i) => $playgrounds()[i].progress.step >= 40), runs, { timeout: 600_000, polling: 500 });
  await page.evaluate((rs) => rs.forEach((i) => $playgrounds()[i].pause()), runs);
  const [gm, gn] = await page.evaluate((rs) => rs.map((i) => $playgrounds()[i].progress.values.generator_gradient_norm), runs);
  console.log(`‖∇G‖ after 40 iterations against a winning critic: MM-GAN ${gm.toFixed(3)}, NS-GAN ${gn.toFixed(3)}`);
  assert.ok(gm * 10 < gn, `MM-GAN's ‖∇G‖ (${gm}) is far below NS-GAN's (${gn})`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the clipping bound's figure: the critic's ‖∇D‖ falls with c", { timeout: 900_000 }, async () => {
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  const runs = await compareRuns(page, 'gan-compare[columns^="clip="]');
  await page.evaluate(() => document.querySelector('gan-compare[columns^="clip="]').scrollIntoView());
  await page.waitForFunction((rs) => rs.every((i) => $playgrounds()[i].state), runs, { timeout: 300_000, polling: 500 });
  assert.deepEqual(await page.evaluate((rs) => rs.map((i) => $playgrounds()[i].state.knobs.clip), runs), [0.001, 0.01, 0.1]);
  // The opening state (step 1,500), read from the runs' saved charts.
  await page.waitForFunction((rs) => rs.every((i) => $playgrounds()[i].progress.step === 1500 && $playgrounds()[i].progress.values.critic_gradient_norm > 0), runs, { timeout: 300_000, polling: 500 });
  const opened = await page.evaluate((rs) => rs.map((i) => $playgrounds()[i].progress.values.critic_gradient_norm), runs);
  console.log(`‖∇D‖ at the opening step 1,500, c = 0.001, 0.01, 0.1: ${opened.map((n) => n.toExponential(2)).join(', ')}`);
  assert.ok(opened[0] * 10 < opened[1] && opened[1] * 10 < opened[2], `at the opening, ‖∇D‖ grows tenfold or more with each tenfold c: ${opened}`);
  await page.evaluate((rs) => rs.forEach((i) => $playgrounds()[i].reset()), runs);
  await page.waitForFunction((rs) => rs.every((i) => $playgrounds()[i].progress.step === 0), runs, { timeout: 300_000, polling: 500 });
  await page.evaluate((rs) => rs.forEach((i) => $playgrounds()[i].start()), runs);
  await page.waitForFunction((rs) => rs.every((i) => $playgrounds()[i].progress.step >= 3), runs, { timeout: 600_000, polling: 500 });
  await page.evaluate((rs) => rs.forEach((i) => $playgrounds()[i].pause()), runs);
  const norms = await page.evaluate((rs) => rs.map((i) => $playgrounds()[i].progress.values.critic_gradient_norm), runs);
  console.log(`‖∇D‖ at c = 0.001, 0.01, 0.1: ${norms.map((n) => n.toExponential(2)).join(', ')}`);
  assert.ok(norms[0] * 10 < norms[1] && norms[1] * 10 < norms[2], `‖∇D‖ grows tenfold or more with each tenfold c: ${norms}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('every MNIST figure opens on a trained state: scored without training, each column that learns is far from noise, and each stalled one sits beside one that learned', { timeout: 1_200_000 }, async () => {
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  await scrollThrough(page);
  await page.waitForFunction(() => $playgrounds().every((el) => el.state), null, { timeout: 300_000, polling: 1000 });
  const columns = await page.evaluate(() => $playgrounds().map((el, i) => ({ i, dataset: el.state.dataset })).filter((c) => c.dataset === 'mnist').map((c) => c.i));
  await page.waitForFunction((ids) => ids.every((i) => $pg('samples', i).dataset.step !== undefined), columns, { timeout: 300_000, polling: 1000 });
  // One column scored as it is now (the page's own FID-style distance, 500 samples).
  const scoreOf = (i) => page.evaluate((i) => new Promise((resolve) => {
    const el = $playgrounds()[i];
    const figure = (el.getRootNode().host ?? el).closest('figure');
    let heading = figure;
    while (heading && heading.tagName !== 'H2') heading = heading.previousElementSibling;
    el.addEventListener('gan-score', () => resolve({
      i, section: heading?.id, variant: el.state.variant, seed: el.state.seed, clip: el.state.knobs.clip, gamma: el.state.knobs.gamma,
      step: Number($pg('samples', i).dataset.step), fid: el.lastScore.fid,
    }), { once: true });
    el.score();
  }), i);
  const scored = [];
  for (const i of columns) scored.push(await scoreOf(i));
  // Noise, measured the same way: the last column reset to an untrained generator.
  const last = columns.at(-1);
  await page.evaluate((i) => $playgrounds()[i].reset(), last);
  await page.waitForFunction((i) => $pg('samples', i).dataset.step === '0', last, { timeout: 300_000, polling: 500 });
  const noise = (await scoreOf(last)).fid;
  const name = (c) => `${c.section} ${c.variant}${c.clip ? ` c=${c.clip}` : ''}${c.gamma ? ` γ=${c.gamma}` : ''} seed ${c.seed}`;
  console.log(`${scored.map((c) => `${name(c)}: step ${c.step}, FID-style ${c.fid.toFixed(1)}`).join('\n')}\nuntrained: ${noise.toFixed(1)}`);
  for (const c of scored) assert.ok(c.step > 0, `${name(c)} opens on a trained state, not step 0`);
  const stalls = [['minimax', 'mm-gan', 'ns-gan']].map(([section, stalled, learned]) => [section, scored.find((c) => c.section === section && c.variant === stalled), scored.find((c) => c.section === section && c.variant === learned)]);
  for (const c of scored.filter((c) => !stalls.some(([, s]) => s === c))) assert.ok(c.fid < 0.6 * noise, `${name(c)} (step ${c.step}) is far from noise: ${c.fid} against ${noise}`);
  for (const [section, stalled, learned] of stalls) {
    assert.ok(stalled.fid > 0.9 * noise, `${section}: ${stalled.variant} stalls at noise (${stalled.fid} against ${noise})`);
    assert.ok(learned.fid < 0.6 * noise, `${section}: beside it ${learned.variant} learned (${learned.fid})`);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the Wasserstein figure: moving θ changes W = |θ| and leaves JS at log 2; at θ = 0 both are 0', { timeout: 300_000 }, async () => {
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  await page.evaluate(() => document.querySelector('#why-wasserstein').scrollIntoView());
  const read = () => page.evaluate(() => {
    const el = document.querySelector('gan-distance');
    const text = (role) => el.shadowRoot.querySelector(`[data-role="${role}"]`).textContent;
    return { theta: el.theta, ...el.values, shown: { w: text('w'), js: text('js'), theta: text('theta-value') } };
  });
  const opened = await read();
  assert.equal(opened.theta, 0.5);
  // The keyboard on the plane: each arrow moves the generated segment by 0.05.
  const plane = page.locator('gan-distance [data-role="plane"]');
  await plane.focus();
  const seen = [opened];
  for (let k = 0; k < 10; k++) {
    await page.keyboard.press('ArrowLeft');
    seen.push(await read());
  }
  // A drag on the plane: a quarter of the way across is θ = −0.5.
  const box = await plane.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 4, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  seen.push(await read());
  console.log(seen.map((v) => `θ ${v.theta}: W ${v.w.toFixed(3)} JS ${v.js.toFixed(3)}`).join('; '));
  for (const v of seen) {
    assert.ok(Math.abs(v.w - Math.abs(v.theta)) < 1e-12, `W = |θ| at θ = ${v.theta}`);
    assert.equal(v.js, v.theta === 0 ? 0 : Math.log(2), `JS at θ = ${v.theta}`);
    assert.equal(v.jsSlope, 0);
    assert.equal(v.shown.theta, v.theta.toFixed(2));
  }
  assert.equal(seen[10].theta, 0, 'ten steps left of 0.5 is 0');
  assert.equal(seen.at(-1).theta, -0.5);
  assert.equal(seen.at(-1).wSlope, -1, "W's slope points home from the left too");
  assert.ok(new Set(seen.map((v) => v.w)).size > 5, 'W changed as θ moved');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("at a phone's width (390 px) the article and the playground do not scroll sideways, and the playground shows its samples before its settings", { timeout: 900_000 }, async () => {
  for (const url of ['www/article.html?backend=cpu', '?backend=cpu']) {
    const page = await open(url, undefined, { width: 390, height: 844 });
    await scrollThrough(page);
    await page.waitForFunction(() => $playgrounds().every((el) => el.state), null, { timeout: 300_000, polling: 1000 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${url}: the page is ${width} px wide at a 390 px viewport`);
    if (!url.includes('article')) {
      const [samples, settings] = await page.evaluate(() => ['[data-role="samples"]', '[data-part="settings"]'].map((q) => $playgrounds()[0].shadowRoot.querySelector(q).getBoundingClientRect().top));
      assert.ok(samples < settings, `the samples (${samples}) come before the settings (${settings})`);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(OUT, `phone-${url.includes('article') ? 'article' : 'playground'}.png`), fullPage: !url.includes('article') });
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});

test("the latent figure's samples can be pinned from the keyboard, as its caption says", { timeout: 300_000 }, async () => {
  const page = await open('www/article.html?backend=cpu', undefined, { width: 1280, height: 1000 });
  const i = await page.evaluate(() => $playgrounds().findIndex((el) => (el.getAttribute('show') ?? '').includes('latent')));
  await page.evaluate((i) => $playgrounds()[i].scrollIntoView({ block: 'center' }), i);
  await page.waitForFunction(([i, steps]) => $playgrounds()[i].gridZ && $pg('samples', i).dataset.step === String(steps), [i, PRETRAINED_STEPS['ns-gan']], { timeout: 300_000, polling: 500 });
  await page.evaluate((i) => $pg('samples', i).focus(), i);
  for (const key of ['ArrowRight', 'ArrowRight', 'Enter', 'ArrowDown', 'Enter']) await page.keyboard.press(key);
  const state = await page.evaluate((i) => {
    const el = $playgrounds()[i];
    return { pins: el.pins.length, same: el.pins[1].every((v, k) => v === el.gridZ[9 * el.nz + k]), label: $pg('samples', i).getAttribute('aria-label'), cursor: !$pg('tile-cursor', i).hidden };
  }, i);
  assert.equal(state.pins, 2);
  assert.ok(state.same, 'the first arrow shows the cursor on sample 1, the second moves it; the second pin is sample 10 (row 2, column 2)');
  assert.match(state.label, /sample 10 of 64 \(row 2, column 2\)/);
  assert.ok(state.cursor, 'the cursor is drawn over its tile');
  assert.deepEqual(page.errors, []);
  await page.close();
});
