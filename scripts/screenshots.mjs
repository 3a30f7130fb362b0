// `npm run screenshots`: the README's pictures of the page and the article, taken from real runs in
// headless Chromium (the CPU backend, so that they do not depend on the machine's GPU):
// - www/assets/playground.png: the page on its pretrained NS-GAN, two pinned samples, the
//   interpolation between them, and a − b + c on averaged groups;
// - www/assets/article-<section>.png: each section of the article, its text and its figures as a
//   reader first sees them (each figure on its opening run, which its caption names), or after
//   ARTICLE_STEPS more steps (0).
// SCREENSHOT_SECTIONS=vae,equal takes only those sections (and not the page's picture).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildSite } from './build.mjs';
import { serve, urlOf } from './serve.mjs';
import { CHROMIUM, CHROMIUM_QUIET, root } from './tools.mjs';

const ASSETS = join(root, 'www', 'assets');
const ARTICLE_STEPS = Number(process.env.ARTICLE_STEPS || 0);
const SECTIONS = (process.env.SCREENSHOT_SECTIONS || 'dcgan,minimax,why-wasserstein,wgan,wgan-gp,lsgan,began,vae,equal').split(',');
const PAGE = !process.env.SCREENSHOT_SECTIONS;

await buildSite();
mkdirSync(ASSETS, { recursive: true });
const server = await serve({ port: 0 });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_QUIET, '--enable-unsafe-webgpu'] });
const inShadow = (role) => `gan-playground[hash] [data-role="${role}"]`;

/** www/assets/playground.png: the page on its pretrained NS-GAN, pins, interpolation and a − b + c. */
async function playgroundPicture() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1300 } });
  await page.goto(`${urlOf(server)}?backend=cpu`);
  const steps = JSON.parse(readFileSync(join(root, 'www', 'pretrained', 'manifest.json'), 'utf8')).models.find((m) => m.variant === 'ns-gan').steps;
  await page.waitForFunction((steps) => document.querySelector('gan-playground[hash]')?.shadowRoot?.querySelector('[data-role="samples"]')?.dataset.step === String(steps), steps, { timeout: 300_000 });
  const samples = page.locator(inShadow('samples'));
  const box = await samples.boundingBox();
  const tile = (k) => ({ x: ((k % 8) * 29 + 14) * (box.width / 233), y: (Math.floor(k / 8) * 29 + 14) * (box.height / 233) });
  const clickTiles = async (mode, tiles) => {
    await page.locator(inShadow('click-mode')).selectOption(mode);
    for (const k of tiles) await samples.click({ position: tile(k) });
  };
  await clickTiles('pin', [0, 9]);
  await clickTiles('a', [3, 12]);
  await clickTiles('b', [20]);
  await clickTiles('c', [33]);
  await page.locator(`${inShadow('arith')} canvas[data-slot="3"]`).waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1000);
  await page.locator('gan-playground[hash]').screenshot({ path: join(ASSETS, 'playground.png') });
  console.log('www/assets/playground.png');
  await page.close();
}

try {
  if (PAGE) await playgroundPicture();

  // The article, section by section, each figure trained for a few steps.
  const article = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  await article.goto(`${urlOf(server)}www/article.html?backend=cpu`);
  for (const id of SECTIONS) {
    const heading = article.locator(`#${id}`);
    await heading.scrollIntoViewIfNeeded();
    // The section's widgets: those between this heading and the next h2 or h3.
    const runs = await heading.evaluateHandle((h) => {
      const out = [];
      for (let el = h.nextElementSibling; el && !/^H[23]$/.test(el.tagName); el = el.nextElementSibling) {
        for (const w of el.querySelectorAll('gan-playground, gan-compare')) {
          out.push(...(w.tagName === 'GAN-COMPARE' ? w.shadowRoot.querySelectorAll('gan-playground') : [w]));
        }
      }
      return out;
    });
    // Widgets boot when they come near the screen: bring each there in turn.
    for (let i = 0; i < (await runs.evaluate((rs) => rs.length)); i++) {
      await runs.evaluate((rs, i) => rs[i].scrollIntoView({ block: 'center' }), i);
      await article.waitForTimeout(300);
    }
    await article.waitForFunction((rs) => rs.every((r) => r.state && r.shadowRoot.querySelector('[data-role="samples"]').dataset.step !== undefined), runs, { timeout: 300_000, polling: 500 });
    const start = await article.evaluate((rs) => rs.map((r) => r.progress.step), runs);
    // Each run trains to its own last step and stops there.
    const steps = ARTICLE_STEPS;
    if (steps > 0) {
      await article.evaluate(([rs, s, n]) => rs.forEach((r, i) => r.start(s[i] + n)), [runs, start, steps]);
      await article.waitForFunction(([rs, s, n]) => rs.every((r, i) => r.progress.step >= s[i] + n && !r.progress.running), [runs, start, steps], { timeout: 600_000, polling: 500 });
    }
    // Figures that show their scores (the BEGAN digit classes) are scored once.
    const scored = await article.evaluate((rs) => rs.filter((r) => (r.getAttribute('show') ?? '').includes('scores')).map((r) => (r.score(), rs.indexOf(r))), runs);
    await article.waitForFunction(([rs, ids]) => ids.every((i) => rs[i].lastScore), [runs, scored], { timeout: 300_000, polling: 500 });
    await article.waitForTimeout(1500);
    // From the heading to the end of the section's last figure.
    const clip = await heading.evaluate((h) => {
      let last = h;
      for (let el = h.nextElementSibling; el && !/^H[23]$/.test(el.tagName); el = el.nextElementSibling) last = el;
      const [top, bottom] = [h.getBoundingClientRect().top, last.getBoundingClientRect().bottom];
      return { x: 0, y: top + window.scrollY - 8, width: document.documentElement.clientWidth, height: bottom - top + 16 };
    });
    await article.screenshot({ path: join(ASSETS, `article-${id}.png`), clip, fullPage: true });
    console.log(`www/assets/article-${id}.png`);
  }
  await article.close();
} finally {
  await browser.close();
  server.close();
}
