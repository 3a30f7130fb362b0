// The core's bench, measured where it is called: in the bench page (WebGPU) or in a worker
// (www/bench/bench-worker.js: the CPU modules, as the page's training worker runs them).
import { gpu } from './bench-gpu-calls.js';
import { describeAdapter } from '../lib/adapter.js';
import { startThreadPool } from '../worker/pool.js';
import { timeRounds } from './bench-timing.js';
import { dropSnapshots, writeSnapshot } from '../lib/snapshots.js';

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

/** The module each backend of the bench runs (on the CPU, a CPU module, as the page trains). */
export const MODULES = { cpu: '../../pkg/cpu/gan_playground.js', 'cpu-threads': '../../pkg/cpu-threads/gan_playground.js', webgpu: '../../pkg/gan_playground.js' };

/** `webgpu-burn`: WebGPU with burn's own convolution kernels instead of the core's products. */
const GPU_CONVOLUTIONS = { 'webgpu-burn': 'burn' };

/** Times the run `search` asks for (`?variant=…&backend=…&batch=…`); `out` shows the progress. */
export async function measure(search, out) {
  const q = new URLSearchParams(search);
  const num = (k, d) => (q.has(k) ? Number(q.get(k)) : d);
  const t0 = performance.now();
  const chosen = q.get('backend') || 'webgpu';
  const core = await import(MODULES[chosen] ?? MODULES.webgpu);
  const { initBackend, Session } = core;
  const wasm = await core.default();
  if (chosen === 'cpu-threads') await startThreadPool(core, new URL(MODULES[chosen], import.meta.url), navigator.hardwareConcurrency);
  const memory = () => ({
    gpuBuffers: gpu.buffers, gpuBytes: gpu.bytes, wasmBytes: wasm.memory.buffer.byteLength,
    jsHeapBytes: performance.memory?.usedJSHeapSize ?? null,
  });
  const backend = await initBackend(chosen.startsWith('webgpu') ? 'webgpu' : 'cpu');
  // After the device: the backend chooses burn's kernels on a fallback adapter (SwiftShader),
  // and the bench times whichever it is asked for.
  core.setGpuConvolutions(GPU_CONVOLUTIONS[chosen] ?? 'products');
  if (backend.kind === 'webgpu') backend.name = await describeAdapter(backend.name);
  const data = new Uint8Array(await (await fetch(new URL('../data/mnist.bin', import.meta.url))).arrayBuffer());
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
  // The convolutions' floating-point operations in one iteration (the core's products only).
  let convGflop = null;
  const timing = await timeRounds({
    warmup: num('warmup', 2), steps: num('steps', 10), out,
    iteration: async () => {
      const before = core.convolutionFlops();
      const ms = await synced(() => session.train(1));
      const flops = core.convolutionFlops() - before;
      if (flops > 0) convGflop = flops / 1e9;
      return ms;
    },
    criticStep: session.view().training === 'joint' ? null : () => synced(() => session.stepDiscriminator()),
    afterWarmup: async () => {
      await settle();
      afterWarmup = memory();
    },
  });
  await settle();
  const end = memory();
  const snapshot = await timeSnapshot(session);
  const growth = Object.fromEntries(Object.keys(end).map((k) => [k, end[k] === null ? null : end[k] - afterWarmup[k]]));
  return {
    backend: backend.kind, name: backend.name, fallbackReason: backend.fallbackReason ?? null, batch: config.batch_size,
    setupMs, ...timing, nCritic: session.view().inUse.n_critic, convGflop, memory: end, growth, snapshot,
  };
}
