// The worker protocol (www/worker/protocol.js) is what both sides use: every message type the page
// sends is declared and handled by the worker, and every type the worker posts is declared and
// handled by the page. Read from the sources, so that a new message cannot be added on one side
// only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FROM_WORKER, TO_WORKER } from '../../www/worker/protocol.js';

const www = join(import.meta.dirname, '..', '..', 'www');
const read = (...files) => files.map((f) => readFileSync(join(www, f), 'utf8')).join('\n');
const folder = (name) => readdirSync(join(www, name)).filter((f) => f.endsWith('.js')).map((f) => `${name}/${f}`);

const PAGE = read('lib/engine.js', 'lib/pool.js', 'gan-playground.js', 'gan-compare.js', 'gan-study.js', ...folder('playground'));
const WORKER = read(...folder('worker').filter((f) => !f.endsWith('protocol.js')));
/** The message types `text` sends through `call` (`send(`, `postMessage(`, `post(`, or a message
 * built first, `msg = `, or returned to be posted, `return `). */
const types = (text, call) => new Set([...text.matchAll(new RegExp(`\\b${call}\\{\\s*type: '([\\w-]+)'`, 'g'))].map((m) => m[1]));
/** The types a `switch (msg.type)` or a `msg.type === '…'` test handles. */
const handled = (text) => new Set([...text.matchAll(/case '([\w-]+)':|msg\.type === '([\w-]+)'/g)].map((m) => m[1] ?? m[2]));

test('every message the page sends is declared, and the worker handles every declared one', () => {
  const sent = [...types(PAGE, 'send\\('), ...types(PAGE, 'postMessage\\(')];
  for (const type of sent) assert.ok(Object.hasOwn(TO_WORKER, type), `the page sends '${type}', which protocol.js does not declare`);
  const workerHandles = handled(WORKER);
  for (const type of Object.keys(TO_WORKER)) assert.ok(workerHandles.has(type), `the worker does not handle '${type}'`);
  // panic-for-tests is sent by the page tests only.
  for (const type of Object.keys(TO_WORKER)) assert.ok(sent.includes(type) || type === 'panic-for-tests', `'${type}' is declared but never sent`);
});

test('every message the worker posts is declared, and the page handles every declared one', () => {
  const posted = [...types(WORKER, 'post\\('), ...types(WORKER, 'msg = '), ...types(WORKER, 'return ')];
  for (const type of posted) assert.ok(Object.hasOwn(FROM_WORKER, type), `the worker posts '${type}', which protocol.js does not declare`);
  const pageHandles = handled(PAGE);
  for (const type of Object.keys(FROM_WORKER)) {
    assert.ok(posted.includes(type), `'${type}' is declared but never posted`);
    assert.ok(pageHandles.has(type), `the page does not handle '${type}'`);
  }
  for (const fields of [...Object.values(TO_WORKER), ...Object.values(FROM_WORKER)]) assert.ok(!fields.includes('run'), 'no field is called run');
});
