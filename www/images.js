// Your own images as a training set: PNG/JPEG (anything this browser decodes) → the centre square
// → 28×28 grey or RGB → a dataset file in the core's layout (crate/data/mod.rs: "GDS1", count, channels,
// height, width as little-endian u32, the pixels, then one label byte per image, 255 = none).
// All of it happens in the browser: the images never leave the machine.

export const SIDE = 28;
export const MAX_IMAGES = 10_000;

/** Mean chroma (max − min of R, G, B, 0–255) above which a set of images is taken as colour. */
const COLOUR_CHROMA = 12;

/** The dataset file for `files`, with the names of the files that are not images. Throws a
 * message for the user when none of them is. Colour images (by their mean chroma, or as
 * `colour`: 'auto' | 'grey' | 'rgb' says) are kept in RGB as they are; grey ones are inverted
 * when their background is light. */
export async function imagesToDataset(files, { colour = 'auto' } = {}) {
  const images = [];
  const skipped = [];
  // One canvas for every image.
  const context = new OffscreenCanvas(SIDE, SIDE).getContext('2d', { willReadFrequently: true });
  for (const file of [...files].slice(0, MAX_IMAGES)) {
    try {
      images.push(await toRgb(file, context));
    } catch {
      skipped.push(file.name);
    }
  }
  if (!images.length) {
    const names = skipped.slice(0, 3).join(', ') + (skipped.length > 3 ? ', …' : '');
    throw new Error(`none of the ${skipped.length} file${skipped.length === 1 ? ' is an image' : 's is an image'} this browser can read (${names})`);
  }
  const chroma = images.reduce((sum, image) => sum + image.chroma, 0) / images.length;
  const rgb = colour === 'rgb' || (colour === 'auto' && chroma > COLOUR_CHROMA);
  const pixels = images.map((image) => (rgb ? image.planes : toGrey(image.planes)));
  return { bytes: datasetFile(pixels, rgb ? 3 : 1), count: images.length, channels: rgb ? 3 : 1, skipped, truncated: Math.max(0, files.length - MAX_IMAGES) };
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

function datasetFile(images, channels) {
  const pixels = channels * SIDE * SIDE;
  const bytes = new Uint8Array(20 + images.length * (pixels + 1));
  bytes.set([0x47, 0x44, 0x53, 0x31]); // "GDS1"
  const header = new DataView(bytes.buffer);
  [images.length, channels, SIDE, SIDE].forEach((v, i) => header.setUint32(4 + 4 * i, v, true));
  images.forEach((image, i) => bytes.set(image, 20 + i * pixels));
  bytes.fill(255, 20 + images.length * pixels);
  return bytes;
}
