// Small helpers every part of the playground element uses.

/** A number for a read-out: `digits` decimals, a dash for none. */
export const fmt = (v, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Number(v).toFixed(digits));
/** A CSS custom property of `el` (the page's theme colours). */
export const css = (el, name) => getComputedStyle(el).getPropertyValue(name).trim();
