// The dev server (scripts/serve.mjs) against hostile requests, on a small site tree made here:
// raw paths and Host headers, as a browser under DNS rebinding or a hand-made request sends them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSP, serve } from '../../scripts/serve.mjs';

const BIG = 64 << 20; // larger than any socket buffers, so that its sending is still under way when it shrinks
let site;
let outside;
let server;
let port;

before(async () => {
  site = mkdtempSync(join(tmpdir(), 'serve-site-'));
  outside = mkdtempSync(join(tmpdir(), 'serve-outside-'));
  const write = (path, text) => {
    mkdirSync(join(site, path, '..'), { recursive: true });
    writeFileSync(join(site, path), text);
  };
  write('index.html', '<!doctype html><title>site</title>');
  write('www/a.js', 'export const a = 1;\n');
  write('www/dir.js/readme.txt', 'a directory named like a script');
  write('pkg/m.wasm', 'wasm');
  write('.git/config', '[core] secret');
  write('.gitignore', 'secret');
  write('Cargo.toml', '[package] secret');
  write('crate/lib.rs', '// secret');
  write('node_modules/@tensorflow/tf.js', 'tf');
  write('node_modules/other/index.js', 'secret');
  writeFileSync(join(outside, 'passwd'), 'secret');
  symlinkSync(outside, join(site, 'www', 'escape'));
  symlinkSync(join(site, 'Cargo.toml'), join(site, 'www', 'cargo.txt'));
  write('www/big.bin', '');
  truncateSync(join(site, 'www', 'big.bin'), BIG); // sparse: no disk used
  server = await serve({ port: 0, dir: site });
  port = server.address().port;
});

after(() => {
  server?.close();
  rmSync(site, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** One request with a raw path and Host header (`host: null` sends none): {status, headers, body}. */
function get(path, { method = 'GET', host = `127.0.0.1:${port}`, to = server, extra = {} } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { ...(host === null ? {} : { Host: host }), ...extra };
    const req = httpRequest({ host: '127.0.0.1', port: to.address().port, method, path, headers, setHost: false, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const refused = async (path, options) => {
  const r = await get(path, options);
  assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
  assert.doesNotMatch(r.body, /secret/);
  assert.match(r.headers['content-type'], /^text\/plain/);
  return r;
};

test('the index is served with the strict headers', async () => {
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.match(r.body, /<title>site/);
  assert.equal(r.headers['content-security-policy'], CSP);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.match(CSP, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.doesNotMatch(CSP, /unsafe-inline/);
});

test('files under www/ and pkg/ are served, a query string ignored', async () => {
  const a = await get('/www/a.js?v=1');
  assert.equal(a.status, 200);
  assert.equal(a.body, 'export const a = 1;\n');
  assert.match(a.headers['content-type'], /^text\/javascript/);
  assert.equal(a.headers['content-security-policy'], CSP);
  assert.equal((await get('/pkg/m.wasm')).headers['content-type'], 'application/wasm');
  assert.equal((await get('/www/a%2Ejs')).status, 200);
});

test('HEAD gives the headers without the body', async () => {
  const r = await get('/www/a.js', { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-length'], '20');
  assert.equal(r.body, '');
});

test('a file asked for again with its validator comes back as a 304 while unchanged', async () => {
  const first = await get('/www/a.js');
  assert.match(first.headers.etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
  const again = await get('/www/a.js', { extra: { 'If-None-Match': first.headers.etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body, '');
  assert.equal(again.headers['content-security-policy'], CSP);
  const other = await get('/www/a.js', { extra: { 'If-None-Match': '"0-0"' } });
  assert.equal(other.status, 200);
  assert.equal(other.body, 'export const a = 1;\n');
});

test('other methods are refused', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const r = await refused('/www/a.js', { method });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
});

test('dotfiles, traversal and files outside the site are refused', async () => {
  for (const path of [
    '/.git/config', '/.gitignore', '/www/../.git/config', '/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd', '/%2egit/config',
    '/www/%2e%2e/Cargo.toml', '/www/..%5c..%5cCargo.toml', '/www\\..\\Cargo.toml', '/www/a.js%00.html', '/www/%E0%A4%A',
    '/Cargo.toml', '/crate/lib.rs', '/node_modules/@tensorflow/tf.js', '/node_modules/other/index.js', '//etc/passwd',
  ]) await refused(path);
});

test('a symlink leading out of its folder is refused', async () => {
  assert.equal((await refused('/www/escape/passwd')).status, 403);
  assert.equal((await refused('/www/cargo.txt')).status, 403);
});

test('a directory named like a file, or a FIFO, is not found and does not stall the server', async (t) => {
  assert.equal((await refused('/www/dir.js')).status, 404);
  try {
    execFileSync('mkfifo', [join(site, 'www', 'pipe.js')]);
  } catch {
    return t.skip('no mkfifo here');
  }
  assert.equal((await refused('/www/pipe.js')).status, 404);
  assert.equal((await get('/www/a.js')).status, 200);
});

test('a request naming another host is refused (DNS rebinding), or naming none', async () => {
  for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `127.0.0.1.evil.example:${port}`]) {
    const r = await refused('/', { host });
    assert.equal(r.status, 421);
    assert.equal(r.headers['content-security-policy'], CSP);
  }
  assert.equal((await refused('/', { host: null })).status, 421);
  assert.equal((await get('/', { host: `localhost:${port}` })).status, 200);
  assert.equal((await get('/', { host: `LocalHost:${port}` })).status, 200);
});

test('a malformed request gets a 400 and the server keeps serving', async () => {
  const reply = await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /www/a.js HTTP/1.1\r\nHost: \x01bad\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 400/);
  assert.equal((await get('/www/a.js')).status, 200);
});

test('a file that shrinks while it is sent ends its response instead of leaving it hanging', { timeout: 20_000 }, async () => {
  // A keep-alive request that reads nothing at first, so that the server is still sending when the file shrinks.
  const received = await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET /www/big.bin HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    socket.pause();
    let bytes = 0;
    let head = '';
    let resumed;
    socket.on('data', (chunk) => {
      if (head.length < 2000) head += chunk.subarray(0, 2000).toString('latin1');
      bytes += chunk.length;
    });
    socket.on('close', () => resolve({ head, bytes, ms: performance.now() - resumed }));
    socket.on('error', reject);
    setTimeout(() => {
      truncateSync(join(site, 'www', 'big.bin'), 0);
      resumed = performance.now();
      socket.resume();
    }, 300);
  });
  assert.match(received.head, /^HTTP\/1\.1 200/);
  assert.match(received.head, new RegExp(`content-length: ${BIG}`, 'i'));
  assert.ok(received.bytes < BIG, `${received.bytes} bytes`);
  // Cut at once, not left open until the keep-alive timeout (5 s) ends it.
  assert.ok(received.ms < 2000, `closed after ${received.ms.toFixed(0)} ms`);
  assert.equal((await get('/www/a.js')).status, 200);
});

test('extra paths are served only when asked for', async () => {
  const bench = await serve({ port: 0, dir: site, extra: ['node_modules/@tensorflow'] });
  try {
    const host = `127.0.0.1:${bench.address().port}`;
    assert.equal((await get('/node_modules/@tensorflow/tf.js', { to: bench, host })).body, 'tf');
    await refused('/node_modules/other/index.js', { to: bench, host });
    await refused('/node_modules/@tensorflow/../other/index.js', { to: bench, host });
  } finally {
    bench.close();
  }
});
