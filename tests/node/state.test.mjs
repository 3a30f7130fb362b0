// Properties of www/lib/state.js over the core's schema, the settings in the link, over random and hostile hashes: parsing
// never throws, every taken value is in its field's range, every ignored one is noted, a
// serialised state reads back as itself, and nothing reaches Object.prototype.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, settingsFor } from '../../www/lib/state.js';
import { prng } from './prng.mjs';
import { SCHEMA, coreViews } from './schema.mjs';

const S = settingsFor(SCHEMA);
const { fields: FIELDS, defaults: DEFAULTS, serializeState, runSettings } = S;
const VARIANTS = SCHEMA.variants;
const knobsOf = (variant) => VARIANTS.find((v) => v.id === variant).knobs;

const random = prng(7);
const pick = (list) => list[Math.floor(random() * list.length)];
const between = (min, max) => min + random() * (max - min);

/** Whether `v` is a value `field` allows. */
function allowed(field, v) {
  switch (field.kind) {
    case 'int': return Number.isInteger(v) && !Object.is(v, -0) && v >= field.min && v <= field.max;
    case 'number': return typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0) && v >= field.min && v <= field.max;
    case 'bool': return typeof v === 'boolean';
    case 'enum': return field.values.includes(v);
    case 'variant': return VARIANTS.some((x) => x.id === v);
    default: return false;
  }
}

/** Every setting of `state` of its type and in its range (null: the variant's own), nothing else in it. */
function assertValid(state, what) {
  // The settings whose default is the variant's own may be null.
  const nullable = SCHEMA.settings.filter((s) => s.default === null).map((s) => s.name);
  for (const [key, field] of Object.entries(FIELDS)) {
    const v = state[key];
    assert.ok((nullable.includes(key) && v === null) || allowed(field, v), `${what}: ${key} = ${String(v)}`);
  }
  assert.deepEqual(Object.keys(state).sort(), [...Object.keys(FIELDS), 'knobs'].sort(), what);
  assert.ok(!['images', 'drawing'].includes(state.dataset), what);
  assert.equal(Object.getPrototypeOf(state), Object.prototype, what);
  assert.equal(Object.getPrototypeOf(state.knobs), Object.prototype, what);
  const knobs = knobsOf(state.variant);
  for (const [name, v] of Object.entries(state.knobs)) {
    const k = knobs.find((x) => x.name === name);
    assert.ok(k && allowed({ kind: 'number', min: k.min, max: k.max }, v), `${what}: knob ${name} = ${v}`);
  }
}

// Hostile text: number forms JavaScript reads but a link should not mean, prototype keys,
// encodings, very long and non-ASCII values, and every valid word.
const HOSTILE_KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'knobs', 'weights', '',
  'BATCH', 'batch ', ' batch', '__proto__[polluted]', 'constructor[prototype][polluted]', 'constructor.prototype.polluted', 'polluted',
  'gamma', 'lambda_k', 'lambda', 'clip', 'k'.repeat(5000), 'ба́тч', '😀',
];
const HOSTILE_VALUES = [
  '', ' ', 'NaN', 'nan', 'Infinity', '-Infinity', '1e309', '-1e309', '1e-309', '5e-324', '-0', '-0.0', '0', '1', '2', '+1', '1.', '.5', '0.5',
  '1e3', '1E-4', '0x10', '0x0', '0b1', '0o7', ' 1', '1 ', '\t1', '\n1', '١', '٣٢', '１２', 'true', 'false', 'TRUE', 'null', 'undefined',
  '[]', '{}', '{"polluted":1}', '__proto__', 'constructor', '9'.repeat(400), `1${'0'.repeat(30)}`, '2147483647', '2147483648', '-1', '256',
  '257', '0.1', '0.1000000001', '1e-6', '9.99e-7', '0.999', '0.9999', '0.99990001', '0.5123456789', 'max', '30', '10', '3', 'webgpu', 'cpu',
  'mnist', 'triangles', 'images', 'drawing', 'ring', 'moons', ...VARIANTS.map((v) => v.id), 'BEGAN', '\u202e1', '\u0000', '😀',
  'A'.repeat(100_000), '%', '%zz', '%E0%A4%A', '%00', '=', '&', '#', '+', '\ud800',
];
const KEYS = [...Object.keys(FIELDS), 'gamma', 'lambda_k', 'lambda', 'clip'];

function randomValue(key) {
  const field = (Object.hasOwn(FIELDS, key) && FIELDS[key]) || knobsOf('began').concat(knobsOf('wgan'), knobsOf('wgan-gp')).find((k) => k.name === key);
  const r = random();
  if (r < 0.35 || !field) return pick(HOSTILE_VALUES);
  if (field.values) return pick(field.values);
  if (field.kind === 'variant') return pick(VARIANTS).id;
  if (field.kind === 'bool') return pick(['0', '1', 'true', 'false']);
  // Numbers in and around the range, in several notations.
  const min = field.min ?? 0;
  const max = field.max ?? 1;
  const v = between(min - (max - min) / 4, max + (max - min) / 4);
  return pick([String(v), String(Math.round(v)), v.toExponential(3), v.toPrecision(3), String(min), String(max)]);
}

/** A random hash: pairs of real and hostile keys and values, sometimes encoded, sometimes broken. */
function randomHash() {
  const pairs = [];
  for (let n = Math.floor(random() * 12); n > 0; n--) {
    const key = random() < 0.75 ? pick(KEYS) : pick(HOSTILE_KEYS);
    const value = randomValue(key);
    // A lone surrogate cannot be encoded: it stays raw.
    const encoded = (s) => (s.isWellFormed() ? encodeURIComponent(s) : s);
    const encode = pick([(s) => s, encoded, (s) => encoded(s).replace(/%2[0-9A-F]/g, '%')]);
    pairs.push(pick([`${encode(key)}=${encode(value)}`, `${encode(key)}=${encode(value)}=${encode(value)}`, encode(key), `=${encode(value)}`]));
  }
  return pairs.join(pick(['&', '&&', '&amp;']));
}

/** `v` to 1 to `most` significant digits, where that stays within [min, max]. */
function digits(v, most, { min, max }) {
  const rounded = +v.toPrecision(1 + Math.floor(random() * most));
  return rounded >= min && rounded <= max ? rounded : +v.toPrecision(most);
}

/** A random valid state of the kind the page writes: knobs and optimiser settings at 6 digits. */
function randomState() {
  const variant = pick(VARIANTS);
  const state = structuredClone(DEFAULTS);
  state.variant = variant.id;
  for (const [key, field] of Object.entries(FIELDS)) {
    if (key === 'variant' || random() < 0.3) continue;
    if (field.kind === 'int') state[key] = pick([field.min, field.max, Math.floor(between(field.min, field.max + 1))]);
    if (field.kind === 'number') state[key] = random() < 0.3 ? null : pick([field.min, field.max, digits(between(field.min, field.max), 17, field)]);
    if (field.kind === 'bool') state[key] = random() < 0.5;
    if (field.kind === 'enum') state[key] = pick(field.values.filter((v) => v !== 'images' && v !== 'drawing'));
  }
  if (random() < 0.3) state.n_critic = null;
  for (const k of variant.knobs) if (random() < 0.6) state.knobs[k.name] = pick([k.min, k.max, digits(between(k.min, k.max), 6, k)]);
  return state;
}

const parse = (hash) => S.parseState(new URLSearchParams(hash));
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();

test('hostile hashes: no throw, every taken value in range, every ignored one noted, the last one wins', { timeout: 120_000 }, () => {
  const keysBefore = prototypeKeys();
  for (let n = 0; n < 3000; n++) {
    const hash = randomHash();
    const what = `#${hash.slice(0, 300)}`;
    const { state, notes, given } = parse(hash);
    assertValid(state, what);
    for (const note of notes) assert.ok(typeof note === 'string' && note.length < 250, `${what}: ${note.slice(0, 300)}`);

    // Each pair alone, over the variant the hash ends on: taken silently, or noted.
    const pairs = [...new URLSearchParams(hash)].filter(([k]) => k !== '');
    const alone = (k, t) => S.parseState([['variant', state.variant], [k, t]]);
    const own = (k, t) => ['images', 'drawing'].includes(t) && k === 'dataset';
    const ignored = pairs.filter(([k, t]) => !own(k, t) && alone(k, t).notes.length > 0).length;
    const lastDataset = pairs.filter(([k, t]) => k === 'dataset' && FIELDS.dataset.values.includes(t)).at(-1)?.[1];
    assert.equal(notes.length, ignored + (['images', 'drawing'].includes(lastDataset) ? 1 : 0), `${what}\n${notes.join('\n')}`);

    // A setting that was taken holds the last value that could be.
    for (const key of given) {
      const last = pairs.filter(([k, t]) => k === key && alone(k, t).given.has(k)).at(-1);
      const expected = alone(...last).state;
      assert.deepEqual(key in FIELDS ? state[key] : state.knobs[key], key in FIELDS ? expected[key] : expected.knobs[key], `${what}: ${key}`);
    }

    // What the page writes back reads as the same state (knobs kept to 6 significant digits).
    const again = parse(serializeState(state));
    assert.deepEqual(again.notes, [], `${what} → ${serializeState(state)}`);
    for (const [name, v] of Object.entries(state.knobs)) assert.ok(Math.abs(again.state.knobs[name] - v) <= 5e-6 * Math.abs(v), `${what}: ${name}`);
    assert.deepEqual({ ...again.state, knobs: null }, { ...state, knobs: null }, what);
  }
  assert.equal(({}).polluted, undefined);
  assert.equal(Object.prototype.polluted, undefined);
  assert.deepEqual(prototypeKeys(), keysBefore);
});

test('pairs given as they are (attributes: no URL decoding) never throw and stay in range', () => {
  for (let n = 0; n < 2000; n++) {
    const pairs = Array.from({ length: Math.floor(random() * 8) }, () => [pick([...KEYS, ...HOSTILE_KEYS]), randomValue(pick(KEYS))]);
    assertValid(S.parseState(pairs, { ...DEFAULTS, pretrained: false }).state, JSON.stringify(pairs).slice(0, 300));
  }
});

test('a serialised state reads back as itself, with no notes', () => {
  for (let n = 0; n < 3000; n++) {
    const state = randomState();
    const text = serializeState(state);
    const { state: read, notes } = parse(text);
    assert.deepEqual(notes, [], text);
    assert.deepEqual(read, state, text);
    // Through the query's and the attributes' route too: pairs over the element's base.
    assert.deepEqual(S.parseState(new URLSearchParams(text), { ...DEFAULTS, pretrained: false }).state, state, text);
  }
});

test('presets apply as valid states', () => {
  for (const [name, preset] of Object.entries(PRESETS)) {
    for (const variant of VARIANTS) {
      const state = { ...structuredClone(DEFAULTS), variant: variant.id, ...structuredClone(preset.values) };
      assertValid(state, name);
      assert.deepEqual(parse(serializeState(state)).state, state, name);
    }
  }
});

test("the core makes a run of each state's settings and gives the settings back", () => {
  const states = Array.from({ length: 600 }, () => (random() < 0.5 ? randomState() : parse(randomHash()).state));
  const views = coreViews(states.map(runSettings));
  let made = 0;
  for (const [i, state] of states.entries()) {
    const what = JSON.stringify(state);
    const view = views[i];
    if (view.error) {
      // Refused only where the run as a whole cannot be: too large, or a setting its variant lacks.
      assert.match(view.error, /MiB|RMSProp, which has no β|one loss, so it has no setting/, what);
      continue;
    }
    made += 1;
    const points = S.isPoints(state.dataset);
    for (const s of SCHEMA.settings) {
      if (s.imagesOnly && points) {
        assert.ok(!(s.name in view.settings) && view.config.model.nz === SCHEMA.points.nz, what);
      } else if (state[s.name] !== null) {
        // Every value given is the run's (f32 values to their six digits).
        assert.ok(Math.abs(view.inUse[s.name] - state[s.name]) <= 1e-6 * Math.abs(state[s.name]), `${what}: ${s.name} in use ${view.inUse[s.name]}`);
      }
    }
    assert.deepEqual(view.settings.knobs, state.knobs, what);
    // The settings the core gives back make the same run: the page's state after a 'config' is one.
    views[i] = { state, settings: view.settings, config: view.config };
  }
  assert.ok(made > 300, `${made} of ${states.length} made`);
  const kept = views.filter((v) => v.settings);
  const again = coreViews(kept.map((v) => runSettings({ ...v.state, ...v.settings })));
  for (const [i, v] of kept.entries()) assert.deepEqual(again[i].config, v.config, JSON.stringify(v.state));
});

test('prototype keys are no settings; -0 is 0; long or control text is quoted short', () => {
  const { state, notes } = parse('__proto__=1&constructor=1&toString=x&hasOwnProperty=1&__proto__[polluted]=1&seed=-0&beta1=-0');
  assert.deepEqual(notes, [
    '__proto__ (no such setting for ns-gan)', 'constructor (no such setting for ns-gan)', 'toString (no such setting for ns-gan)',
    'hasOwnProperty (no such setting for ns-gan)', '__proto__[polluted] (no such setting for ns-gan)',
  ]);
  assert.ok(Object.is(state.seed, 0) && Object.is(state.beta1, 0));
  assert.equal(({}).polluted, undefined);
  assert.deepEqual(parse(`batch=${'9'.repeat(1000)}`).notes, [`batch=${'9'.repeat(40)}… (not a whole number from 1 to 1024)`]);
  assert.deepEqual(parse('batch=abc').notes, ['batch=abc (not a whole number from 1 to 1024)']);
  assert.deepEqual(parse(`variant=${encodeURIComponent('\u202eevil\n')}`).notes[0], `variant=\ufffdevil\ufffd (not one of ${SCHEMA.variants.map((v) => v.id).join(', ')})`);
});
