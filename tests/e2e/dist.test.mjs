// `npm run build`'s dist/ is the deployable site alone, and it works where it is published: served
// under a sub-path, the playground trains and the article's first figure draws, with no request
// outside the sub-path and no error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { DIST, writeDist } from '../../scripts/build.mjs';
import { serve, urlOf } from '../../scripts/serve.mjs';
import { CHROMIUM, QUIET } from './helpers.mjs';

const PREFIX = '/games/gan-playground/';

test('dist/ holds the site alone, and served under a sub-path it trains', { timeout: 600_000 }, async () => {
  const { files } = writeDist();
  for (const pattern of [/^www\/bench/, /^tests\//, /node_modules/, /\.d\.ts$/, /^www\/assets\//]) {
    assert.deepEqual(files.filter((f) => pattern.test(f)), [], `${pattern} is not part of the site`);
  }
  for (const needed of ['index.html', 'www/article.html', 'pkg/gan_playground_bg.wasm', 'pkg/cpu/gan_playground_bg.wasm', 'pkg/cpu-threads/gan_playground_bg.wasm', 'www/data/mnist.bin.gz']) assert.ok(files.includes(needed), needed);

  const server = await serve({ port: 0, dir: DIST, prefix: PREFIX });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: QUIET });
  const page = await browser.newPage();
  const errors = [];
  const outside = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('request', (r) => new URL(r.url()).pathname.startsWith(PREFIX) || outside.push(r.url()));
  const base = `${urlOf(server).replace(/\/$/, '')}${PREFIX}`;
  await page.goto(`${base}?backend=cpu&g_width=8&d_width=8&batch=4&pretrained=0`);
  await page.waitForFunction(() => {
    const el = document.querySelector('gan-playground');
    return el?.runConfig && !el.shadowRoot.querySelector('[data-role=step]').disabled;
  }, null, { timeout: 180_000 });
  await page.evaluate(() => document.querySelector('gan-playground').start(3));
  await page.waitForFunction(() => document.querySelector('gan-playground').progress.step === 3, null, { timeout: 180_000 });
  // The article, and its first figure's pretrained run.
  await page.goto(`${base}www/article.html?backend=cpu`);
  await page.waitForFunction(() => document.querySelector('figure gan-playground')?.shadowRoot?.querySelector('[data-role=samples]')?.dataset.step !== undefined, null, { timeout: 180_000 });
  assert.deepEqual(outside, [], 'every request stays under the sub-path');
  assert.deepEqual(errors, []);
  await browser.close();
  server.close();
});
