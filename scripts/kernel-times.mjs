// Where a WebGPU bench round's time goes: the GPU's kernels, or everything around them.
//
//   node scripts/kernel-times.mjs [variant] [g_width] [d_width] [batch] [backend]     (ns-gan 32 32 8 webgpu)
//
// (backend webgpu-burn: burn's direct convolution kernels instead of the core's products)
//
// Runs www/bench/bench.html (one warm-up round, then one timed round: a generator iteration and a
// critic step) in headless Chromium, records every compute dispatch of the timed round (its
// pipeline, bind groups and workgroup counts), and afterwards replays each dispatch: alone, timed
// from submit to onSubmittedWorkDone (minus an empty submit's round trip), and as four more
// dispatches in the same pass, whose cost per dispatch is the kernel's own work. Their sum against
// the round's wall time says whether the kernels or everything around them (the module's own
// code, the API calls, the read-backs) is the step's cost. Kernel names are cubecl's.
// Uses pkg/ as it is: build first (npm run build).
import { chromium } from 'playwright-core';
import { serve, urlOf } from './serve.mjs';
import { CHROMIUM, CHROMIUM_QUIET } from './tools.mjs';

const [variant = 'ns-gan', gWidth = '32', dWidth = '32', batch = '8', backend = 'webgpu'] = process.argv.slice(2);

// Installed before the page's scripts: remembers each pipeline's label and, once the bench says
// its first (warm-up) round is done, every dispatch with the state it was encoded with.
function recordDispatches() {
  window.recorded = [];
  let recording = false;
  const labels = new WeakMap();
  const { requestDevice } = GPUAdapter.prototype;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    window.recordedDevice = await requestDevice.apply(this, args);
    return window.recordedDevice;
  };
  for (const name of ['createComputePipeline', 'createComputePipelineAsync']) {
    const create = GPUDevice.prototype[name];
    GPUDevice.prototype[name] = function (descriptor) {
      const label = descriptor.label || descriptor.compute?.module?.label || '?';
      const made = create.call(this, descriptor);
      if (made instanceof Promise) return made.then((pipeline) => (labels.set(pipeline, label), pipeline));
      labels.set(made, label);
      return made;
    };
  }
  const pass = GPUComputePassEncoder.prototype;
  const { setPipeline, setBindGroup, dispatchWorkgroups } = pass;
  pass.setPipeline = function (pipeline) {
    this.pipeline = pipeline;
    return setPipeline.call(this, pipeline);
  };
  pass.setBindGroup = function (index, group, offsets) {
    (this.groups ??= [])[index] = [group, offsets && Array.from(offsets)];
    return setBindGroup.apply(this, arguments);
  };
  pass.dispatchWorkgroups = function (...counts) {
    if (recording) window.recorded.push({ pipeline: this.pipeline, label: labels.get(this.pipeline) ?? '?', groups: [...(this.groups ?? [])], counts });
    return dispatchWorkgroups.apply(this, counts);
  };
  // Synchronously, where the bench writes its progress: the next round's work is encoded in the
  // same task, before any timer or observer could run.
  const text = Object.getOwnPropertyDescriptor(Node.prototype, 'textContent');
  Object.defineProperty(Node.prototype, 'textContent', {
    ...text,
    set(value) {
      text.set.call(this, value);
      // "step 1/2" ends the warm-up round, "step 2/2" the timed one (the run's save comes next).
      if (this.id === 'out' && String(value).startsWith('step 1/')) recording = true;
      if (this.id === 'out' && String(value).startsWith('step 2/')) recording = false;
    },
  });
  window.stopRecording = () => {
    recording = false;
  };
}

// In the page, after the bench: each recorded dispatch alone, best of two after one untimed run.
async function replayDispatches() {
  window.stopRecording();
  const device = window.recordedDevice;
  const submit = async (encode) => {
    const t = performance.now();
    const encoder = device.createCommandEncoder();
    encode(encoder);
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - t;
  };
  const empty = [];
  for (let i = 0; i < 5; i++) empty.push(await submit(() => {}));
  const overhead = Math.min(...empty);
  const kernels = [];
  for (const d of window.recorded) {
    const run = (repeats) => submit((encoder) => {
      const pass = encoder.beginComputePass();
      pass.setPipeline(d.pipeline);
      d.groups.forEach((g, i) => g && (g[1] ? pass.setBindGroup(i, g[0], g[1]) : pass.setBindGroup(i, g[0])));
      for (let r = 0; r < repeats; r++) pass.dispatchWorkgroups(...d.counts);
      pass.end();
    });
    await run(1);
    // Once alone (the submit's round trip taken off), and the cost of each further dispatch in
    // the same pass: the kernel's own work, without what a submit and a pass cost.
    const alone = Math.min(await run(1), await run(1));
    const five = await run(5);
    kernels.push({ label: d.label, counts: d.counts, ms: Math.max(0, alone - overhead), marginal: Math.max(0, (five - alone) / 4) });
  }
  return { kernels, overhead, result: window.benchResult };
}

const server = await serve({ port: 0 });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_QUIET, '--enable-unsafe-webgpu'] });
try {
  const page = await browser.newPage();
  await page.addInitScript(recordDispatches);
  const q = `variant=${variant}&backend=${backend}&batch=${batch}&steps=1&warmup=1&g_width=${gWidth}&d_width=${dWidth}`;
  await page.goto(`${urlOf(server)}www/bench/bench.html?${q}`);
  await page.waitForFunction(() => window.benchResult, null, { timeout: 3_600_000, polling: 500 });
  const { kernels, overhead, result } = await page.evaluate(replayDispatches);
  if (result.error) throw new Error(result.error);
  const round = result.medianMs + result.dStepMedianMs;
  const total = kernels.reduce((s, k) => s + k.ms, 0);
  const marginal = kernels.reduce((s, k) => s + k.marginal, 0);
  console.log(`${variant}, G width ${gWidth}, D width ${dWidth}, batch ${batch}, on ${result.name}`);
  console.log(`timed round (one generator iteration + one critic step): ${round.toFixed(0)} ms wall, ${kernels.length} dispatches`);
  console.log(`its kernels replayed one by one: ${total.toFixed(0)} ms, each in its own submit (an empty submit's round trip, ${overhead.toFixed(2)} ms, taken off);`);
  console.log(`  as further dispatches in the same pass: ${marginal.toFixed(0)} ms (${((100 * marginal) / round).toFixed(0)} % of the round)`);
  const byKernel = new Map();
  for (const k of kernels) {
    // cubecl's labels end in a hash of the kernel's settings; group the settings together.
    const name = k.label.replace(/_[0-9a-f]{8}$/, '');
    const entry = byKernel.get(name) ?? { n: 0, ms: 0, marginal: 0 };
    entry.n += 1;
    entry.ms += k.ms;
    entry.marginal += k.marginal;
    byKernel.set(name, entry);
  }
  console.log('\n| kernel | dispatches | ms, alone | ms, in a pass | share (in a pass) |\n|---|---:|---:|---:|---:|');
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].marginal - a[1].marginal)) {
    console.log(`| ${name} | ${e.n} | ${e.ms.toFixed(1)} | ${e.marginal.toFixed(1)} | ${((100 * e.marginal) / marginal).toFixed(1)} % |`);
  }
  console.log('\n| the slowest dispatches | workgroups | ms, in a pass |\n|---|---|---:|');
  for (const k of [...kernels].sort((a, b) => b.marginal - a.marginal).slice(0, 12)) {
    console.log(`| ${k.label} | ${k.counts.join(' × ')} | ${k.marginal.toFixed(1)} |`);
  }
} finally {
  await browser.close();
  server.close();
}
