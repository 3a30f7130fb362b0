// `npm run build`: everything the page needs (tools, the MNIST asset, the wasm packages in pkg/),
// then dist/: the deployable site alone — index.html, the product's pages, scripts, styles and
// assets under www/, and the two wasm modules — without tests, benches, docs screenshots,
// TypeScript declarations or node_modules. Every URL in it is relative, so it can be published
// on any static host, at its root or under a sub-path.
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWasm, ensureNodeModules, ensureRustTools, root } from './tools.mjs';

export const DIST = join(root, 'dist');
// What the site does not load: the bench pages and their scripts, the docs' screenshots, the
// uncompressed MNIST file (the worker fetches the .gz), wasm-pack's declarations and metadata.
const LEFT_OUT = [/^www\/bench(\/|$)/, /^www\/assets(\/|$)/, /^www\/data\/mnist\.bin$/, /\.d\.ts$/, /^pkg\/(cpu\/|cpu-threads\/)?(package\.json|README\.md|\.gitignore)$/];

/** What `npm start` serves: the tools, the MNIST asset and the wasm modules (each only if stale). */
export async function buildSite() {
  ensureNodeModules();
  ensureRustTools();
  const { buildMnist } = await import('./build-data.mjs');
  buildMnist();
  buildWasm();
}

/** `npm run build`: the site, then dist/. */
export async function buildAll() {
  await buildSite();
  writeDist();
}

/** Copies the built site into dist/ (afresh); returns its files and their total size. */
export function writeDist() {
  rmSync(DIST, { recursive: true, force: true });
  const kept = (path) => !LEFT_OUT.some((pattern) => pattern.test(relative(root, path)));
  for (const top of ['index.html', 'www', 'pkg']) {
    if (!existsSync(join(root, top))) throw new Error(`${top} is missing: build the site first (npm run build)`);
    cpSync(join(root, top), join(DIST, top), { recursive: true, filter: kept });
  }
  const files = [];
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(dir, e.name)) : files.push(join(dir, e.name))));
  walk(DIST);
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  console.log(`dist/: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB — publish it as is, at a site's root or under any path`);
  return { files: files.map((f) => relative(DIST, f)), bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildAll().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
