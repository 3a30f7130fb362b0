// The core's side of `npm run bench`, loaded by www/bench.html.
// Times full generator iterations (n_critic D steps + one G step) and single D steps in this page,
// each synced by reading the losses back, as `npm run bench` asks: ?variant=ns-gan&backend=webgpu|cpu&batch=8&steps=10&warmup=2&g_width=&d_width=
// Also reports live GPU buffers, wasm memory and JS heap, and their growth after the warm-up, and
// the WebGPU calls of one iteration (www/bench-gpu-calls.js).
import { gpu } from './bench-gpu-calls.js';
import { describeAdapter } from './adapter.js';
import { timeRounds } from './bench-timing.js';
import { dropSnapshots, writeSnapshot } from './snapshots.js';

// What autosave costs: the run file's size, the time to read it from the device and serialise it,
// and the time to write it into OPFS (median of three).
async function timeSnapshot(session) {
  const times = { saveMs: [], writeMs: [] };
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    let t = performance.now();
    const run = await session.saveRun('[]');
    times.saveMs.push(performance.now() - t);
    t = performance.now();
    await writeSnapshot('bench', run, { variant: 'bench', step: session.step });
    times.writeMs.push(performance.now() - t);
    bytes = run.length;
  }
  await dropSnapshots('bench');
  const median = (xs) => xs.sort((a, b) => a - b)[1];
  return { bytes, saveMs: median(times.saveMs), writeMs: median(times.writeMs) };
}

// With --js-flags=--expose-gc (the bench passes it), collect garbage before reading the counts.
const settle = async () => {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
};

const q = new URLSearchParams(location.search);
const num = (k, d) => (q.has(k) ? Number(q.get(k)) : d);
const out = document.getElementById('out');
try {
  const t0 = performance.now();
  // On the CPU the page trains with the CPU module (www/worker.js), so that is what is timed.
  const core = await import(q.get('backend') === 'cpu' ? '../pkg/cpu/gan_playground.js' : '../pkg/gan_playground.js');
  const { initBackend, Session } = core;
  const wasm = await core.default();
  const memory = () => ({
    gpuBuffers: gpu.buffers, gpuBytes: gpu.bytes, wasmBytes: wasm.memory.buffer.byteLength,
    jsHeapBytes: performance.memory?.usedJSHeapSize ?? null,
  });
  const backend = await initBackend(q.get('backend') || 'webgpu');
  if (backend.kind === 'webgpu') backend.name = await describeAdapter(backend.name);
  const data = new Uint8Array(await (await fetch('data/mnist.bin')).arrayBuffer());
  const config = { variant: q.get('variant') || 'ns-gan', batch_size: num('batch', 8), model: { g_width: num('g_width', 128), d_width: num('d_width', 64) } };
  const session = Session.create(data, config);
  const setupMs = performance.now() - t0;
  const synced = async (work) => {
    const t = performance.now();
    work();
    const r = await session.readout(false);
    if (!r.finite) throw new Error(`non-finite loss at step ${r.step}`);
    return performance.now() - t;
  };
  let afterWarmup = memory();
  const timing = await timeRounds({
    warmup: num('warmup', 2), steps: num('steps', 10), out,
    iteration: () => synced(() => session.train(1)),
    criticStep: session.schedule().training === 'joint' ? null : () => synced(() => session.stepDiscriminator()),
    afterWarmup: async () => {
      await settle();
      afterWarmup = memory();
    },
  });
  await settle();
  const end = memory();
  const snapshot = await timeSnapshot(session);
  const growth = Object.fromEntries(Object.keys(end).map((k) => [k, end[k] === null ? null : end[k] - afterWarmup[k]]));
  window.benchResult = {
    backend: backend.kind, name: backend.name, fallbackReason: backend.fallbackReason ?? null, batch: config.batch_size,
    setupMs, ...timing, nCritic: session.schedule().nCritic, memory: end, growth, snapshot,
  };
  out.textContent = JSON.stringify(window.benchResult, null, 2);
} catch (e) {
  window.benchResult = { error: String(e?.message ?? e) };
  out.textContent = window.benchResult.error;
}
