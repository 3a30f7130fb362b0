// The core's side of `npm run bench`, loaded by www/bench/bench.html.
// Times full generator iterations (n_critic D steps + one G step) and single D steps, each synced
// by reading the losses back, as `npm run bench` asks: ?variant=ns-gan&backend=webgpu|cpu|cpu-threads&batch=8&steps=10&warmup=2&g_width=&d_width=
// (cpu and cpu-threads: the CPU modules, timed in a worker as the page trains; cpu-threads on every
// core, in a cross-origin-isolated page). Also reports live GPU buffers, wasm memory and JS heap,
// and their growth after the warm-up, and the WebGPU calls of one iteration
// (www/bench/bench-gpu-calls.js).
import { measure } from './bench-run.js';
import { startPoolWorkers } from '../lib/pool.js';

const out = document.getElementById('out');
try {
  let result;
  if (new URLSearchParams(location.search).get('backend')?.startsWith('cpu')) {
    const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
    result = await new Promise((resolve) => {
      worker.onmessage = ({ data }) => {
        if (data.type === 'pool') startPoolWorkers(worker, data);
        else if (data.progress) out.textContent = data.progress;
        else resolve(data);
      };
      worker.onerror = (e) => resolve({ error: e.message });
      worker.postMessage(location.search);
    });
    if (result.error) throw new Error(result.error);
  } else {
    result = await measure(location.search, out);
  }
  window.benchResult = result;
  out.textContent = JSON.stringify(result, null, 2);
} catch (e) {
  window.benchResult = { error: String(e?.message ?? e) };
  out.textContent = window.benchResult.error;
}
