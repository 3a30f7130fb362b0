// A run belongs to one tab, and saved runs are the user's: two tabs of one page each train and
// save their own run, neither forgets the other's, a new tab can resume either at its step; the
// Saved runs list shows, downloads and deletes them (never one open in a tab), and a save refused
// for a full storage names the runs that could make room.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, env, open } from './helpers.mjs';

const LINK = '?backend=cpu&g_width=8&d_width=8&batch=4&seed=3&pretrained=0';
const SEL = (role) => `gan-playground[hash] [data-role=${role}]`;

async function ready(page) {
  await page.waitForFunction(() => $pg('samples')?.dataset.step !== undefined && !$pg('step').disabled, null, { timeout: 180_000 });
}

/** Presses Step until the run is at step `n`, then saves it (as Pause or a hidden page would). */
async function trainAndSave(page, n) {
  for (let s = Number(await page.evaluate(() => $pg('samples').dataset.step)) + 1; s <= n; s++) {
    await page.click(SEL('step'));
    await page.waitForFunction((s) => $pg('samples').dataset.step === String(s), s, { timeout: 120_000 });
  }
  await page.evaluate(() => $playgrounds()[0].snapshot());
  await page.waitForFunction((n) => $playgrounds()[0].dataset.savedStep === String(n), n, { timeout: 60_000 });
}

/** The rows of the page's Saved runs list, newest first ({ text, folder, disabled }), once each
 * row's text matches its pattern of `patterns` (as many rows as patterns). */
async function savedRuns(page, patterns) {
  const list = () => [...(document.querySelector('gan-saved-runs')?.shadowRoot.querySelectorAll('tbody tr') ?? [])].map((tr) => ({
    text: tr.textContent.replace(/\s+/g, ' ').trim(),
    folder: tr.dataset.folder,
    disabled: Object.fromEntries([...tr.querySelectorAll('button')].map((b) => [b.dataset.action, b.disabled])),
  }));
  // The page's CSP allows no eval: the function is installed once, as an init script would.
  await page.evaluate(`window.$savedRuns = ${list}`);
  const sources = patterns.map((p) => p.source);
  await page.waitForFunction((sources) => {
    const rows = window.$savedRuns();
    return rows.length === sources.length && rows.every((r, i) => new RegExp(sources[i]).test(r.text));
  }, sources, { timeout: 60_000 }).catch(async (e) => {
    throw new Error(`${e.message}; the list: ${JSON.stringify(await page.evaluate(() => window.$savedRuns().map((r) => r.text)))}`);
  });
  return page.evaluate(() => window.$savedRuns());
}

/** A tab of `context` that trained and saved a run to step 2 and closed, then a new tab, ready. */
async function afterAClosedRun(context) {
  const a = await open(LINK, context);
  await ready(a);
  await trainAndSave(a, 2);
  await a.close({ runBeforeUnload: true });
  const page = await open(LINK, context);
  await ready(page);
  return page;
}

const clickRun = (page, folder, action) => page.evaluate(([folder, action]) => {
  document.querySelector('gan-saved-runs').shadowRoot.querySelector(`tr[data-folder="${CSS.escape(folder)}"] [data-action="${action}"]`).click();
}, [folder, action]);

test('two tabs train their own runs; a new tab resumes either at its own step', { timeout: 900_000 }, async () => {
  const context = await env.browser.newContext();
  const a = await open(LINK, context);
  await ready(a);
  await trainAndSave(a, 3);

  // B opens while A holds its run: nothing to resume, and it says why.
  const b = await open(LINK, context);
  await ready(b);
  await b.waitForFunction(() => /open in another tab; this tab trains its own/.test($pg('offer-text').textContent) && !$pg('offer').hidden, null, { timeout: 60_000 });
  assert.equal(await b.evaluate(() => $pg('resume').hidden), true);
  await trainAndSave(b, 5);
  // A's run is still A's: its tab saves on, at its own step.
  await trainAndSave(a, 4);

  // A closes: B is offered A's run at once (the lock's release), and both runs are listed.
  await a.close({ runBeforeUnload: true });
  await b.waitForFunction(() => /^Resume NS-GAN \(DCGAN\) at step 4 /.test($pg('offer-text').textContent) && !$pg('resume').hidden, null, { timeout: 60_000 });
  const [runA, runB] = await savedRuns(b, [/NS-GAN.*step 4 .*Delete$/, /NS-GAN.*step 5 .*open in this tab/]);
  assert.deepEqual(runA.disabled, { resume: false, download: false, delete: false });
  assert.deepEqual(runB.disabled, { resume: true, download: false, delete: true }, 'a run open in a tab cannot be deleted');
  await b.close({ runBeforeUnload: true });

  // A new tab is offered the newest run (A's) and one more; it resumes B's from the list, and
  // another tab resumes A's from its offer.
  const c = await open(LINK, context);
  await ready(c);
  await c.waitForFunction(() => /^Resume NS-GAN \(DCGAN\) at step 4 .* 1 more in Saved runs\./.test($pg('offer-text').textContent), null, { timeout: 60_000 });
  await savedRuns(c, [/step 4 .*Delete$/, /step 5 .*Delete$/]);
  await clickRun(c, runB.folder, 'resume');
  await c.waitForFunction(() => /^Resumed NS-GAN/.test($pg('message').textContent) && $pg('samples').dataset.step === '5', null, { timeout: 120_000 });
  const d = await open(LINK, context);
  await ready(d);
  await d.waitForFunction(() => /^Resume NS-GAN \(DCGAN\) at step 4 /.test($pg('offer-text').textContent) && !$pg('resume').hidden, null, { timeout: 60_000 });
  await d.click(SEL('resume'));
  await d.waitForFunction(() => /^Resumed NS-GAN/.test($pg('message').textContent) && $pg('samples').dataset.step === '4', null, { timeout: 120_000 });
  // Each goes on from there, saving into the run it resumed.
  await trainAndSave(d, 6);
  await trainAndSave(c, 7);
  const rows = await savedRuns(d, [/step 7 .*open in another tab/, /step 6 .*open in this tab/]);
  assert.deepEqual(rows.map((r) => r.folder), [runB.folder, runA.folder]);
  assert.deepEqual([...c.errors, ...d.errors], []);
  await context.close();
});

test('Saved runs: a run downloads as its run file and is deleted when asked, never while open', { timeout: 600_000 }, async () => {
  const context = await env.browser.newContext({ acceptDownloads: true });
  const page = await afterAClosedRun(context);
  await trainAndSave(page, 1);
  const [mine, old] = await savedRuns(page, [/step 1 .*open in this tab/, /step 2 .*Delete$/]);
  const [download] = await Promise.all([page.waitForEvent('download'), clickRun(page, old.folder, 'download')]);
  assert.equal(download.suggestedFilename(), 'ns-gan-step2-run.safetensors');
  const path = join(OUT, 'saved-run-download.safetensors');
  await download.saveAs(path);
  const bytes = readFileSync(path);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString());
  assert.equal(header.__metadata__.format, 'gan-playground run 1');
  assert.equal(header.__metadata__.steps, '2');
  // Deleting this tab's own run is refused (the button is off, and the store says no).
  assert.equal(mine.disabled.delete, true);
  assert.equal(await page.evaluate((f) => import('/www/lib/run-store.js').then((s) => s.deleteRun(f)), mine.folder), false);
  await clickRun(page, old.folder, 'delete');
  const left = await savedRuns(page, [/step 1 .*open in this tab/]);
  assert.equal(left[0].folder, mine.folder);
  assert.match(await page.evaluate(() => document.querySelector('gan-saved-runs').shadowRoot.querySelector('[data-role=usage]').textContent), /^1 saved run, .* of the .* this browser allows it\./);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a save refused for a full storage names the saved runs that could make room, and deletes none', { timeout: 600_000 }, async () => {
  const context = await env.browser.newContext();
  const page = await afterAClosedRun(context);
  // The browser's own quota, made small: the next snapshot does not fit.
  const cdp = await context.newCDPSession(page);
  const usage = await page.evaluate(() => navigator.storage.estimate().then((e) => e.usage));
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(env.base).origin, quotaSize: usage + 1000 });
  await page.click(SEL('step'));
  await page.waitForFunction(() => $pg('samples').dataset.step === '1', null, { timeout: 120_000 });
  await page.evaluate(() => $playgrounds()[0].snapshot());
  await page.waitForFunction(() => /could not be saved in the browser \(the browser's storage for this site is full\); training goes on\. Runs you could delete in Saved runs: NS-GAN \(DCGAN\) at step 2 /.test($pg('message').textContent), null, { timeout: 60_000 });
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(env.base).origin });
  await savedRuns(page, [/step 2 .*Delete$/]); // nothing was deleted
  assert.deepEqual(page.errors.filter((e) => !/QuotaExceeded/.test(e)), []);
  await context.close();
});
