// Your own images as a training set: PNG, JPEG, GIF, WebP or BMP → the centre square
// → 28×28 grey or RGB → a dataset file in the core's layout (crate/data/mod.rs: "GDS1", count, channels,
// height, width as little-endian u32, the pixels, then one label byte per image, 255 = none).
// All of it happens in the browser: the images never leave the machine. Every file is sized from
// its header before it is decoded; what is refused is named with the reason.
import { readImageSize } from './image-size.js';

// The core's image side (its schema's imageSide; tests/node/images.test.mjs checks that they agree):
// this file writes dataset files the core reads.
export const SIDE = 28;
export const MAX_IMAGES = 10_000;
/** Pixels of one image: a phone photo has 12–50 MP, and decoding takes 4 bytes a pixel (200 MB
 * at this limit, one image at a time). A 20000 × 20000 PNG of a few hundred KB would take 1.6 GB. */
export const MAX_PIXELS = 50_000_000;
/** Bytes of one file: a 50 MP photo's JPEG is 10–25 MB; more is an uncompressed scan or padding. */
export const MAX_FILE_BYTES = 50_000_000;
/** Bytes of one set: about 300 phone photos, or 10,000 small images many times over; decoding
 * that much already takes on the order of a minute. */
export const MAX_SET_BYTES = 1_000_000_000;
/** Files and folders a dropped folder tree is read for at most (a drop of a whole disk stops). */
export const MAX_DROP_ENTRIES = 100_000;

/** Mean chroma (max − min of R, G, B, 0–255) above which a set of images is taken as colour. */
const COLOUR_CHROMA = 12;

/** File names taken for images (with `image/…` types): the unsupported ones are read to be refused by name. */
export const IMAGE_NAME = /\.(png|jpe?g|gif|webp|bmp|avif|heic|heif|svg|tiff?|ico|jxl)$/i;
export const isImageFile = (file) => file.type.startsWith('image/') || IMAGE_NAME.test(file.name);

const megabytes = (bytes) => `${+(bytes / 1e6).toFixed(1)} MB`;

/**
 * The files of a drop, the files inside dropped folders included (read recursively), until
 * MAX_IMAGES images or MAX_DROP_ENTRIES files and folders. The list's `stopped` says whether the
 * walk stopped there: 'images', 'entries' or null.
 */
export async function droppedFiles(transfer) {
  // The entries are taken at once: the transfer is emptied once the drop event returns.
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length) return Object.assign([...transfer.files], { stopped: null });
  const files = Object.assign([], { stopped: null });
  let [images, visited] = [0, 0];
  const visit = async (entry) => {
    if (++visited > MAX_DROP_ENTRIES) {
      files.stopped = 'entries';
      return;
    }
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      if (isImageFile(file) && ++images > MAX_IMAGES) files.stopped = 'images';
      else files.push(file);
      return;
    }
    const reader = entry.createReader();
    // readEntries returns a folder's entries in batches, until an empty one.
    while (!files.stopped) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) return;
      for (const child of batch) {
        await visit(child);
        if (files.stopped) return;
      }
    }
  };
  for (const entry of entries) if (!files.stopped) await visit(entry);
  return files;
}

/** What a folder walk's `stopped` means, for the page's message (null when it read everything). */
export function walkNote(stopped) {
  if (stopped === 'images') return `stopped reading the folder at ${MAX_IMAGES.toLocaleString('en')} images`;
  if (stopped === 'entries') return `stopped reading the folders after ${MAX_DROP_ENTRIES.toLocaleString('en')} files and folders`;
  return null;
}

/** The first `shown` refused files, each with why: "a.png: reason; b.gif: reason; and 3 more". */
export function refusals(names, reasons, shown = 3) {
  const listed = names.slice(0, shown).map((name, i) => `${name}: ${reasons[i]}`);
  return listed.join('; ') + (names.length > shown ? `; and ${names.length - shown} more` : '');
}

/** Why `file` is not decoded (its bytes, its header's size, the set's total), or null. */
async function refusal(file, setBytes) {
  if (file.size > MAX_FILE_BYTES) return `${megabytes(file.size)}, over the ${megabytes(MAX_FILE_BYTES)} limit for one file`;
  let size;
  try {
    size = await readImageSize(async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()), file.size);
  } catch (e) {
    return `could not be read (${e.name ?? e})`;
  }
  if (size.reason) return size.reason;
  if (size.width * size.height > MAX_PIXELS) return `${size.width} × ${size.height} pixels, over the ${MAX_PIXELS / 1e6}-megapixel limit`;
  if (setBytes + file.size > MAX_SET_BYTES) return `over the ${MAX_SET_BYTES / 1e9} GB limit for one set of images`;
  return null;
}

/** The dataset file for `files`, with the names of the files left out (`skipped`) and why
 * (`reasons`, in the same order). Throws a message for the user when no file is usable. Colour
 * images (by their mean chroma, or as `colour`: 'auto' | 'grey' | 'rgb' says) are kept in RGB as
 * they are; grey ones are inverted when their background is light. */
export async function imagesToDataset(files, { colour = 'auto' } = {}) {
  const images = [];
  const [skipped, reasons] = [[], []];
  let setBytes = 0;
  // One canvas for every image.
  const context = new OffscreenCanvas(SIDE, SIDE).getContext('2d', { willReadFrequently: true });
  for (const file of [...files].slice(0, MAX_IMAGES)) {
    const refused = await refusal(file, setBytes);
    if (refused) {
      skipped.push(file.name);
      reasons.push(refused);
      continue;
    }
    setBytes += file.size;
    try {
      images.push(await toRgb(file, context));
    } catch {
      skipped.push(file.name);
      reasons.push('this browser could not decode it');
    }
  }
  if (!images.length) {
    throw new Error(`none of the ${skipped.length.toLocaleString('en')} file${skipped.length === 1 ? ' is' : 's is'} usable (${refusals(skipped, reasons)})`);
  }
  const chroma = images.reduce((sum, image) => sum + image.chroma, 0) / images.length;
  const rgb = colour === 'rgb' || (colour === 'auto' && chroma > COLOUR_CHROMA);
  const pixels = images.map((image) => (rgb ? image.planes : toGrey(image.planes)));
  return { bytes: datasetFile(pixels, rgb ? 3 : 1), count: images.length, channels: rgb ? 3 : 1, skipped, reasons, truncated: Math.max(0, files.length - MAX_IMAGES) };
}

// The centre square, resized by the browser's high-quality scaler, as R, G and B planes, with its
// mean chroma.
async function toRgb(file, context) {
  const probe = await createImageBitmap(file);
  const side = Math.min(probe.width, probe.height);
  const [x, y] = [Math.floor((probe.width - side) / 2), Math.floor((probe.height - side) / 2)];
  const bitmap = await createImageBitmap(probe, x, y, side, side, { resizeWidth: SIDE, resizeHeight: SIDE, resizeQuality: 'high' });
  probe.close();
  // Transparent pixels count as white paper.
  context.fillStyle = '#fff';
  context.fillRect(0, 0, SIDE, SIDE);
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, SIDE, SIDE).data;
  const n = SIDE * SIDE;
  const planes = new Uint8Array(3 * n);
  let chroma = 0;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]];
    planes[i] = r;
    planes[n + i] = g;
    planes[2 * n + i] = b;
    chroma += Math.max(r, g, b) - Math.min(r, g, b);
  }
  return { planes, chroma: chroma / n };
}

// Grey levels of RGB planes. A light background (the border brighter than mid-grey on average) is
// inverted so that the strokes are bright on black, as in MNIST: the generator's tanh output and
// the scores expect that look.
function toGrey(planes) {
  const n = SIDE * SIDE;
  const grey = new Uint8Array(n);
  for (let i = 0; i < n; i++) grey[i] = Math.round(0.299 * planes[i] + 0.587 * planes[n + i] + 0.114 * planes[2 * n + i]);
  let border = 0;
  for (let i = 0; i < SIDE; i++) border += grey[i] + grey[(SIDE - 1) * SIDE + i] + grey[i * SIDE] + grey[i * SIDE + SIDE - 1];
  if (border / (4 * SIDE) > 127) for (let i = 0; i < grey.length; i++) grey[i] = 255 - grey[i];
  return grey;
}

/** A dataset file's header: "GDS1", then count, channels, height and width (u32 each). */
export const DATASET_HEADER_BYTES = 20;

function datasetFile(images, channels) {
  const pixels = channels * SIDE * SIDE;
  const bytes = new Uint8Array(DATASET_HEADER_BYTES + images.length * (pixels + 1));
  bytes.set([0x47, 0x44, 0x53, 0x31]); // "GDS1"
  const header = new DataView(bytes.buffer);
  [images.length, channels, SIDE, SIDE].forEach((v, i) => header.setUint32(4 + 4 * i, v, true));
  images.forEach((image, i) => bytes.set(image, DATASET_HEADER_BYTES + i * pixels));
  bytes.fill(255, DATASET_HEADER_BYTES + images.length * pixels);
  return bytes;
}
