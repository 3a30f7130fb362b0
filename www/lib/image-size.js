// An image's width and height from its header, before anything decodes it: a small file can
// declare 20000 × 20000 pixels, and decoding is what costs memory (4 bytes a pixel). Pure: bytes
// in, `{ format, width, height }` or `{ reason }` out; never throws on any input.

/** The formats sized here; every other one is refused by name rather than decoded unsized. */
export const FORMATS = 'PNG, JPEG, GIF, WebP or BMP';
/** Bytes read from a file's start: every header but a JPEG's lies within them. */
export const HEAD_BYTES = 64 * 1024;
/** A JPEG's frame header may follow megabytes of EXIF, ICC and XMP segments; past this, give up. */
export const JPEG_SCAN_BYTES = 16 * 1024 * 1024;
/** Bytes read at a time while following a JPEG's segments (more than one segment's 64 KB). */
const JPEG_CHUNK_BYTES = 128 * 1024;

const u16be = (b, i) => (b[i] << 8) | b[i + 1];
const u16le = (b, i) => b[i] | (b[i + 1] << 8);
const u24le = (b, i) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32be = (b, i) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const u32le = (b, i) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const i32le = (b, i) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
const ascii = (b, i, n) => String.fromCharCode(...b.subarray(i, i + n));
const startsWith = (b, bytes, at = 0) => bytes.every((v, k) => b[at + k] === v);

const cut = (format) => ({ format, reason: `${format} file cut short before its size` });
const corrupt = (format, why) => ({ format, reason: `corrupt ${format} header (${why})` });
const sized = (format, width, height) =>
  width > 0 && height > 0 ? { format, width, height } : corrupt(format, `${width} × ${height} pixels`);

/**
 * The size of the image whose first bytes are `head` (the whole file, or its first HEAD_BYTES of
 * `fileSize`). A JPEG whose frame header lies beyond `head` gives `{ format: 'JPEG', next }`:
 * read on from byte `next` with `jpegSizeAt`.
 */
export function imageSize(head, fileSize = head.length) {
  const b = head;
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return png(b);
  if (startsWith(b, [0xff, 0xd8, 0xff])) return jpegSizeAt(b, 2, fileSize);
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return gif(b, fileSize);
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return webp(b);
  if (ascii(b, 0, 2) === 'BM') return bmp(b);
  const other = otherFormat(b);
  return { reason: other ? `${other}, which is not read here (only ${FORMATS})` : `not a ${FORMATS} file` };
}

function png(b) {
  // Signature, then the IHDR chunk first: length 13, "IHDR", width, height (big-endian).
  if (b.length < 24) return cut('PNG');
  if (ascii(b, 12, 4) !== 'IHDR') return corrupt('PNG', 'no IHDR chunk first');
  const [width, height] = [u32be(b, 16), u32be(b, 20)];
  if (width > 0x7fffffff || height > 0x7fffffff) return corrupt('PNG', 'size over 2³¹ − 1');
  return sized('PNG', width, height);
}

/** Start-of-frame markers: C0–CF but DHT (C4), JPG (C8) and DAC (CC). */
const isSof = (m) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
/** Markers without a length: TEM, RST0–7, SOI. */
const isStandalone = (m) => m === 0x01 || (m >= 0xd0 && m <= 0xd8);

/**
 * Follows a JPEG's segments in `bytes`, which hold the file from byte `offset` on and start at a
 * marker, to the first start-of-frame header. Gives the size, a reason, or `{ next }`, the byte
 * of the file to read on from when the header lies beyond `bytes`.
 */
export function jpegSizeAt(bytes, start = 0, fileSize = bytes.length, offset = 0) {
  // Bytes up to `needed` lie beyond `bytes`: read on from `resume` (a marker's 0xFF), if the file has them.
  const more = (resume, needed) => (offset + needed > fileSize ? cut('JPEG') : { format: 'JPEG', next: offset + resume });
  let i = start;
  for (;;) {
    if (i >= bytes.length) return more(i, i + 2);
    if (bytes[i] !== 0xff) return corrupt('JPEG', `no marker at byte ${offset + i}`);
    // Any number of 0xFF fill bytes may precede a marker.
    let m = i + 1;
    while (m < bytes.length && bytes[m] === 0xff) m++;
    if (m >= bytes.length) return more(m - 1, m + 1);
    const marker = bytes[m];
    if (isStandalone(marker)) {
      i = m + 1;
      continue;
    }
    if (marker === 0x00) return corrupt('JPEG', `no marker at byte ${offset + i}`);
    if (marker === 0xd9) return corrupt('JPEG', 'it ends before any frame header');
    if (marker === 0xda) return corrupt('JPEG', 'image data before any frame header');
    // A segment: its 2-byte length counts itself; a frame header's data is precision, height, width.
    const end = isSof(marker) ? m + 8 : m + 3;
    if (end > bytes.length) return more(m - 1, end);
    const length = u16be(bytes, m + 1);
    if (length < 2 || (isSof(marker) && length < 8)) return corrupt('JPEG', `segment length ${length} at byte ${offset + m + 1}`);
    if (isSof(marker)) {
      const [height, width] = [u16be(bytes, m + 4), u16be(bytes, m + 6)];
      if (height === 0) return { format: 'JPEG', reason: 'JPEG whose height comes after the image data (DNL), which is not read here' };
      return sized('JPEG', width, height);
    }
    i = m + 1 + length;
  }
}

function gif(b, fileSize) {
  // The logical screen, then the first frame: a frame larger than the screen enlarges the image
  // in browsers, so the size is the union of both.
  if (b.length < 13) return cut('GIF');
  let [width, height] = [u16le(b, 6), u16le(b, 8)];
  let i = 13 + (b[10] & 0x80 ? 3 << ((b[10] & 7) + 1) : 0);
  const beyond = () => (b.length >= fileSize ? cut('GIF') : { format: 'GIF', reason: `GIF with no frame in its first ${b.length >> 10} KB, which is not read here` });
  for (;;) {
    if (i >= b.length) return beyond();
    if (b[i] === 0x2c) {
      if (i + 9 > b.length) return beyond();
      width = Math.max(width, u16le(b, i + 1) + u16le(b, i + 5));
      height = Math.max(height, u16le(b, i + 3) + u16le(b, i + 7));
      return sized('GIF', width, height);
    }
    if (b[i] === 0x3b) return corrupt('GIF', 'no frame');
    if (b[i] !== 0x21) return corrupt('GIF', `unknown block at byte ${i}`);
    // An extension: label, then sub-blocks (a length byte and that many bytes) up to a 0.
    i += 2;
    while (i < b.length && b[i] !== 0) i += b[i] + 1;
    i += 1;
  }
}

function webp(b) {
  if (b.length < 30) return cut('WebP');
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    // A key frame's tag, the start code 9D 01 2A, then 14-bit width and height.
    if (b[20] & 1 || !startsWith(b, [0x9d, 0x01, 0x2a], 23)) return corrupt('WebP', 'no VP8 key frame');
    return sized('WebP', u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    // Signature 0x2F, then width − 1 and height − 1 in 14 bits each.
    if (b[20] !== 0x2f) return corrupt('WebP', 'no VP8L signature');
    const bits = u32le(b, 21);
    return sized('WebP', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  // The extended format: the canvas, width − 1 and height − 1 in 24 bits each.
  if (chunk === 'VP8X') return sized('WebP', u24le(b, 24) + 1, u24le(b, 27) + 1);
  return corrupt('WebP', `unknown first chunk "${chunk.replace(/[^ -~]/g, '?')}"`);
}

function bmp(b) {
  if (b.length < 26) return cut('BMP');
  const header = u32le(b, 14);
  // OS/2's BITMAPCOREHEADER: unsigned 16-bit sizes.
  if (header === 12) return sized('BMP', u16le(b, 18), u16le(b, 20));
  if (header < 16 || header > 256) return corrupt('BMP', `info header of ${header} bytes`);
  // BITMAPINFOHEADER and its successors: signed 32-bit; a negative height is a top-down image.
  return sized('BMP', i32le(b, 18), Math.abs(i32le(b, 22)));
}

/** Formats that are known but not read here, by their signatures. */
function otherFormat(b) {
  if (ascii(b, 4, 4) === 'ftyp') {
    // ISO media (AVIF, HEIF, MP4): the major and compatible brands follow the box's length.
    const end = Math.min(u32be(b, 0), b.length, 256);
    const brands = [];
    for (let i = 8; i + 4 <= end; i += 4) if (i !== 12) brands.push(ascii(b, i, 4));
    if (brands.some((x) => x === 'avif' || x === 'avis')) return 'AVIF';
    if (brands.some((x) => ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'].includes(x))) return 'HEIC/HEIF';
    return 'an ISO media file (MP4, QuickTime, …)';
  }
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (startsWith(b, [0x00, 0x00, 0x01, 0x00]) || startsWith(b, [0x00, 0x00, 0x02, 0x00])) return 'ICO';
  if (startsWith(b, [0xff, 0x0a]) || startsWith(b, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'JPEG XL';
  if (ascii(b, 0, 4) === '%PDF') return 'PDF';
  // SVG is text: an XML prologue, comments or a doctype may come first.
  if (/<svg[\s>]/i.test(ascii(b, 0, Math.min(b.length, 4096)))) return 'SVG';
  return null;
}

/**
 * The size of a file read through `read(start, end)` (resolving to its bytes from `start` up to
 * `end`), `fileSize` bytes long: its head, then, for a JPEG, further slices of it, bounded by
 * JPEG_SCAN_BYTES.
 */
export async function readImageSize(read, fileSize) {
  let found = imageSize(await read(0, Math.min(fileSize, HEAD_BYTES)), fileSize);
  while (found.next !== undefined) {
    const from = found.next;
    if (from >= JPEG_SCAN_BYTES) return { format: 'JPEG', reason: `JPEG with no frame header in its first ${JPEG_SCAN_BYTES >> 20} MB, which is not read here` };
    const bytes = await read(from, Math.min(fileSize, from + JPEG_CHUNK_BYTES));
    found = jpegSizeAt(bytes, 0, fileSize, from);
    // Each slice moves on, short of the file's end (where the scan says "cut short").
    if (found.next !== undefined && found.next <= from) return cut('JPEG');
  }
  return found;
}
