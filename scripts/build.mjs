// Everything the page needs: tools, the MNIST asset and the wasm package in pkg/.
import { fileURLToPath } from 'node:url';
import { buildWasm, ensureNodeModules, ensureRustTools } from './tools.mjs';

export async function buildAll() {
  ensureNodeModules();
  ensureRustTools();
  const { buildMnist } = await import('./build-data.mjs');
  buildMnist();
  buildWasm();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildAll().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
