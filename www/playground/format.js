// Small helpers every part of the playground element uses.

/** A number for a read-out: `digits` decimals, a dash for none. */
export const fmt = (v, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Number(v).toFixed(digits));
/** A CSS custom property of `el` (the page's theme colours). */
export const css = (el, name) => getComputedStyle(el).getPropertyValue(name).trim();
/** A size in bytes as people read it: "1.6 MB", "830 kB". */
export const formatBytes = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`);
