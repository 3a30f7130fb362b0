// Your own images (www/lib/images.js) up to the decoder: what is refused before any decode, and why;
// what a folder drop reads. The browser's decoder and canvas are stood in for: they record what
// reaches them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DATASET_HEADER_BYTES, MAX_DROP_ENTRIES, MAX_FILE_BYTES, MAX_IMAGES, MAX_PIXELS, MAX_SET_BYTES, SIDE, droppedFiles, imagesToDataset, refusals, walkNote } from '../../www/lib/images.js';
import { SCHEMA } from './schema.mjs';
import { blackPng, png } from './image-files.mjs';

const decoded = [];
globalThis.createImageBitmap = async (source) => {
  if (!('close' in source)) decoded.push(source.name);
  if (source.name?.startsWith('undecodable')) throw new DOMException('The source image could not be decoded.', 'InvalidStateError');
  return { width: 28, height: 28, close() {} };
};
globalThis.OffscreenCanvas = class {
  getContext() {
    return { fillRect() {}, drawImage() {}, getImageData: () => ({ data: new Uint8ClampedArray(28 * 28 * 4).fill(255) }) };
  }
};

const file = (name, bytes, type = 'image/png') => new File([bytes], name, { type });
/** A file that says it is `size` bytes long and holds `head` at its start (nothing is allocated). */
const sized = (name, size, head) => ({
  name, size, type: 'image/png',
  slice: (start, end) => ({ arrayBuffer: async () => Uint8Array.from(head.subarray(start, Math.min(end, size))).buffer }),
});

test("dataset files are written at the core's image side, with the core's header", async () => {
  assert.equal(SIDE, SCHEMA.imageSide);
  const { bytes, count, channels } = await imagesToDataset([file('a.png', png(28, 28))]);
  assert.equal(bytes.length, DATASET_HEADER_BYTES + count * (channels * SIDE * SIDE + 1));
});

test('the limits are what the page says they are', () => {
  assert.deepEqual([MAX_PIXELS, MAX_FILE_BYTES, MAX_SET_BYTES, MAX_IMAGES, MAX_DROP_ENTRIES], [50e6, 50e6, 1e9, 10_000, 100_000]);
});

test('a 20000 × 20000 PNG is refused from its header, by name and size; the others train', async () => {
  const files = [file('huge.png', await blackPng(20000, 20000)), file('a.png', png(28, 28)), file('b.png', png(28, 28))];
  decoded.length = 0;
  const started = performance.now();
  const { count, channels, skipped, reasons, truncated, bytes } = await imagesToDataset(files);
  assert.ok(performance.now() - started < 1000);
  assert.deepEqual({ count, channels, skipped, reasons, truncated }, {
    count: 2, channels: 1, skipped: ['huge.png'], reasons: ['20000 × 20000 pixels, over the 50-megapixel limit'], truncated: 0,
  });
  assert.deepEqual(decoded, ['a.png', 'b.png']);
  assert.equal(bytes.length, 20 + 2 * 785);
});

test('files over the byte limit are not read; a set stops taking files at its total', async () => {
  const head = png(28, 28);
  decoded.length = 0;
  const big = { ...sized('big.png', 73_400_000, head), slice: () => assert.fail('a file over the limit is read') };
  const { count, skipped, reasons } = await imagesToDataset([big, ...Array.from({ length: 25 }, (_, i) => sized(`scan-${i}.png`, 45e6, head))]);
  // 22 × 45 MB fit in 1 GB.
  assert.equal(count, 22);
  assert.deepEqual(skipped, ['big.png', 'scan-22.png', 'scan-23.png', 'scan-24.png']);
  assert.deepEqual(reasons, ['73.4 MB, over the 50 MB limit for one file', ...Array(3).fill('over the 1 GB limit for one set of images')]);
  assert.equal(decoded.length, 22);
});

test('when no file is usable, the error names each with its reason', async () => {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('ftypheic\0\0\0\0mif1', 'latin1')]);
  const files = [file('photo.heic', ftyp, 'image/heic'), file('notes.txt', Buffer.from('not a picture'), 'text/plain'), file('undecodable.png', png(4, 4)), file('d.png', Buffer.alloc(0))];
  await assert.rejects(imagesToDataset(files), {
    message: 'none of the 4 files is usable (photo.heic: HEIC/HEIF, which is not read here (only PNG, JPEG, GIF, WebP or BMP); '
      + 'notes.txt: not a PNG, JPEG, GIF, WebP or BMP file; undecodable.png: this browser could not decode it; and 1 more)',
  });
  await assert.rejects(imagesToDataset([file('cut.png', png(4, 4).subarray(0, 20))]), { message: 'none of the 1 file is usable (cut.png: PNG file cut short before its size)' });
});

test('beyond MAX_IMAGES files, the rest are counted as cut, not read', async () => {
  const head = png(28, 28);
  decoded.length = 0;
  const files = Array.from({ length: MAX_IMAGES + 5 }, (_, i) => sized(`${i}.png`, head.length, head));
  const { count, truncated } = await imagesToDataset(files);
  assert.deepEqual([count, truncated, decoded.length], [MAX_IMAGES, 5, MAX_IMAGES]);
});

test('refusals list the first three with their reasons', () => {
  assert.equal(refusals(['a', 'b'], ['x', 'y']), 'a: x; b: y');
  assert.equal(refusals(['a', 'b', 'c', 'd', 'e'], ['1', '2', '3', '4', '5']), 'a: 1; b: 2; c: 3; and 2 more');
});

// A dropped folder tree as the browser hands it over: entries, read in batches of 100.
function tree(children, counter) {
  return {
    isFile: false,
    createReader() {
      let at = 0;
      return {
        readEntries(resolve) {
          counter.batches += 1;
          const batch = (typeof children === 'function' ? children() : children).slice(at, at + 100);
          at += batch.length;
          queueMicrotask(() => resolve(batch));
        },
      };
    },
  };
}
const leaf = (name, counter) => ({ isFile: true, file: (resolve) => ((counter.files += 1), resolve({ name, type: '', size: 1 })) });
const transferOf = (...entries) => ({ items: entries.map((entry) => ({ webkitGetAsEntry: () => entry })), files: [] });

test('a folder drop stops at MAX_IMAGES images, saying so', async () => {
  const counter = { files: 0, batches: 0 };
  const names = [...Array.from({ length: MAX_IMAGES + 50 }, (_, i) => `digit-${i}.png`), 'notes.txt'];
  const inner = tree(names.slice(5000).map((n) => leaf(n, counter)), counter);
  const root = tree([...names.slice(0, 5000).map((n) => leaf(n, counter)), inner], counter);
  const files = await droppedFiles(transferOf(root));
  assert.equal(files.length, MAX_IMAGES);
  assert.equal(files.stopped, 'images');
  assert.equal(counter.files, MAX_IMAGES + 1);
  assert.equal(walkNote(files.stopped), 'stopped reading the folder at 10,000 images');

  // Exactly MAX_IMAGES, and other files: all read, nothing said.
  const exact = await droppedFiles(transferOf(tree([...names.slice(0, MAX_IMAGES), 'a.txt', 'b.txt'].map((n) => leaf(n, counter)), counter)));
  assert.deepEqual([exact.length, exact.stopped, walkNote(exact.stopped)], [MAX_IMAGES + 2, null, null]);
});

test('a folder drop stops after MAX_DROP_ENTRIES files and folders, deep or wide', async () => {
  const counter = { files: 0, batches: 0 };
  // 1,000 folders of 200 text files each: 201,000 entries, no image.
  const folders = Array.from({ length: 1000 }, (_, f) => tree(() => Array.from({ length: 200 }, (_, i) => leaf(`${f}-${i}.txt`, counter)), counter));
  const files = await droppedFiles(transferOf(tree(folders, counter)));
  assert.equal(files.stopped, 'entries');
  assert.ok(counter.files < MAX_DROP_ENTRIES && files.length === counter.files);
  assert.equal(walkNote(files.stopped), 'stopped reading the folders after 100,000 files and folders');

  // A chain of folders nested 150,000 deep.
  const deep = { files: 0, batches: 0 };
  let chain = leaf('bottom.png', deep);
  for (let i = 0; i < 150_000; i++) chain = tree([chain], deep);
  const nested = await droppedFiles(transferOf(chain));
  assert.deepEqual([nested.length, nested.stopped, deep.files], [0, 'entries', 0]);
  assert.ok(deep.batches <= 2 * MAX_DROP_ENTRIES);
});

test('a drop without entries is its files', async () => {
  const files = [{ name: 'a.png', type: 'image/png' }];
  assert.deepEqual(await droppedFiles({ items: [], files }), Object.assign([...files], { stopped: null }));
});
