// `npm test`: every suite, in order of cost.
//  1. native Rust tests on burn's CPU backend (cargo test --release)
//  2. Rust tests in headless Chromium on real WebGPU (wasm-pack test --headless --chrome)
//  3. page tests: playwright-core drives the system Chromium against the built page
import { join } from 'node:path';
import { buildWasm, cargoEnv, ensureNodeModules, ensureRustTools, root, run } from './tools.mjs';
import { buildMnist } from './build-data.mjs';

const started = performance.now();
const stage = (name) => console.log(`\n=== ${name} (${((performance.now() - started) / 1000).toFixed(0)} s) ===`);

try {
  ensureNodeModules();
  ensureRustTools();
  buildMnist();

  stage('native tests (CPU backend)');
  run('cargo', ['test', '--release']);

  stage('browser tests (WebGPU in headless Chromium)');
  run('wasm-pack', ['--log-level', 'warn', 'test', '--headless', '--chrome', '--chromedriver', '/usr/bin/chromedriver', '--release', '--mode', 'no-install', '--', '--test', 'web'], {
    env: {
      ...cargoEnv(),
      // SwiftShader emulates the GPU on the CPU: a step takes seconds, not milliseconds.
      WASM_BINDGEN_TEST_TIMEOUT: process.env.WASM_BINDGEN_TEST_TIMEOUT || '900',
      WASM_BINDGEN_TEST_WEBDRIVER_JSON: join(root, 'webdriver.json'),
    },
  });

  stage('page tests (playwright-core + Chromium)');
  buildWasm();
  run('node', ['--test', '--test-concurrency=1', 'tests/e2e/']);
  stage('all suites passed');
} catch (e) {
  console.error(`\nnpm test failed: ${e.message}`);
  process.exit(1);
}
