// The dev server: the site's own files (index.html, www/, pkg/) on 127.0.0.1, to this machine's
// browser only, under the same strict headers a deployment should send.
//  - Host must name this server (127.0.0.1, localhost or the bound address, with its port), so a
//    foreign page cannot reach it by rebinding its own name to 127.0.0.1.
//  - Only GET and HEAD; only paths under the allow-list; no segment starting with '.' (.git,
//    dotfiles, '..'), no backslash or NUL; a symlink may not lead out of its allow-list entry.
//  - A file that vanishes, shrinks or fails while it is sent ends that response, not the server.
import { createServer } from 'node:http';
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { root } from './tools.mjs';

/** The Content-Security-Policy of every response; deployments should send the same. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
  "form-action 'none'",
].join('; ');

/** What the page, its worker, the article and the core's bench page load. */
export const SITE = ['index.html', 'www', 'pkg'];

const SECURITY_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Cross-origin isolation: lets the page use SharedArrayBuffer and precise timers.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.bin': 'application/octet-stream', '.gz': 'application/gzip', '.safetensors': 'application/octet-stream', '.ts': 'text/plain',
};

class Refusal extends Error {
  constructor(status, reason) {
    super(reason);
    this.status = status;
  }
}

/** The path segments a request asks for, or a Refusal. Query strings are ignored. */
function segmentsOf(url) {
  if (!url.startsWith('/')) throw new Refusal(400, 'bad request: the target must be a path');
  let path;
  try {
    path = decodeURIComponent(url.replace(/[?#].*$/s, ''));
  } catch {
    throw new Refusal(400, 'bad request: malformed percent-encoding');
  }
  if (/[\\\0]/.test(path)) throw new Refusal(400, 'bad request: backslash or NUL in the path');
  const segments = path.split('/').slice(1);
  if (segments.at(-1) === '') segments.pop(); // a trailing slash names a directory
  if (segments.some((s) => s.startsWith('.'))) throw new Refusal(403, 'forbidden: dot segments and dotfiles are not served');
  if (segments.some((s) => s === '' || s.includes(':'))) throw new Refusal(404, 'not found');
  return segments.length ? segments : ['index.html'];
}

const within = (outer, inner) => inner === outer || inner.startsWith(outer + sep);

/** The allow-list entry (as segments) that `segments` lies under, if any. */
const entryOf = (allowed, segments) => allowed.find((entry) => entry.every((s, i) => segments[i] === s));

const hostsOf = (host, port) => {
  const names = new Set(['127.0.0.1', 'localhost']);
  if (!['0.0.0.0', '::'].includes(host)) names.add(host.includes(':') ? `[${host}]` : host);
  return new Set([...names].map((n) => `${n}:${port}`));
};

/**
 * Serves `dir` (the checkout by default) on `host:port`. `extra`: further paths relative to `dir`
 * to serve besides SITE, e.g. ['node_modules/@tensorflow'] for the TF.js bench page; `csp`: a
 * policy in place of CSP, for a page that needs more (the bench's TF.js workers); `prefix`: the
 * path the site is served under ('/games/gan/': a site published in a folder of another);
 * `isolated`: whether the page is cross-origin isolated (COOP and COEP; wasm threads need it).
 */
export function serve({ port = 8080, host = '127.0.0.1', dir = root, extra = [], csp = CSP, prefix = '/', isolated = true } = {}) {
  const base = resolve(dir);
  const allowed = [...SITE, ...extra].map((p) => p.split('/').filter(Boolean));
  const strict = { ...SECURITY_HEADERS, 'Content-Security-Policy': csp };
  // A host that does not isolate the page (as most embedding pages): no wasm threads there.
  if (!isolated) for (const name of ['Cross-Origin-Opener-Policy', 'Cross-Origin-Embedder-Policy']) delete strict[name];
  let hosts = new Set();

  const refuse = (res, status, reason, headers = {}) => {
    res.writeHead(status, { ...strict, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    res.end(`${reason}\n`);
  };

  // The open file for `segments`, a directory's index.html in its place; only a regular file
  // inside the real path of its allow-list entry. O_NONBLOCK: opening a FIFO must not wait for a writer.
  async function openFile(segments, entry) {
    const [top, boundary, file] = await Promise.all([base, join(base, ...entry), join(base, ...segments)].map((p) => realpath(p).catch(() => null)));
    if (!top || !boundary || !file) throw new Refusal(404, 'not found');
    if (!within(top, boundary) || !within(boundary, file)) throw new Refusal(403, 'forbidden: a link out of the site');
    const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch(() => null);
    if (!handle) throw new Refusal(404, 'not found');
    const stat = await handle.stat().catch(() => null);
    // A validator, so that a file asked for again (a second figure's weights, a reload) comes back
    // as a 304 while it is unchanged: the size and the modification time.
    if (stat?.isFile()) return { handle, file, size: stat.size, etag: `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"` };
    await handle.close().catch(() => {});
    if (stat?.isDirectory() && segments.at(-1) !== 'index.html') return openFile([...segments, 'index.html'], entry);
    throw new Refusal(404, 'not found');
  }

  // Sends exactly `size` bytes or cuts the connection: a short body with a longer
  // Content-Length would leave the browser waiting.
  function send(req, res, { handle, file, size, etag }) {
    if (res.destroyed) return void handle.close().catch(() => {}); // the client left while the file was opened
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    if (req.headers['if-none-match'] === etag) {
      handle.close().catch(() => {});
      res.writeHead(304, { ...strict, 'Content-Type': type, 'Cache-Control': 'no-cache', ETag: etag });
      return void res.end();
    }
    res.writeHead(200, { ...strict, 'Content-Type': type, 'Content-Length': size, 'Cache-Control': 'no-cache', ETag: etag });
    if (req.method === 'HEAD' || size === 0) {
      handle.close().catch(() => {});
      return void res.end();
    }
    let sent = 0;
    const stream = handle.createReadStream({ start: 0, end: size - 1 });
    stream.on('data', (chunk) => {
      sent += chunk.length;
    });
    stream.on('error', () => res.destroy());
    stream.on('end', () => (sent === size ? res.end() : res.destroy()));
    res.on('close', () => stream.destroy());
    stream.pipe(res, { end: false });
  }

  // requireHostHeader off: a request without Host gets the same plain-text refusal as a foreign one.
  const server = createServer({ requireHostHeader: false }, async (req, res) => {
    try {
      if (!hosts.has(String(req.headers.host).toLowerCase())) return refuse(res, 421, 'misdirected request: this server answers only to 127.0.0.1 and localhost');
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
      if (!String(req.url).startsWith(prefix)) return refuse(res, 404, `not found: the site is under ${prefix}`);
      const segments = segmentsOf(`/${req.url.slice(prefix.length)}`);
      const entry = entryOf(allowed, segments);
      if (!entry) return refuse(res, 404, 'not found: only the site\'s files are served');
      send(req, res, await openFile(segments, entry));
    } catch (e) {
      if (res.headersSent) res.destroy();
      else if (e instanceof Refusal) refuse(res, e.status, e.message);
      else refuse(res, 500, 'internal error');
    }
  });
  // A malformed request gets a 400 instead of an unhandled error.
  server.on('clientError', (e, socket) => {
    if (e.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nbad request\n');
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      hosts = hostsOf(host, server.address().port);
      resolvePromise(server);
    });
  });
}

export const urlOf = (server) => `http://127.0.0.1:${server.address().port}/`;
