// Every setting of the core's schema, walked through the page as a reader sets it: typed into the
// settings form, it reaches the worker's run (the core reads it back), the link, and a fresh page
// opened on that link. Nothing in this test names a setting: one added to the core's table is
// walked too (its other paths, `gan`'s options and the core both ways, are tests/native/cli.rs and
// tests/native/settings.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open } from './helpers.mjs';

const LINK = '?backend=cpu&g_width=8&d_width=8&batch=4&pretrained=0';

/** A value no run takes by default that keeps the run small: a thousandth of the way up the
 * range (a whole number at least one above the minimum), as tests/common's `probe_value`. */
const probe = (s) => {
  const v = s.min + (s.max - s.min) * 0.001;
  return s.kind === 'int' ? Math.max(Math.round(v), s.min + 1) : v;
};

const ready = (page) => page.waitForFunction(() => $playgrounds()[0]?.view && !$pg('play').disabled, null, { timeout: 180_000 });

test('every setting goes from the form to the run, the link and a page opened on it', { timeout: 600_000 }, async () => {
  const page = await open(LINK);
  await ready(page);
  const settings = await page.evaluate(() => $playgrounds()[0].schema.settings);
  assert.ok(settings.length >= 10);
  const given = {};
  for (const s of settings) {
    const value = probe(s);
    given[s.name] = value;
    const seen = await page.evaluate(async ({ name, value }) => {
      const e = $playgrounds()[0];
      const input = $pg('fields').querySelector(`[data-field="${name}"]`);
      if (!input) return { missing: true };
      input.value = String(value);
      input.dispatchEvent(new Event('change'));
      await e.settled();
      return { set: e.view.settings[name], inUse: e.view.inUse[name], hash: location.hash, message: $pg('message').textContent };
    }, { name: s.name, value });
    assert.ok(!seen.missing, `${s.name} has a field in the form`);
    assert.equal(seen.set, value, `${s.name}: the run's settings (${seen.message})`);
    assert.equal(seen.inUse, value, `${s.name}: in use`);
    assert.match(seen.hash, new RegExp(`[#&]${s.name}=${String(value).replace('.', '\\.')}(&|$)`), `${s.name}: in the link`);
  }
  // The link, with every setting at once, opens the same run in a fresh page.
  const hash = await page.evaluate(() => location.hash);
  await page.close();
  const again = await open(`${hash}&backend=cpu`);
  await ready(again);
  const view = await again.evaluate(() => $playgrounds()[0].view.settings);
  for (const [name, value] of Object.entries(given)) assert.equal(view[name], value, `${name} from the link`);
  assert.deepEqual(again.errors, []);
  await again.close();
});
