// The TF.js side of `npm run bench`, loaded by www/bench/bench-tfjs.html after TF.js and its backends:
// ?variant=ns-gan|mm-gan|lsgan|wgan|wgan-gp|dragan&backend=webgpu|wasm&batch=8&steps=10&warmup=2&g_width=128&d_width=64
// Layout is NHWC (TF.js's own); the maps and kernels are those of crate/model/dcgan28.rs.
// Counts WebGPU calls from before TF.js creates its device.
import './bench-gpu-calls.js';
import { timeRounds } from './bench-timing.js';

const tf = window.tf;
const q = new URLSearchParams(location.search);
const num = (k, d) => (q.has(k) ? Number(q.get(k)) : d);
const out = document.getElementById('out');

const NZ = 100;
const normal = (shape, std) => tf.variable(tf.randomNormal(shape, 0, std));
const zeros = (shape) => tf.variable(tf.zeros(shape));
const ones = (shape) => tf.variable(tf.ones(shape));

// Convolutions with PyTorch's symmetric padding p. TF.js's wasm backend has no Conv2DBackpropFilter,
// so it cannot train a convolution by itself; there the bench gives both convolutions a gradient
// whose filter part is itself a convolution (over the batch, dilated by the stride), a kernel that
// backend has. Differentiable twice (WGAN-GP): the gradients are built from these same functions.
const builtinOps = {
  conv: (x, w, s, p) => tf.conv2d(x, w, s, p),
  convTranspose: (x, w, shape, s, p) => tf.conv2dTranspose(x, w, shape, s, p),
};
// dW[a, b, i, o] = Σ_{n, y, x} pad(input)[n, y·s + a, x·s + b, i] · dy[n, y, x, o]; rows and
// columns that no output reads (an odd size under stride 2) fall outside the k×k window.
function filterGradient(input, dy, [kh, kw], s, p) {
  const padded = tf.pad(input, [[0, 0], [p, p], [p, p], [0, 0]]);
  const asBatch = tf.transpose(padded, [3, 1, 2, 0]); // [in, H, W, batch]
  const asFilter = tf.transpose(dy, [1, 2, 0, 3]); // [outH, outW, batch, out]
  const full = tf.transpose(tf.conv2d(asBatch, asFilter, 1, 'valid', 'NHWC', s), [1, 2, 0, 3]);
  return tf.slice(full, [0, 0, 0, 0], [kh, kw, -1, -1]);
}
const wasmOps = {
  conv: (x, w, s, p) => tf.customGrad((x, w, save) => {
    save([x, w]);
    return {
      value: tf.conv2d(x, w, s, p),
      gradFunc: (dy, [x, w]) => [wasmOps.convTranspose(dy, w, x.shape, s, p), filterGradient(x, dy, w.shape, s, p)],
    };
  })(x, w),
  convTranspose: (x, w, shape, s, p) => tf.customGrad((x, w, save) => {
    save([x, w]);
    return {
      value: tf.conv2dTranspose(x, w, shape, s, p),
      gradFunc: (dy, [x, w]) => [wasmOps.conv(dy, w, s, p), filterGradient(dy, x, w.shape, s, p)],
    };
  })(x, w),
};
let ops = builtinOps;

// The hand-written gradients must equal TF.js's own: checked on its CPU backend, which has every
// kernel, for both convolutions, to first and second order (the penalty's ∂/∂w of ‖∂D/∂x‖²).
function checkHandWrittenGradients() {
  const x = tf.randomNormal([3, 9, 9, 2]);
  const w = tf.randomNormal([4, 4, 2, 5]);
  const wT = tf.randomNormal([4, 4, 2, 5]);
  const r = tf.randomNormal([3, 4, 4, 5]);
  const rT = tf.randomNormal([3, 10, 10, 2]);
  const probe = (o) => {
    const net = (x, w, wT) => tf.add(
      tf.sum(tf.mul(tf.tanh(o.conv(x, w, 2, 1)), r)),
      tf.sum(tf.mul(tf.tanh(o.convTranspose(o.conv(x, w, 2, 1), wT, [3, 10, 10, 2], 2, 0)), rT)));
    const first = tf.grads(net)([x, w, wT]);
    const second = tf.grads((w, wT) => tf.sum(tf.square(tf.grad((x) => net(x, w, wT))(x))))([w, wT]);
    return [...first, ...second];
  };
  const [ours, theirs] = [probe(wasmOps), probe(builtinOps)];
  ours.forEach((g, i) => {
    const error = tf.max(tf.abs(tf.sub(g, theirs[i]))).dataSync()[0] / tf.max(tf.abs(theirs[i])).dataSync()[0];
    if (!(error < 1e-4)) throw new Error(`the wasm convolutions' gradient ${i} differs from TF.js's by ${error}`);
  });
}

// DCGAN initialisation: conv weights ~ N(0, 0.02), no biases; BatchNorm γ ~ N(1, 0.02), β = 0.
function generator(w) {
  const p = {
    w1: normal([7, 7, 2 * w, NZ], 0.02), g1: tf.variable(tf.randomNormal([2 * w], 1, 0.02)), b1: zeros([2 * w]),
    w2: normal([4, 4, w, 2 * w], 0.02), g2: tf.variable(tf.randomNormal([w], 1, 0.02)), b2: zeros([w]),
    w3: normal([4, 4, 1, w], 0.02),
  };
  const forward = (z) => {
    const b = z.shape[0];
    let x = ops.convTranspose(z, p.w1, [b, 7, 7, 2 * w], 1, 0);
    x = tf.relu(batchNorm(x, p.g1, p.b1));
    x = ops.convTranspose(x, p.w2, [b, 14, 14, w], 2, 1);
    x = tf.relu(batchNorm(x, p.g2, p.b2));
    return tf.tanh(ops.convTranspose(x, p.w3, [b, 28, 28, 1], 2, 1));
  };
  return { params: Object.values(p), forward };
}

// BatchNorm in training mode: the batch's own statistics (ε = 1e-5).
function batchNorm(x, gamma, beta) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

// LayerNorm over the whole C×H×W map of each sample, with elementwise affine (WGAN-GP's critic).
function layerNorm(x, gamma, beta) {
  const { mean, variance } = tf.moments(x, [1, 2, 3], true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

// LeakyReLU(x) = 0.6x + 0.4|x| for slope 0.2: the same function, written so that TF.js can
// differentiate it twice (its own leakyRelu's gradient goes through Greater, which has none).
const leakyRelu = (x) => tf.add(tf.mul(0.6, x), tf.mul(0.4, tf.abs(x)));

function critic(w, norm) {
  const p = {
    w1: normal([4, 4, 1, w], 0.02), w2: normal([4, 4, w, 2 * w], 0.02), w3: normal([7, 7, 2 * w, 1], 0.02),
    ...(norm === 'layer'
      ? { g: ones([7, 7, 2 * w]), b: zeros([7, 7, 2 * w]) }
      : { g: tf.variable(tf.randomNormal([2 * w], 1, 0.02)), b: zeros([2 * w]) }),
  };
  const forward = (x) => {
    let h = leakyRelu(ops.conv(x, p.w1, 2, 1));
    h = ops.conv(h, p.w2, 2, 1);
    h = leakyRelu(norm === 'layer' ? layerNorm(h, p.g, p.b) : batchNorm(h, p.g, p.b));
    return tf.reshape(ops.conv(h, p.w3, 1, 0), [-1]);
  };
  return { params: Object.values(p), forward };
}

// λ·E[(‖∇D(x̂)‖ − 1)²], λ = 10: the penalty's own gradient needs the gradient of ∇ₓ̂D, which
// TF.js gets by differentiating through tf.grad.
const gradientPenalty = (D, xHat) => {
  const grad = tf.grad((x) => tf.sum(D(x)))(xHat);
  const norm = tf.sqrt(tf.add(tf.sum(tf.square(grad), [1, 2, 3]), 1e-12));
  return tf.mul(10, tf.mean(tf.square(tf.sub(norm, 1))));
};

// The variants' losses on logits / raw critic scores (see crate/gan/*.rs for the formulas).
const VARIANTS = {
  'ns-gan': {
    norm: 'batch', nCritic: 1, optimizer: () => tf.train.adam(2e-4, 0.5, 0.999),
    critic: (D, real, fake) => tf.add(tf.mean(tf.softplus(tf.neg(D(real)))), tf.mean(tf.softplus(D(fake)))),
    generator: (D, fake) => tf.mean(tf.softplus(tf.neg(D(fake)))),
  },
  lsgan: {
    norm: 'batch', nCritic: 1, optimizer: () => tf.train.adam(2e-4, 0.5, 0.999),
    critic: (D, real, fake) => tf.mul(0.5, tf.add(tf.mean(tf.square(tf.sub(D(real), 1))), tf.mean(tf.square(D(fake))))),
    generator: (D, fake) => tf.mul(0.5, tf.mean(tf.square(tf.sub(D(fake), 1)))),
  },
  'mm-gan': {
    norm: 'batch', nCritic: 1, optimizer: () => tf.train.adam(2e-4, 0.5, 0.999),
    critic: (D, real, fake) => tf.add(tf.mean(tf.softplus(tf.neg(D(real)))), tf.mean(tf.softplus(D(fake)))),
    // E[log(1 − σ(s))] = −E[softplus(s)]
    generator: (D, fake) => tf.neg(tf.mean(tf.softplus(D(fake)))),
  },
  wgan: {
    // RMSProp as PyTorch's defaults (α 0.99, ε 1e-8); every critic weight clipped to [−0.01, 0.01].
    norm: 'batch', nCritic: 5, optimizer: () => tf.train.rmsprop(5e-5, 0.99, 0, 1e-8),
    critic: (D, real, fake) => tf.sub(tf.mean(D(fake)), tf.mean(D(real))),
    afterCritic: (params) => params.forEach((p) => p.assign(tf.clipByValue(p, -0.01, 0.01))),
    generator: (D, fake) => tf.neg(tf.mean(D(fake))),
  },
  dragan: {
    norm: 'layer', nCritic: 1, optimizer: () => tf.train.adam(1e-4, 0.5, 0.9),
    // NS-GAN's losses plus λ·E[(‖∇D(x̂)‖ − 1)²] at x̂ = x + α·0.5·std(x)·u (crate/gan/dragan.rs).
    critic: (D, real, fake) => {
      const std = tf.sqrt(tf.mean(tf.square(tf.sub(real, tf.mean(real)))));
      const u = tf.randomUniform(real.shape);
      const alpha = tf.randomUniform([real.shape[0], 1, 1, 1]);
      const xHat = tf.add(real, tf.mul(tf.mul(alpha, u), tf.mul(0.5, std)));
      const penalty = gradientPenalty(D, xHat);
      return tf.add(tf.add(tf.mean(tf.softplus(tf.neg(D(real)))), tf.mean(tf.softplus(D(fake)))), penalty);
    },
    generator: (D, fake) => tf.mean(tf.softplus(tf.neg(D(fake)))),
  },
  'wgan-gp': {
    norm: 'layer', nCritic: 5, optimizer: () => tf.train.adam(1e-4, 0.0, 0.9),
    critic: (D, real, fake) => {
      const eps = tf.randomUniform([real.shape[0], 1, 1, 1]);
      const xHat = tf.add(tf.mul(real, eps), tf.mul(fake, tf.sub(1, eps)));
      const penalty = gradientPenalty(D, xHat);
      return tf.add(tf.sub(tf.mean(D(fake)), tf.mean(D(real))), penalty);
    },
    generator: (D, fake) => tf.neg(tf.mean(D(fake))),
  },
};

try {
  const t0 = performance.now();
  // wasm-threads: the wasm backend on every core. Whatever setThreadsCount asks, TF.js takes at most
  // half of navigator.hardwareConcurrency, read as its module starts (init_with_threads_count in
  // tfjs-backend-wasm/src/cc/backend.cc: min(asked, 8, cores / 2)): one thread on 2 cores. So the
  // page reports twice the cores while it starts.
  const threads = q.get('backend') === 'wasm-threads';
  const backendName = threads ? 'wasm' : q.get('backend') || 'webgpu';
  const cores = navigator.hardwareConcurrency;
  // Plain wasm: TF.js's SIMD binary without threads, as the core's CPU module; on a cross-origin
  // isolated page TF.js would otherwise start its threaded binary on half the cores.
  if (backendName === 'wasm' && !threads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (threads) tf.wasm.setThreadsCount(cores);
  if (backendName === 'wasm') {
    await tf.setBackend('cpu');
    tf.tidy(checkHandWrittenGradients);
  }
  if (backendName === 'wasm') tf.wasm.setWasmPaths(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
  if (threads) Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * cores, configurable: true });
  try {
    if (!(await tf.setBackend(backendName))) throw new Error(`TF.js backend ${backendName} is not available`);
    await tf.ready();
  } finally {
    if (threads) delete navigator.hardwareConcurrency;
  }
  if (threads && tf.wasm.getThreadsCount() !== Math.min(cores, 8)) {
    throw new Error(`TF.js wasm runs ${tf.wasm.getThreadsCount()} threads, not ${Math.min(cores, 8)}: is the page cross-origin isolated?`);
  }
  let binary = '';
  if (backendName === 'wasm') {
    ops = wasmOps;
    const [simd, multithread] = await Promise.all(['WASM_HAS_SIMD_SUPPORT', 'WASM_HAS_MULTITHREAD_SUPPORT'].map((f) => tf.env().getAsync(f)));
    binary = ` (${simd && multithread ? 'threaded SIMD' : simd ? 'SIMD' : 'plain'} binary)`;
  }
  const variantName = q.get('variant') || 'ns-gan';
  const variant = VARIANTS[variantName];
  if (!variant) throw new Error(`the TF.js bench has no ${variantName}`);
  const batch = num('batch', 8);
  const [gWidth, dWidth] = [num('g_width', 128), num('d_width', 64)];

  // The same MNIST file as the core, scaled to [-1, 1].
  const bytes = new Uint8Array(await (await fetch('../data/mnist.bin')).arrayBuffer());
  const header = new DataView(bytes.buffer, 0, 20);
  const count = header.getUint32(4, true);
  const pixels = bytes.subarray(20, 20 + count * 784);
  const realBatch = () => {
    const data = new Float32Array(batch * 784);
    for (let i = 0; i < batch; i++) {
      const offset = Math.floor(Math.random() * count) * 784;
      for (let j = 0; j < 784; j++) data[i * 784 + j] = pixels[offset + j] / 127.5 - 1;
    }
    return tf.tensor4d(data, [batch, 28, 28, 1]);
  };

  const G = generator(gWidth);
  const D = critic(dWidth, variant.norm);
  const [optD, optG] = [variant.optimizer(), variant.optimizer()];
  const criticStep = () => tf.tidy(() => {
    const real = realBatch();
    const fake = G.forward(tf.randomNormal([batch, 1, 1, NZ]));
    const { value, grads } = tf.variableGrads(() => variant.critic(D.forward, real, fake), D.params);
    optD.applyGradients(grads);
    variant.afterCritic?.(D.params);
    return tf.keep(value);
  });
  const generatorStep = () => tf.tidy(() => {
    const z = tf.randomNormal([batch, 1, 1, NZ]);
    const { value, grads } = tf.variableGrads(() => variant.generator(D.forward, G.forward(z)), G.params);
    optG.applyGradients(grads);
    return tf.keep(value);
  });
  // One iteration is n_critic critic steps and one G step, synced by reading the losses back.
  const iteration = () => {
    const losses = [];
    for (let i = 0; i < variant.nCritic; i++) losses.push(criticStep());
    losses.push(generatorStep());
    return losses;
  };
  const synced = async (work) => {
    const t = performance.now();
    const losses = work();
    const values = await Promise.all(losses.map((l) => l.data()));
    losses.forEach((l) => l.dispose());
    if (values.some((v) => !Number.isFinite(v[0]))) throw new Error('non-finite loss');
    return performance.now() - t;
  };
  const setupMs = performance.now() - t0;
  let memoryAfterWarmup = null;
  const timing = await timeRounds({
    warmup: num('warmup', 2), steps: num('steps', 10), out,
    iteration: () => synced(iteration),
    criticStep: () => synced(() => [criticStep()]),
    afterWarmup: () => {
      memoryAfterWarmup = tf.memory();
    },
  });
  const memory = tf.memory();
  window.benchResult = {
    // For wasm, the binary and its threads: the threaded one needs a cross-origin isolated page.
    backend: `tfjs-${tf.getBackend()}`, name: `TF.js ${tf.version_core} ${tf.getBackend()}${binary}${tf.getBackend() === 'wasm' ? `, ${tf.wasm.getThreadsCount()} thread${tf.wasm.getThreadsCount() === 1 ? '' : 's'}` : ''}`, batch, setupMs, ...timing,
    nCritic: variant.nCritic, tensors: memory.numTensors,
    tensorGrowth: memoryAfterWarmup ? memory.numTensors - memoryAfterWarmup.numTensors : null,
  };
  out.textContent = JSON.stringify(window.benchResult, null, 2);
} catch (e) {
  window.benchResult = { error: String(e?.message ?? e) };
  out.textContent = window.benchResult.error;
}
