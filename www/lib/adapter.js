// A readable name for the WebGPU adapter. wgpu cannot see the browser's adapter details;
// WebGPU's own adapter.info can (vendor, architecture, description).
export async function describeAdapter(fallback) {
  try {
    const info = (await /** @type {any} */ (navigator).gpu.requestAdapter())?.info;
    const words = [info?.vendor, info?.architecture, info?.description].filter(Boolean);
    return words.length ? `WebGPU (${[...new Set(words)].join(' ')})` : fallback;
  } catch {
    return fallback;
  }
}
