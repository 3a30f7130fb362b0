// The playground's settings as one typed state object, and its text form in the URL hash
// (`#variant=wgan&lr=0.0001&batch=32`), as tensorflow/playground keeps its state: a copied link
// reopens the same setup, seed included. Values that do not parse or lie out of range are
// ignored, each with a note saying why; they never reach the core.
//
// What a run can be (datasets, settings with ranges and defaults, variants and their knobs) is
// the core's schema (crate/schema.rs), read once from the module: `settingsFor(schema)` builds
// the fields, the defaults and the functions over them. Only the page's own settings live here.

/** Settings of the page itself (not of the run): how fast, from trained weights, on which device. */
const PAGE_FIELDS = {
  speed: { kind: 'enum', values: ['max', '30', '10', '3', '1'] },
  pretrained: { kind: 'bool' },
  backend: { kind: 'enum', values: ['webgpu', 'cpu'] },
};
const PAGE_DEFAULTS = { speed: 'max', pretrained: true, backend: 'webgpu' };

/** Settings that define the networks or the data order: a link that sets one starts from scratch. */
const FROM_SCRATCH = ['g_width', 'd_width', 'nz', 'batch', 'seed'];

/** Settings known to train, applied over the current variant. */
export const PRESETS = {
  paper: { title: "The variant's published settings", values: { lr: null, beta1: null, beta2: null, n_critic: null, knobs: {} } },
  sheet: { title: 'Digits in 2,000 steps (batch 32, widths 64/32)', values: { lr: null, beta1: null, beta2: null, n_critic: null, knobs: {}, batch: 32, g_width: 64, d_width: 32, nz: 100 } },
  quick: { title: 'Quick (batch 16, widths 32/16)', values: { lr: null, beta1: null, beta2: null, n_critic: null, knobs: {}, batch: 16, g_width: 32, d_width: 16, nz: 100 } },
};

/**
 * The settings of the core's `schema`: `fields` (every key of a state: its type and range),
 * `defaults` (a fresh page's state; `null`: the variant's own), and the functions below bound to
 * them.
 */
export function settingsFor(schema) {
  const fields = {
    variant: { kind: 'variant' },
    dataset: { kind: 'enum', values: schema.datasets.map((d) => d.id) },
    ...Object.fromEntries(schema.settings.map((s) => [s.name, { kind: s.kind, min: s.min, max: s.max }])),
    ...PAGE_FIELDS,
  };
  const defaults = {
    variant: schema.variants[0].id,
    dataset: schema.datasets[0].id,
    ...Object.fromEntries(schema.settings.map((s) => [s.name, s.default])),
    ...PAGE_DEFAULTS,
    knobs: {},
  };
  const ctx = { schema, fields, defaults };
  return {
    fields,
    defaults,
    isPoints: (dataset) => isPoints(schema, dataset),
    parseState: (pairs, base = defaults) => parseState(ctx, pairs, base),
    parseChanges: (changes, base) => parseChanges(ctx, changes, base),
    serializeState: (state) => serializeState(ctx, state),
    runSettings: (state) => runSettings(ctx, state),
  };
}

/** Whether `dataset` is a set of 2-D points (MLPs, drawn as a plane) rather than images. */
export function isPoints(schema, dataset) {
  return schema.datasets.some((d) => d.id === dataset && d.kind === 'points');
}

function parseValue(field, text, variants) {
  switch (field.kind) {
    case 'int': {
      const v = Number(text);
      if (!/^-?\d+$/.test(text) || v < field.min || v > field.max) return [undefined, `a whole number from ${field.min} to ${field.max}`];
      return [v + 0]; // -0 is 0: the link writes it so
    }
    case 'number': {
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v) || v < field.min || v > field.max) return [undefined, `a number from ${field.min} to ${field.max}`];
      return [v + 0];
    }
    case 'bool':
      if (['1', 'true'].includes(text)) return [true];
      if (['0', 'false'].includes(text)) return [false];
      return [undefined, '0 or 1'];
    case 'enum':
      return field.values.includes(text) ? [text] : [undefined, `one of ${field.values.join(', ')}`];
    case 'variant':
      return variants.some((v) => v.id === text) ? [text] : [undefined, `one of ${variants.map((v) => v.id).join(', ')}`];
    default:
      return [undefined, 'unknown'];
  }
}

/** Text from a link as a note quotes it: at most 40 characters, no control or direction marks
 * (a link must not flood or rewrite the page's message). */
function quoted(text) {
  const chars = [...text];
  const clipped = chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : text;
  return clipped.replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '\ufffd');
}

/**
 * Reads a state from `key=value` pairs (a URL hash or query, or element attributes) over `base`.
 * Knob names come from the chosen variant. Returns {state, notes, given}: `notes` lists what was
 * ignored and why; `given` the keys that were taken.
 */
function parseState({ schema, fields, defaults }, pairs, base) {
  const variants = schema.variants;
  const state = structuredClone(base);
  const notes = [];
  const given = new Set();
  const entries = [...pairs].filter(([k]) => k !== '');
  // The variant first: it decides which knobs exist.
  for (const [key, text] of entries) {
    if (key !== 'variant') continue;
    const [v, why] = parseValue(fields.variant, text, variants);
    if (v === undefined) notes.push(`variant=${quoted(text)} (not ${why})`);
    else if (v !== state.variant) {
      // Another variant starts from its own optimiser and knobs.
      [state.variant, state.knobs] = [v, {}];
      for (const s of schema.settings) if (s.default === null) state[s.name] = null;
    }
    if (v !== undefined) given.add('variant');
  }
  const knobs = variants.find((v) => v.id === state.variant)?.knobs ?? [];
  for (const [key, text] of entries) {
    if (key === 'variant') continue;
    const knob = knobs.find((k) => k.name === key);
    if (knob) {
      const [v, why] = parseValue({ kind: 'number', min: knob.min, max: knob.max }, text, variants);
      if (v === undefined) notes.push(`${key}=${quoted(text)} (not ${why})`);
      else (state.knobs[key] = v), given.add(key);
    } else if (Object.hasOwn(fields, key)) {
      // Own keys only: `constructor`, `__proto__` and the like are no settings.
      const [v, why] = parseValue(fields[key], text, variants);
      if (v === undefined) notes.push(`${key}=${quoted(text)} (not ${why})`);
      else (state[key] = v), given.add(key);
    } else {
      notes.push(`${quoted(key)} (no such setting${knobs.length || state.variant ? ` for ${state.variant}` : ''})`);
    }
  }
  // The user's images and drawings never leave their browser, so a link cannot bring them along.
  if (schema.datasets.find((d) => d.id === state.dataset)?.fromUser) {
    notes.push(isPoints(schema, state.dataset)
      ? `dataset=${state.dataset} (a drawing stays in the browser it was drawn in: draw it again)`
      : `dataset=${state.dataset} (your images stay in the browser they were chosen in: choose them again)`);
    state.dataset = defaults.dataset;
    given.delete('dataset');
  }
  // Unless the link says otherwise, open on a trained generator only where no size or seed is set.
  if (!given.has('pretrained') && FROM_SCRATCH.some((k) => given.has(k))) state.pretrained = false;
  return { state, notes, given };
}

/** At most `max` notes, then how many more: a note must not flood the page. */
export function someNotes(notes, max = 5) {
  return notes.length > max ? [...notes.slice(0, max), `and ${notes.length - max} more`] : notes;
}

/**
 * Reads changes to a state given as an object, as a script passes them to `reset`
 * ({ variant: 'wgan', lr: 1e-4, knobs: { clip: 0.02 } }; `null` for a setting whose default is
 * the variant's own). Each value is checked as a link's would be. Returns {state, notes}: any
 * note means the changes are refused as a whole.
 */
function parseChanges(ctx, changes, base) {
  if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) {
    return { state: base, notes: ['the changes must be an object of settings, e.g. { variant: "wgan", batch: 32 }'] };
  }
  const pairs = [];
  const nulls = [];
  const notes = [];
  const text = (v) => (typeof v === 'boolean' ? (v ? '1' : '0') : typeof v === 'number' || typeof v === 'string' ? String(v) : null);
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'knobs') {
      if (value === null || typeof value !== 'object') notes.push('knobs must be an object, e.g. { gamma: 0.7 }');
      else for (const [k, v] of Object.entries(value)) pairs.push([k, text(v) ?? '']);
    } else if (value === null && ctx.defaults[key] === null) {
      nulls.push(key);
    } else {
      pairs.push([key, text(value) ?? '']);
    }
  }
  // Knobs given replace the state's (an empty object: the variant's defaults).
  const parsed = parseState(ctx, pairs, Object.hasOwn(changes, 'knobs') ? { ...base, knobs: {} } : base);
  for (const key of nulls) parsed.state[key] = null;
  return { state: parsed.state, notes: [...notes, ...parsed.notes] };
}

/** The state as `key=value&…`, defaults left out (the variant always written). */
function serializeState({ fields, defaults }, state) {
  const parts = [`variant=${state.variant}`];
  for (const key of Object.keys(fields)) {
    if (key === 'variant' || state[key] === null || state[key] === undefined) continue;
    // `pretrained` is always written: whether a link with sizes in it opens on trained weights
    // must not depend on the default.
    if (state[key] === defaults[key] && key !== 'pretrained') continue;
    const v = state[key];
    parts.push(`${key}=${typeof v === 'boolean' ? Number(v) : v}`);
  }
  for (const [k, v] of Object.entries(state.knobs ?? {})) parts.push(`${k}=${+Number(v).toPrecision(6)}`);
  return parts.join('&');
}

/**
 * The run's settings of a state, as the core reads them (`configOf` in crate/bindings, over
 * `trainer::settings::config_of`): the variant, the dataset, each setting of the schema (`null`:
 * its default) and the knobs. The page's own settings stay here.
 */
function runSettings({ schema }, state) {
  return {
    variant: state.variant,
    dataset: state.dataset,
    ...Object.fromEntries(schema.settings.map((s) => [s.name, state[s.name] ?? null])),
    knobs: { ...state.knobs },
  };
}
