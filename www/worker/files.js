// Files the worker reads: weights files (checked by size and header before their data is read),
// same-site downloads, and the pretrained generators of the manifest.

const PRETRAINED_URL = new URL('../pretrained/manifest.json', import.meta.url);
let manifest = null; // the pretrained manifest (a promise), fetched once
const pretrainedBytes = new Map(); // a pretrained file's bytes (a promise), by file name

const megabytes = (bytes) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MB`;

// What a weights file holds, from its size and its header alone (the core checks both, see
// `inspectWeights` in crate/bindings.rs): a file that is too big, or is no weights file, is
// refused before its data is read.
export async function inspectWeightsFile(module, blob, name) {
  const { weightFileBytes } = module.limits();
  if (blob.size > weightFileBytes) {
    throw new Error(`${name} is ${megabytes(blob.size)}: weights files over ${megabytes(weightFileBytes)} are refused (a run of this page saves at most about 70 MB).`);
  }
  try {
    const length = module.weightsHeaderLength(new Uint8Array(await blob.slice(0, 8).arrayBuffer()), blob.size);
    return module.inspectWeights(new Uint8Array(await blob.slice(0, 8 + length).arrayBuffer()), blob.size);
  } catch (e) {
    throw new Error(`${name}: ${e.message ?? e}`);
  }
}

// A Blob's bytes; a file that can no longer be read (moved, changed on disk) is named.
export async function readBlob(blob, name) {
  try {
    return new Uint8Array(await blob.arrayBuffer());
  } catch (e) {
    throw new Error(`${name} could not be read (${e.message ?? e})`);
  }
}

// A same-site file's bytes; a failed download or an HTTP error becomes an exception naming the file.
export async function fetchBytes(url) {
  const name = url.pathname.split('/').pop();
  const res = await fetch(url).catch((e) => {
    throw new Error(`${name}: ${e.message ?? e}`);
  });
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

// The manifest's entry for a run's variant and dataset (of its config or settings), or undefined.
// The manifest is fetched once (again only after a failure).
async function pretrainedEntry(run) {
  manifest ??= fetch(PRETRAINED_URL).then((res) => {
    if (!res.ok) throw new Error(`manifest.json: HTTP ${res.status}`);
    return res.json();
  });
  const { default: fallback, models } = await manifest.catch((e) => {
    manifest = null;
    throw e;
  });
  const variant = run?.variant ?? fallback;
  return models.find((m) => m.variant === variant && (m.dataset ?? 'mnist') === (run?.dataset ?? 'mnist'));
}

// The manifest's trained file for a run, `{ name, bytes }`, or null where there is none. Fetched
// once: the preview and the run itself both read it.
export async function pretrainedFile(run) {
  const entry = await pretrainedEntry(run);
  if (!entry) return null;
  if (!pretrainedBytes.has(entry.file)) pretrainedBytes.set(entry.file, fetchBytes(new URL(entry.file, PRETRAINED_URL)));
  return { name: entry.file, bytes: await pretrainedBytes.get(entry.file) };
}

// The grid a run from the manifest's trained file opens on, as `npm run pretrain` drew it (`gan
// sample --opening`: one byte per pixel, NCHW): `{ samples, shape, step }` as the preview message
// carries them, or null where the entry has none (a manifest older than these files).
export async function pretrainedOpening(run) {
  const entry = await pretrainedEntry(run);
  if (!entry?.opening) return null;
  const { file, shape } = entry.opening;
  const pixels = await fetchBytes(new URL(file, PRETRAINED_URL));
  if (pixels.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`${file}: ${pixels.length} bytes, not a grid of ${shape.join('×')}`);
  return { samples: Float32Array.from(pixels, (v) => v / 127.5 - 1), shape, step: entry.steps };
}

// Inflates gzip bytes. A server that sent the file with `Content-Encoding: gzip` has had the
// browser inflate it already: bytes without gzip's magic number are taken as they are.
export async function gunzip(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
