// The header reader of www/lib/image-size.js: the size of every supported format from its first
// bytes, a named refusal for everything else, and no throw or hang on any input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMATS, HEAD_BYTES, JPEG_SCAN_BYTES, imageSize, readImageSize } from '../../www/lib/image-size.js';
import { blackPng, bmp, gif, jpeg, png, reader, webp } from './image-files.mjs';
import { prng } from './prng.mjs';

const size = (format, width, height) => ({ format, width, height });

test('PNG: the size from IHDR, a 20000 × 20000 bomb read from its first 64 KB', async () => {
  assert.deepEqual(imageSize(png(56, 84)), size('PNG', 56, 84));
  const bomb = await blackPng(20000, 20000);
  assert.ok(bomb.length < 500_000, `${bomb.length} bytes`);
  const read = reader(bomb);
  assert.deepEqual(await readImageSize(read, bomb.length), size('PNG', 20000, 20000));
  assert.deepEqual([read.calls, read.bytes], [1, HEAD_BYTES]);
  const noIhdr = png(4, 4);
  noIhdr.write('gAMA', 12, 'latin1');
  assert.match(imageSize(noIhdr).reason, /corrupt PNG header \(no IHDR chunk first\)/);
  assert.match(imageSize(png(0, 5)).reason, /corrupt PNG header \(0 × 5 pixels\)/);
});

test('JPEG: the first frame header, behind fill bytes and large APPn segments, read in bounded slices', async () => {
  assert.deepEqual(imageSize(jpeg(640, 480)), size('JPEG', 640, 480));
  for (const sof of [0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]) {
    assert.deepEqual(imageSize(jpeg(33, 17, { sof })), size('JPEG', 33, 17), `SOF ${sof.toString(16)}`);
  }
  // DHT, JPG and DAC are no frame headers: the scan runs on into the image data.
  for (const sof of [0xc4, 0xc8, 0xcc]) assert.match(imageSize(jpeg(33, 17, { sof })).reason, /image data before any frame header/);
  assert.match(imageSize(jpeg(33, 0)).reason, /height comes after the image data \(DNL\)/);

  // Eight 64 KB ICC segments put the frame header half a megabyte in.
  const deep = jpeg(8064, 6048, { exifBytes: 65000, iccSegments: 8 });
  const head = imageSize(deep.subarray(0, HEAD_BYTES), deep.length);
  assert.equal(head.format, 'JPEG');
  // The next marker lies beyond the head: reading goes on there.
  assert.ok(head.next > HEAD_BYTES / 2 && deep[head.next] === 0xff, `next ${head.next}`);
  const read = reader(deep);
  assert.deepEqual(await readImageSize(read, deep.length), size('JPEG', 8064, 6048));
  assert.ok(read.calls <= 10, `${read.calls} reads`);

  // Standalone markers (TEM, RSTn) carry no length.
  const standalone = jpeg(5, 7);
  const withRst = Buffer.concat([standalone.subarray(0, 2), Buffer.from([0xff, 0x01, 0xff, 0xd3]), standalone.subarray(2)]);
  assert.deepEqual(imageSize(withRst), size('JPEG', 5, 7));
  assert.match(imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xd9])).reason, /ends before any frame header/);
  assert.match(imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0, 0])).reason, /segment length 1/);
  assert.match(imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0x12])).reason, /no marker at byte 8/);
});

test('JPEG: a scan that finds no frame header stops at the bound, reading a few hundred slices at most', async () => {
  // A virtual file of endless 64 KB APP15 segments, 1 GB long: only what is read exists.
  const fileSize = 2 ** 30;
  const segmentAt = (offset) => (offset < 2 ? [0xff, 0xd8][offset] : [0xff, 0xef, 0xff, 0xff][(offset - 2) % 65537] ?? 0);
  let [calls, bytes] = [0, 0];
  const read = async (start, end) => {
    calls += 1;
    bytes += end - start;
    return Uint8Array.from({ length: end - start }, (_, i) => segmentAt(start + i));
  };
  const found = await readImageSize(read, fileSize);
  assert.match(found.reason, new RegExp(`no frame header in its first ${JPEG_SCAN_BYTES >> 20} MB`));
  assert.ok(calls <= 300 && bytes <= 2 * JPEG_SCAN_BYTES, `${calls} reads, ${bytes} bytes`);
});

test('GIF: the logical screen, enlarged by a larger first frame', () => {
  assert.deepEqual(imageSize(gif([40, 30])), size('GIF', 40, 30));
  assert.deepEqual(imageSize(gif([10, 10], [5, 5, 100, 200])), size('GIF', 105, 205));
  assert.deepEqual(imageSize(gif([65535, 65535], [0, 0, 1, 1])), size('GIF', 65535, 65535));
  assert.deepEqual(imageSize(gif([3, 3], [0, 0, 3, 3], { comment: 1000 })), size('GIF', 3, 3));
  // A frame hidden behind 100 KB of comments is not looked for.
  const far = gif([1, 1], [0, 0, 60000, 60000], { comment: 100_000 });
  assert.match(imageSize(far.subarray(0, HEAD_BYTES), far.length).reason, /GIF with no frame in its first 64 KB/);
  const trailerOnly = Buffer.concat([gif([4, 4]).subarray(0, 19), Buffer.from([0x3b])]);
  assert.match(imageSize(trailerOnly).reason, /corrupt GIF header \(no frame\)/);
});

test('WebP: VP8, VP8L and VP8X', () => {
  assert.deepEqual(imageSize(webp.vp8(300, 200, { scale: 3 })), size('WebP', 300, 200));
  assert.deepEqual(imageSize(webp.vp8l(16384, 1)), size('WebP', 16384, 1));
  assert.deepEqual(imageSize(webp.vp8x(20000, 20000)), size('WebP', 20000, 20000));
  assert.deepEqual(imageSize(webp.vp8x(2 ** 24, 2 ** 24)), size('WebP', 2 ** 24, 2 ** 24));
  const interFrame = webp.vp8(30, 20);
  interFrame[20] |= 1;
  assert.match(imageSize(interFrame).reason, /no VP8 key frame/);
  const odd = webp.vp8x(3, 3);
  odd.write('ALPH', 12, 'latin1');
  assert.match(imageSize(odd).reason, /unknown first chunk "ALPH"/);
});

test('BMP: BITMAPINFOHEADER and its successors, top-down or not, and OS/2 core headers', () => {
  assert.deepEqual(imageSize(bmp(30, 20)), size('BMP', 30, 20));
  assert.deepEqual(imageSize(bmp(30, -20)), size('BMP', 30, 20));
  assert.deepEqual(imageSize(bmp(7000, -8000, { header: 124 })), size('BMP', 7000, 8000));
  assert.deepEqual(imageSize(bmp(640, 480, { header: 12 })), size('BMP', 640, 480));
  assert.deepEqual(imageSize(bmp(1, -(2 ** 31))), size('BMP', 1, 2 ** 31));
  assert.match(imageSize(bmp(-30, 20)).reason, /corrupt BMP header \(-30 × 20 pixels\)/);
});

test('other formats are refused by name, anything else as no supported image', () => {
  const ftyp = (...brands) => {
    const box = Buffer.alloc(8 + 4 * (brands.length + 1));
    box.writeUInt32BE(box.length, 0);
    box.write('ftyp', 4, 'latin1');
    box.write(brands[0], 8, 'latin1');
    brands.slice(1).forEach((b, i) => box.write(b, 16 + 4 * i, 'latin1'));
    return Buffer.concat([box, Buffer.alloc(64)]);
  };
  const named = {
    AVIF: ftyp('avif', 'mif1', 'miaf'),
    'HEIC/HEIF': ftyp('heic', 'mif1'),
    'an ISO media file': ftyp('isom', 'mp41'),
    SVG: Buffer.from('<?xml version="1.0"?>\n<!-- a drawing -->\n<svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999"/>'),
    TIFF: Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]),
    ICO: Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]),
    'JPEG XL': Buffer.from([0xff, 0x0a, 0xfa, 0x7f]),
    PDF: Buffer.from('%PDF-1.7\n'),
  };
  for (const [name, bytes] of Object.entries(named)) {
    const { reason } = imageSize(bytes);
    assert.ok(reason.startsWith(name) && reason.endsWith(`which is not read here (only ${FORMATS})`), reason);
  }
  for (const bytes of [Buffer.from('not a picture'), Buffer.alloc(0), Buffer.from([0x89, 0x50]), Buffer.alloc(1000, 0xff)]) {
    assert.equal(imageSize(bytes).reason, `not a ${FORMATS} file`);
  }
});

test('every prefix of every kind of file gives its size or says it is cut short', async () => {
  const files = [png(9, 7), jpeg(9, 7), gif([9, 7]), webp.vp8(9, 7), webp.vp8l(9, 7), webp.vp8x(9, 7), bmp(9, 7), bmp(9, 7, { header: 12 })];
  for (const file of files) {
    const full = imageSize(file);
    assert.deepEqual([full.width, full.height], [9, 7]);
    for (let n = 0; n < file.length; n++) {
      const prefix = file.subarray(0, n);
      const found = imageSize(prefix);
      if (found.reason) assert.match(found.reason, /cut short|not a PNG|ends before|corrupt GIF header \(no frame\)/, `${full.format}, ${n} bytes: ${found.reason}`);
      else assert.deepEqual(found, full, `${full.format}, ${n} bytes`);
      assert.deepEqual(await readImageSize(reader(prefix), n), found);
    }
  }
});


/** A size, or a refusal with a reason: nothing else, ever. */
function assertAnswer(found, what) {
  if (found.reason !== undefined) {
    assert.equal(typeof found.reason, 'string', what);
    assert.ok(found.reason.length > 0 && found.reason.length < 200, what);
    return;
  }
  assert.ok(['PNG', 'JPEG', 'GIF', 'WebP', 'BMP'].includes(found.format), what);
  for (const v of [found.width, found.height]) assert.ok(Number.isInteger(v) && v > 0 && v <= 2 ** 32, `${what}: ${v}`);
}

test('fuzz: random and mutated headers never throw, never hang, always answer', { timeout: 60_000 }, async () => {
  const random = prng(20240611);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const seeds = [png(9, 7), jpeg(9, 7, { exifBytes: 300 }), gif([9, 7]), webp.vp8(9, 7), webp.vp8l(9, 7), webp.vp8x(9, 7), bmp(9, 7), bmp(9, 7, { header: 12 })];
  const started = performance.now();
  const answers = { sized: 0, refused: 0 };
  for (let n = 0; n < 20_000; n++) {
    let bytes;
    if (n % 4 === 0) {
      bytes = Uint8Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256));
    } else {
      // A valid header with a few bytes changed, inserted or cut off.
      bytes = Uint8Array.from(pick(seeds));
      for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
        const at = Math.floor(random() * bytes.length);
        const op = random();
        if (op < 0.6) bytes[at] = pick([0, 0xff, 0x7f, 0x80, Math.floor(random() * 256)]);
        else if (op < 0.8) bytes = Uint8Array.from([...bytes.subarray(0, at), 0xff, ...bytes.subarray(at)]);
        else bytes = bytes.subarray(0, at);
      }
    }
    const what = `case ${n}: ${Buffer.from(bytes.subarray(0, 48)).toString('hex')}`;
    const found = imageSize(bytes);
    assertAnswer(found, what);
    answers[found.reason === undefined ? 'sized' : 'refused'] += 1;
    // The same bytes as the head of a much longer file: a JPEG asks to read on, then answers.
    const head = imageSize(bytes, bytes.length + 1_000_000);
    if (head.next !== undefined) assert.ok(head.format === 'JPEG' && head.next >= 2, what);
    else assertAnswer(head, what);
    if (n % 10 === 0) {
      assertAnswer(await readImageSize(reader(bytes), bytes.length), what);
      // A file that is shorter than it said (changed while read) still gets an answer.
      assertAnswer(await readImageSize(reader(bytes), bytes.length + 1_000_000), what);
    }
  }
  // Both answers are common: the mutations reach past the signatures into the sizes.
  assert.ok(answers.sized > 2000 && answers.refused > 2000, JSON.stringify(answers));
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds < 30, `${seconds.toFixed(1)} s`);
});
