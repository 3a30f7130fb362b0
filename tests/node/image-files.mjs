// Image files built byte by byte for the header tests: real PNGs (zlib), and the headers of JPEG,
// GIF, WebP and BMP files, which is all the size reader looks at.
import { once } from 'node:events';
import { createDeflate, deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => (bytes.reduce((c, b) => CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8), 0xffffffff) ^ 0xffffffff) >>> 0;

function pngChunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngOf(width, height, idat) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth; colour type 0 (grey), the rest 0
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A grey PNG whose pixel (x, y) is `grey(x, y)`. */
export function png(width, height, grey = () => 0) {
  const stride = width + 1;
  const rows = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows[y * stride + 1 + x] = grey(x, y);
  return pngOf(width, height, deflateSync(rows));
}

/** An all-black grey PNG of any size, its scanlines deflated as a stream (20000² is 400 MB raw,
 * 389 KB deflated). */
export async function blackPng(width, height) {
  const row = Buffer.alloc(width + 1);
  const deflate = createDeflate({ level: 9 });
  const parts = [];
  deflate.on('data', (part) => parts.push(part));
  for (let y = 0; y < height; y++) if (!deflate.write(row)) await once(deflate, 'drain');
  deflate.end();
  await once(deflate, 'end');
  return pngOf(width, height, Buffer.concat(parts));
}

const segment = (marker, data) => Buffer.concat([Buffer.from([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff]), data]);

/**
 * The segments of a baseline JPEG up to its (stub) scan: JFIF, an EXIF segment of `exifBytes`,
 * `iccSegments` full-size ICC segments, fill bytes, then the frame header (SOF`sof`).
 */
export function jpeg(width, height, { exifBytes = 2000, iccSegments = 0, sof = 0xc0 } = {}) {
  const exif = Buffer.alloc(exifBytes, 0x20);
  exif.write('Exif\0\0MM\0*', 0, 'latin1');
  const parts = [Buffer.from([0xff, 0xd8]), segment(0xe0, Buffer.from('JFIF\0\x01\x02\0\0\x01\0\x01\0\0', 'latin1')), segment(0xe1, exif)];
  for (let i = 0; i < iccSegments; i++) parts.push(segment(0xe2, Buffer.alloc(65533, i)));
  parts.push(segment(0xdb, Buffer.alloc(65, 1))); // a quantisation table
  parts.push(Buffer.from([0xff, 0xff, 0xff])); // fill bytes before a marker
  parts.push(segment(sof, Buffer.from([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0])));
  parts.push(segment(0xc4, Buffer.alloc(29, 0))); // a Huffman table
  parts.push(segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0])), Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56]), Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

/** A GIF89a: a `screen` of [width, height], a global colour table, a graphic control extension,
 * an optional comment of `comment` bytes, then a 1-pixel-deep frame `frame` = [left, top, width, height]. */
export function gif(screen, frame = [0, 0, ...screen], { comment = 0 } = {}) {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(screen[0], 6);
  head.writeUInt16LE(screen[1], 8);
  head[10] = 0x80; // a global colour table of 2 colours
  const parts = [head, Buffer.alloc(6, 0), Buffer.from([0x21, 0xf9, 4, 0, 0, 0, 0, 0])];
  if (comment) {
    parts.push(Buffer.from([0x21, 0xfe]));
    for (let left = comment; left > 0; left -= 255) parts.push(Buffer.from([Math.min(left, 255)]), Buffer.alloc(Math.min(left, 255), 0x41));
    parts.push(Buffer.from([0]));
  }
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  frame.forEach((v, i) => descriptor.writeUInt16LE(v, 1 + 2 * i));
  parts.push(descriptor, Buffer.from([2, 2, 0x4c, 0x01, 0, 0x3b]));
  return Buffer.concat(parts);
}

function riff(chunk, data) {
  const out = Buffer.alloc(20 + data.length);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(12 + data.length, 4);
  out.write('WEBP', 8, 'latin1');
  out.write(chunk, 12, 'latin1');
  out.writeUInt32LE(data.length, 16);
  data.copy(out, 20);
  return out;
}

/** The start of a WebP file of each kind: lossy (VP8), lossless (VP8L) or extended (VP8X). */
export const webp = {
  vp8(width, height, { scale = 0 } = {}) {
    const data = Buffer.alloc(20);
    data[0] = 0x50; // a key frame (bit 0 clear), version 0, shown
    data.set([0x9d, 0x01, 0x2a], 3);
    data.writeUInt16LE(width | (scale << 14), 6);
    data.writeUInt16LE(height | (scale << 14), 8);
    return riff('VP8 ', data);
  },
  vp8l(width, height) {
    const data = Buffer.alloc(10);
    data[0] = 0x2f;
    data.writeUInt32LE(((width - 1) | ((height - 1) << 14)) >>> 0, 1);
    return riff('VP8L', data);
  },
  vp8x(width, height) {
    const data = Buffer.alloc(10);
    data.writeUIntLE(width - 1, 4, 3);
    data.writeUIntLE(height - 1, 7, 3);
    return riff('VP8X', data);
  },
};

/** The start of a BMP with a BITMAPINFOHEADER (40 bytes, or `header` bytes: 108 for V4, 124 for
 * V5); a negative height is a top-down image. With `header` 12, OS/2's BITMAPCOREHEADER. */
export function bmp(width, height, { header = 40 } = {}) {
  const out = Buffer.alloc(14 + header + 16);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(14 + header, 10);
  out.writeUInt32LE(header, 14);
  if (header === 12) {
    out.writeUInt16LE(width, 18);
    out.writeUInt16LE(height, 20);
  } else {
    out.writeInt32LE(width, 18);
    out.writeInt32LE(height, 22);
    out.writeUInt16LE(1, 26);
    out.writeUInt16LE(24, 28);
  }
  return out;
}

/** A reader over `bytes` as the page reads a file (`file.slice(start, end)`), counting what it reads. */
export function reader(bytes) {
  const read = async (start, end) => {
    read.calls += 1;
    read.bytes += Math.max(0, Math.min(end, bytes.length) - start);
    return new Uint8Array(bytes.subarray(start, end));
  };
  return Object.assign(read, { calls: 0, bytes: 0 });
}
