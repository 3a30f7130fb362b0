// Shared set-up of the page tests: one static server and one headless Chromium with WebGPU
// (SwiftShader) per test file, and pages that record their errors.
import { after, before } from 'node:test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve, urlOf } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_QUIET as QUIET, root } from '../../scripts/tools.mjs';

export { CHROMIUM, QUIET };
export const OUT = join(root, 'test-results');
/** The step the page's pretrained generators were trained to (www/pretrained/manifest.json), by variant. */
export const PRETRAINED_STEPS = Object.fromEntries(JSON.parse(readFileSync(join(root, 'www', 'pretrained', 'manifest.json'), 'utf8')).models.map((m) => [m.variant, m.steps]));

/** {base, browser, server}, set before the file's tests run. */
export const env = {};

before(async () => {
  mkdirSync(OUT, { recursive: true });
  // The site, plus what tests load beside it: weight fixtures (?weights=) and pages written to test-results/.
  env.server = await serve({ port: 0, extra: ['tests/fixtures', 'test-results'] });
  env.base = urlOf(env.server);
  env.browser = await chromium.launch({ executablePath: CHROMIUM, args: [...QUIET, '--enable-unsafe-webgpu'] });
});

after(async () => {
  await env.browser?.close();
  env.server?.close();
});

// In a document or a worker: passes each Content-Security-Policy violation to `report` as
// `CSP: <directive> <blocked URI>`. (Chromium logs violations to the console too, but not always
// with their directive.)
const listenForViolations = (report) => (globalThis.document ?? globalThis).addEventListener('securitypolicyviolation', (e) => {
  report(`CSP: ${e.violatedDirective} ${e.blockedURI || '(inline)'}${e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}` : ''}`);
});

/** A page that records uncaught errors, console errors, CSP violations and the paths it requests. In the page,
 * `$pg(role, i)` is the part with `data-role=role` of the i-th <gan-playground> (inside its shadow root). */
export async function open(url, b = env.browser, viewport = { width: 1100, height: 900 }) {
  const page = await b.newPage({ viewport });
  page.errors = [];
  await page.exposeFunction('$cspViolation', (text) => page.errors.push(text));
  await page.addInitScript(`(${listenForViolations})((text) => $cspViolation(text))`);
  // A worker's violations fire on its own global, which init scripts do not reach: listen there as
  // soon as it runs, and report through the console, which is recorded below.
  page.on('worker', (w) => w.evaluate(`(${listenForViolations})((text) => console.error(text))`).catch(() => {}));
  await page.addInitScript(() => {
    // Every <gan-playground> in document order, those inside <gan-compare> included.
    window.$playgrounds = () => [...document.querySelectorAll('gan-playground, gan-compare')].flatMap((e) => (e.tagName === 'GAN-COMPARE' ? [...(e.shadowRoot?.querySelectorAll('gan-playground') ?? [])] : [e]));
    window.$pg = (role, i = 0) => $playgrounds()[i]?.shadowRoot?.querySelector(`[data-role="${role}"]`);
    // Grey levels of a sample canvas, 28×28 tiles without the gaps between them.
    window.$grey = (c) => {
      const rgba = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const out = [];
      for (let y = 0; y < c.height; y++) {
        for (let x = 0; x < c.width; x++) if (x % 29 !== 0 && y % 29 !== 0) out.push(rgba[4 * (y * c.width + x)]);
      }
      return out;
    };
  });
  page.requested = []; // the paths the page and its worker fetched
  page.on('request', (r) => page.requested.push(new URL(r.url()).pathname));
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && page.errors.push(m.text()));
  await page.goto(url.startsWith('http') ? url : env.base + url);
  return page;
}

/** Grey levels of the i-th playground's sample canvas, 28×28 tiles without the gaps between them. */
export const canvasPixels = (page, i = 0) => page.evaluate((i) => $grey($pg('samples', i)), i);

/** `{ preview, pixels, message, step }` of the first playground's sample grid, its message and
 * step count, as soon as a grid is on screen (`runOnly`: the run's own grid, not the preview):
 * read in the same task as the check, so that no newer grid can come in between. */
export const gridWhen = (page, { runOnly = false } = {}) =>
  page.evaluate((runOnly) => new Promise((resolve) => {
    const poll = () => {
      const c = $pg('samples');
      const preview = c?.dataset.preview === 'true';
      if (c?.dataset.step !== undefined || (preview && !runOnly)) {
        resolve({ preview, pixels: $grey(c), message: $pg('message').textContent, step: $pg('stat-step').textContent });
      } else setTimeout(poll, 10);
    };
    poll();
  }), runOnly);

export const stats = (xs) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
};
