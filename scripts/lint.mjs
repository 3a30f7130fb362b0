// `npm run lint`: the Rust formatter and linter (warnings are errors), ESLint
// (eslint.config.mjs) and the type checker over www/ (tsconfig.json: JSDoc types, and the wasm
// module's declarations that wasm-pack writes, so the wasm modules are built first), each saying
// what it found. A stage of `npm test`.
import { fileURLToPath } from 'node:url';
import { buildWasm, ensureRustTools, runTee } from './tools.mjs';

export async function lint() {
  await runTee('cargo', ['fmt', '--check']);
  await runTee('cargo', ['clippy', '--release', '--all-targets', '--', '-D', 'warnings']);
  // The bindings and the browser test are compiled for wasm only: lint them as wasm.
  await runTee('cargo', ['clippy', '--release', '--target', 'wasm32-unknown-unknown', '--lib', '--test', 'web', '--', '-D', 'warnings']);
  await runTee('npx', ['--no-install', 'eslint', '--max-warnings', '0', '.']);
  ensureRustTools();
  buildWasm();
  await runTee('npx', ['--no-install', 'tsc', '--noEmit', '-p', 'tsconfig.json']);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  lint().catch((e) => {
    console.error(`npm run lint failed: ${e.message}`);
    process.exit(1);
  });
}
