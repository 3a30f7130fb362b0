// The page's main thread: it only draws and forwards clicks; training lives in worker.js.
import { drawGrid } from './grid.js';

const $ = (id) => document.getElementById(id);
const ui = {
  start: $('start'), step: $('step'), reset: $('reset'),
  stepCount: $('stat-step'), rate: $('stat-rate'), d: $('stat-d'), g: $('stat-g'),
  backend: $('backend'), samples: $('samples'), losses: $('losses'), message: $('message'),
  variant: $('variant'), schedule: $('schedule'), variantStats: $('variant-stats'),
  weights: $('weights'), weightsRange: $('weights-range'), knobs: $('knobs'),
  save: $('save'), load: $('load'),
};
let variants = [];

// Names of the variants' own read-outs, as the page shows them.
const READOUT_LABELS = { wasserstein: 'W estimate', gradient_norm: '‖∇D(x̂)‖', penalty: 'Penalty', k: 'k_t', m_global: 'M_global' };

// Settings from the URL query, e.g. ?variant=wgan&backend=cpu&batch=8&g_width=16&d_width=16&seed=3
function configFromQuery() {
  const q = new URLSearchParams(location.search);
  const int = (name) => (q.has(name) && /^\d+$/.test(q.get(name)) ? Number(q.get(name)) : undefined);
  const variant = q.get('variant') ?? undefined;
  const config = { variant, batch_size: int('batch'), seed: int('seed'), model: { g_width: int('g_width'), d_width: int('d_width') } };
  // A trained generator is shown at once unless the URL asks for other sizes or for pretrained=0.
  const pretrained = q.get('pretrained') !== '0' && !['g_width', 'd_width', 'batch', 'seed'].some((k) => q.has(k));
  return { backend: q.get('backend') === 'cpu' ? 'cpu' : 'webgpu', config: JSON.parse(JSON.stringify(config)), pretrained, weights: q.has('weights') ? new URL(q.get('weights'), location.href).href : undefined };
}

function showMessage(text, kind = 'info') {
  ui.message.hidden = !text;
  ui.message.textContent = text ?? '';
  ui.message.className = `message ${kind}`;
}

const history = [];
let shownSession = 0; // the run whose progress is on screen (the worker counts resets)
function drawLosses() {
  const canvas = ui.losses;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (history.length < 2) return;
  // Scale to the range of both curves: Wasserstein critics' losses are negative.
  const values = history.flatMap((h) => [h.d, h.g]);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1e-6) [lo, hi] = [lo - 0.5, hi + 0.5];
  const first = history[0].step;
  const span = Math.max(1, history.at(-1).step - first);
  const line = (key, color) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    history.forEach((h, i) => {
      const x = ((h.step - first) / span) * (canvas.width - 4) + 2;
      const y = canvas.height - 4 - ((h[key] - lo) / (hi - lo)) * (canvas.height - 8);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  };
  const css = getComputedStyle(document.documentElement);
  line('d', css.getPropertyValue('--d'));
  line('g', css.getPropertyValue('--g'));
}

// The critic's convolution weights as bars over [−limit, limit] (WGAN's pile up at ±c).
function drawHistogram({ limit, counts }) {
  const canvas = ui.weights;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const top = Math.max(...counts, 1);
  const w = canvas.width / counts.length;
  ctx.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--fg');
  counts.forEach((c, i) => {
    const h = (c / top) * (canvas.height - 4);
    ctx.fillRect(i * w + 1, canvas.height - h, Math.max(1, w - 2), h);
  });
  const n = counts.reduce((a, b) => a + b, 0);
  ui.weightsRange.textContent = `${n.toLocaleString('en')} weights in [−${+limit.toPrecision(3)}, ${+limit.toPrecision(3)}]`;
}

function setRunning(running) {
  ui.start.textContent = running ? 'Pause' : 'Start';
  ui.start.dataset.running = running ? '1' : '';
  ui.start.disabled = false;
  ui.step.disabled = running;
}

function showSchedule(schedule) {
  const n = (v) => +Number(v).toPrecision(6); // f32 settings print as 0.9, not 0.8999999761581421
  const opt = schedule.kind === 'adam'
    ? `Adam(lr ${n(schedule.learning_rate)}, β = (${n(schedule.beta1)}, ${n(schedule.beta2)}))`
    : `RMSProp(lr ${n(schedule.learning_rate)})`;
  ui.schedule.textContent = `${opt}, ${schedule.nCritic} critic step${schedule.nCritic > 1 ? 's' : ''} per G step`;
}

// One slider per setting of the current variant (BEGAN's γ, WGAN's c, the penalties' λ); a change
// applies from the next step without a reset.
function showKnobs(config) {
  const knobs = variants.find((v) => v.id === config.variant)?.knobs ?? [];
  ui.knobs.replaceChildren(...knobs.map((knob) => {
    const value = config.knobs?.[knob.name] ?? knob.value;
    const label = document.createElement('label');
    label.className = 'knob';
    // A power of ten, so that round values (the defaults among them) lie on the slider's grid.
    const step = 10 ** Math.floor(Math.log10((knob.max - knob.min) / 100));
    label.innerHTML = `<span>${knob.label}</span><input type="range" min="${knob.min}" max="${knob.max}" step="${step}" data-knob="${knob.name}"><output></output>`;
    const [input, output] = [label.querySelector('input'), label.querySelector('output')];
    input.value = value;
    output.textContent = +Number(value).toPrecision(3);
    input.addEventListener('input', () => { output.textContent = +Number(input.value).toPrecision(3); });
    input.addEventListener('change', () => worker.postMessage({ type: 'knob', name: knob.name, value: Number(input.value) }));
    return label;
  }));
}

function showValues(values) {
  const entries = Object.entries(values ?? {});
  if (ui.variantStats.children.length !== entries.length) ui.variantStats.replaceChildren();
  for (const [name, value] of entries) {
    let dd = ui.variantStats.querySelector(`[data-name="${name}"]`);
    if (!dd) {
      const div = document.createElement('div');
      div.innerHTML = `<dt>${READOUT_LABELS[name] ?? name}</dt><dd data-name="${name}"></dd>`;
      ui.variantStats.append(div);
      dd = div.querySelector('dd');
    }
    dd.textContent = fmt(value);
  }
}

const fmt = (v, digits = 3) => (v === null || v === undefined ? '–' : Number(v).toFixed(digits));

const { backend, config, pretrained, weights } = configFromQuery();
const CONTROLS = () => [ui.start, ui.step, ui.reset, ui.variant, ui.save, ui.load];
let worker;
try {
  if (typeof WebAssembly !== 'object') throw new Error('this browser cannot run WebAssembly');
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
} catch (e) {
  showMessage(`The playground cannot start: ${e.message}.`, 'error');
}

worker?.addEventListener('error', (e) => {
  e.preventDefault();
  showMessage(`The training module failed to load${e.message ? `: ${e.message}` : ''}. If you run the page from a checkout, build it first with "npm run build".`, 'error');
  ui.backend.textContent = 'not available';
});

worker?.addEventListener('message', ({ data: msg }) => {
  switch (msg.type) {
    case 'ready': {
      const b = msg.backend;
      ui.backend.textContent = b.kind === 'webgpu' || !b.fallbackReason ? b.name : `CPU fallback (${b.fallbackReason})`;
      ui.backend.dataset.kind = b.kind;
      if (b.fallbackReason) showMessage(`WebGPU is not available, so training runs on the CPU and will be slow: ${b.fallbackReason}.`);
      variants = msg.variants;
      ui.variant.replaceChildren(...msg.variants.map(({ id, title }) => new Option(title, id)));
      ui.variant.value = msg.config.variant;
      showSchedule(msg.schedule);
      showKnobs(msg.config);
      for (const b of CONTROLS()) b.disabled = false;
      break;
    }
    case 'config':
      ui.variant.value = msg.config.variant;
      showSchedule(msg.schedule);
      showKnobs(msg.config);
      break;
    case 'progress':
      if (msg.session < shownSession) break; // progress of a run replaced by Reset
      if (msg.session > shownSession) {
        shownSession = msg.session;
        history.length = 0;
        drawLosses();
      }
      ui.stepCount.textContent = msg.step;
      ui.d.textContent = fmt(msg.dLoss);
      ui.g.textContent = fmt(msg.gLoss);
      showValues(msg.values);
      ui.rate.textContent = msg.stepsPerSec ? fmt(msg.stepsPerSec, msg.stepsPerSec < 10 ? 2 : 0) : '–';
      if (msg.histogram) drawHistogram(msg.histogram);
      if (msg.samples) {
        drawGrid(ui.samples, msg.samples, msg.shape);
        ui.samples.dataset.step = msg.step;
      }
      if (Number.isFinite(msg.dLoss) && Number.isFinite(msg.gLoss) && msg.step > (history.at(-1)?.step ?? -1)) {
        history.push({ step: msg.step, d: msg.dLoss, g: msg.gLoss });
        if (history.length > 2000) history.splice(0, history.length - 2000);
        drawLosses();
      }
      break;
    case 'weights': {
      const url = URL.createObjectURL(new Blob([msg.bytes], { type: 'application/octet-stream' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: msg.name });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      ui.save.disabled = false;
      break;
    }
    case 'loaded': {
      const m = msg.metadata ?? {};
      const parts = [msg.generator && 'generator', msg.critic && 'critic'].filter(Boolean).join(' and ');
      const about = m.variant ? ` (${m.variant}, ${m.steps ?? '?'} steps on ${m.dataset ?? '?'})` : '';
      showMessage(`Loaded the ${parts} from ${msg.name}${about}.`);
      ui.samples.dataset.loaded = msg.name;
      break;
    }
    case 'sampling':
      // A generator the page cannot train (e.g. dcgan64): its samples only, until Reset.
      showMessage(`Showing samples of the ${msg.model} generator in ${msg.name} (${msg.image.join('×')} images). It is too big to train here: Reset goes back to training.`);
      for (const b of [ui.start, ui.step, ui.save]) b.disabled = true;
      break;
    case 'samples':
      drawGrid(ui.samples, msg.samples, msg.shape);
      ui.samples.dataset.model = msg.shape.slice(1).join('x');
      break;
    case 'state':
      setRunning(msg.running);
      break;
    case 'error':
      showMessage(msg.fatal ? `The playground stopped: ${msg.message}` : msg.message, 'error');
      if (msg.fatal) {
        ui.backend.textContent = 'not available';
        for (const b of CONTROLS()) b.disabled = true;
      } else if (msg.diverged) {
        // Training on NaN weights is pointless: only Reset helps.
        ui.start.disabled = true;
        ui.step.disabled = true;
      }
      break;
  }
});

ui.start.addEventListener('click', () => worker.postMessage({ type: ui.start.dataset.running ? 'pause' : 'start' }));
ui.step.addEventListener('click', () => worker.postMessage({ type: 'step' }));
ui.variant.addEventListener('change', () => {
  showMessage(null);
  worker.postMessage({ type: 'reset', config: { variant: ui.variant.value } });
});
ui.save.addEventListener('click', () => {
  ui.save.disabled = true;
  worker.postMessage({ type: 'save' });
});
// A weights file from the file picker or dropped anywhere on the page.
async function loadFile(file) {
  if (!file) return;
  showMessage(`Loading ${file.name}…`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  worker.postMessage({ type: 'load', bytes, name: file.name }, [bytes.buffer]);
}
ui.load.addEventListener('change', () => {
  loadFile(ui.load.files[0]);
  ui.load.value = '';
});
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  if (!ui.load.disabled) loadFile(e.dataTransfer.files[0]);
});
ui.reset.addEventListener('click', () => {
  showMessage(null);
  delete ui.samples.dataset.model;
  ui.save.disabled = false;
  worker.postMessage({ type: 'reset' });
});
worker?.postMessage({ type: 'init', backend, config, pretrained, weights });
