// The timing protocol both bench pages share (www/bench/bench.html for the core, www/bench/bench-tfjs.html for
// TF.js), so that their numbers are measured the same way: each of warmup + steps rounds times one
// full iteration and then one critic step (both already synced by the caller; a model without a
// critic step, the VAE, passes none), and the summary keeps the rounds after the warm-up. The
// first timed iteration's WebGPU calls are counted (all zero on a CPU backend).
import { callsOf } from './bench-gpu-calls.js';

export async function timeRounds({ warmup, steps, iteration, criticStep, afterWarmup, out }) {
  const times = [];
  const dTimes = [];
  let calls = null;
  for (let i = 0; i < warmup + steps; i++) {
    if (i === warmup) {
      const counted = await callsOf(iteration);
      times.push(counted.result);
      calls = counted.calls;
    } else {
      times.push(await iteration());
    }
    if (criticStep) dTimes.push(await criticStep());
    if (i === warmup - 1) await afterWarmup?.();
    out.textContent = `step ${i + 1}/${warmup + steps}: ${times.at(-1).toFixed(0)} ms`;
  }
  const timed = times.slice(warmup).sort((a, b) => a - b);
  const dTimed = dTimes.slice(warmup).sort((a, b) => a - b);
  return {
    firstStepMs: times[0], medianMs: timed[Math.floor(timed.length / 2)], minMs: timed[0], maxMs: timed.at(-1),
    steps: timed.length, dStepMedianMs: dTimed[Math.floor(dTimed.length / 2)] ?? null, calls,
  };
}
