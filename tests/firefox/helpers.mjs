// Shared set-up of the Firefox page tests: one static server and one headless Firefox (Debian's
// firefox-esr, driven over WebDriver BiDi by puppeteer-core) per test file. Headless Firefox on
// Linux has no WebGPU: these pages run on the CPU module, as its readers' do.
import { after, before } from 'node:test';
import puppeteer from 'puppeteer-core';
import { serve, urlOf } from '../../scripts/serve.mjs';

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';

/** {base, browser, server}, set before the file's tests run. */
export const env = {};

before(async () => {
  env.server = await serve({ port: 0 });
  env.base = urlOf(env.server);
  env.browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi' });
});

after(async () => {
  await env.browser?.close();
  env.server?.close();
});

/** A page (in `context`, a browser context: its storage is its own) that records uncaught
 * errors, console errors and CSP violations in `page.errors`. In the page, `$pg(role, i)` is
 * the part with `data-role=role` of the i-th <gan-playground>. */
export async function open(url, context = env.browser.defaultBrowserContext()) {
  const page = await context.newPage();
  page.errors = [];
  page.log = []; // every console line, for the report of a wait that timed out
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    page.log.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error') page.errors.push(m.text());
  });
  await page.evaluateOnNewDocument(() => {
    addEventListener('securitypolicyviolation', (e) => console.error(`CSP: ${e.violatedDirective} ${e.blockedURI || '(inline)'}`));
    window.$playgrounds = () => [...document.querySelectorAll('gan-playground, gan-compare')].flatMap((e) => (e.tagName === 'GAN-COMPARE' ? [...(e.shadowRoot?.querySelectorAll('gan-playground') ?? [])] : [e]));
    window.$pg = (role, i = 0) => $playgrounds()[i]?.shadowRoot?.querySelector(`[data-role="${role}"]`);
  });
  await page.goto(url.startsWith('http') ? url : env.base + url);
  return page;
}

/** `page.waitForFunction(fn)`, whose timeout says what the first playground showed then: its
 * message, backend line, offer and step, and the page's console. */
export async function waitFor(page, fn, timeout) {
  try {
    await page.waitForFunction(fn, { timeout });
  } catch (e) {
    const shown = await page
      .evaluate(() => Object.fromEntries(['message', 'backend', 'offer-text'].map((r) => [r, $pg(r)?.textContent]).concat([['step', $pg('samples')?.dataset.step]])))
      .catch((err) => `(the page could not be read: ${err.message})`);
    e.message += `\nwaiting for ${fn}\nthe page showed ${JSON.stringify(shown)}\nits console:\n${page.log.slice(-30).join('\n')}`;
    throw e;
  }
}
