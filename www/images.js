// Your own images as a training set: PNG/JPEG (anything this browser decodes) → the centre square
// → 28×28 grey → a dataset file in the core's layout (crate/data/mod.rs: "GDS1", count, channels,
// height, width as little-endian u32, the pixels, then one label byte per image, 255 = none).
// All of it happens in the browser: the images never leave the machine.

export const SIDE = 28;
export const MAX_IMAGES = 10_000;

/** The dataset file for `files`, with the names of the files that are not images. Throws a
 * message for the user when none of them is. */
export async function imagesToDataset(files) {
  const images = [];
  const skipped = [];
  // One canvas for every image.
  const context = new OffscreenCanvas(SIDE, SIDE).getContext('2d', { willReadFrequently: true });
  for (const file of [...files].slice(0, MAX_IMAGES)) {
    try {
      images.push(await toGrey(file, context));
    } catch {
      skipped.push(file.name);
    }
  }
  if (!images.length) {
    const names = skipped.slice(0, 3).join(', ') + (skipped.length > 3 ? ', …' : '');
    throw new Error(`none of the ${skipped.length} file${skipped.length === 1 ? ' is an image' : 's is an image'} this browser can read (${names})`);
  }
  return { bytes: datasetFile(images), count: images.length, skipped, truncated: Math.max(0, files.length - MAX_IMAGES) };
}

// The centre square, resized by the browser's high-quality scaler, as grey levels. A light
// background (the border brighter than mid-grey on average) is inverted so that the strokes are
// bright on black, as in MNIST: the generator's tanh output and the scores expect that look.
async function toGrey(file, context) {
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
  const grey = new Uint8Array(SIDE * SIDE);
  for (let i = 0; i < grey.length; i++) grey[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
  let border = 0;
  for (let i = 0; i < SIDE; i++) border += grey[i] + grey[(SIDE - 1) * SIDE + i] + grey[i * SIDE] + grey[i * SIDE + SIDE - 1];
  if (border / (4 * SIDE) > 127) for (let i = 0; i < grey.length; i++) grey[i] = 255 - grey[i];
  return grey;
}

function datasetFile(images) {
  const pixels = SIDE * SIDE;
  const bytes = new Uint8Array(20 + images.length * (pixels + 1));
  bytes.set([0x47, 0x44, 0x53, 0x31]); // "GDS1"
  const header = new DataView(bytes.buffer);
  [images.length, 1, SIDE, SIDE].forEach((v, i) => header.setUint32(4 + 4 * i, v, true));
  images.forEach((image, i) => bytes.set(image, 20 + i * pixels));
  bytes.fill(255, 20 + images.length * pixels);
  return bytes;
}
