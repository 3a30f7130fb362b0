// Walks in latent space, as in the DCGAN paper (Radford et al. 2015, §6): interpolation between
// two z vectors, and vector arithmetic on averaged groups of z.

/** `steps` points from a to b (both ends included): straight lines, or great circles ("slerp",
 * White 2016), which keep |z| near the radius where a Gaussian prior's mass lies. */
export function interpolate(a, b, steps, spherical) {
  const out = [];
  const dot = a.reduce((s, v, i) => s + v * b[i], 0);
  const na = Math.hypot(...a);
  const nb = Math.hypot(...b);
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / (na * nb || 1))));
  for (let i = 0; i < steps; i++) {
    const t = steps === 1 ? 0 : i / (steps - 1);
    let [wa, wb] = [1 - t, t];
    if (spherical && omega > 1e-6) [wa, wb] = [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
    out.push(a.map((v, j) => wa * v + wb * b[j]));
  }
  return out;
}

/** The mean of some z vectors. */
export function mean(zs) {
  const out = new Array(zs[0].length).fill(0);
  for (const z of zs) z.forEach((v, i) => (out[i] += v / zs.length));
  return out;
}

/** a − b + c, elementwise. */
export function arithmetic(a, b, c) {
  return a.map((v, i) => v - b[i] + c[i]);
}

/** `n` Gaussian vectors of length `nz` from a seeded stream (mulberry32 + Box–Muller). */
export function gaussians(n, nz, seed) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () =>
    Array.from({ length: nz }, () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())),
  );
}
