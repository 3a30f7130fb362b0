// `npm test`: every suite, in order of cost. `node scripts/test.mjs <tier>` runs one tier
// (package.json: test:quick, test:native, test:browser, test:reference, test:e2e):
//  quick      node unit tests (tests/node: the dev server, the page's modules that need no
//             browser) and the native Rust tests on burn's CPU backend: no browser, no PyTorch
//  native     the native Rust tests, then the lints (npm run lint)
//  browser    Rust tests in headless Chromium on real WebGPU (wasm-pack test --headless --chrome)
//  reference  PyTorch checks (our checkpoints load strictly into PyTorch and give the same G(z)),
//             and the study on a local Ray cluster
//  e2e        page tests: playwright-core drives the system Chromium against the built page, then
//             puppeteer-core drives Debian's firefox-esr over WebDriver BiDi (no WebGPU there:
//             the CPU module, as Firefox's readers on Linux get it)
//  all        (the default) node tests, native tests and lints, browser, reference, e2e
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASM_PROFILE, buildWasm, cargoEnv, ensureNodeModules, ensureReferencePython, ensureRustTools, root, runTee } from './tools.mjs';
import { buildMnist } from './build-data.mjs';
import { lint } from './lint.mjs';

const started = performance.now();
const counts = { passed: 0, failed: 0 };
// Adds up the summaries of the Rust harness ("test result: ok. 9 passed; 0 failed") and node's ("# pass 4").
function count(output) {
  for (const m of output.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    counts.passed += Number(m[1]);
    counts.failed += Number(m[2]);
  }
  for (const m of output.matchAll(/^# pass (\d+)$/gm)) counts.passed += Number(m[1]);
  for (const m of output.matchAll(/^# fail (\d+)$/gm)) counts.failed += Number(m[1]);
}
// Every `*.test.mjs` of a folder of tests/, so that a new test file needs no line here.
const testFiles = (folder) => readdirSync(join(root, 'tests', folder)).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join('tests', folder, f));
const stage = (name) => console.log(`\n=== ${name} (${((performance.now() - started) / 1000).toFixed(0)} s) ===`);

const TIERS = ['quick', 'native', 'browser', 'reference', 'e2e', 'all'];
const tier = process.argv[2] ?? 'all';
if (!TIERS.includes(tier)) {
  console.error(`unknown test tier "${tier}" (one of ${TIERS.join(', ')})`);
  process.exit(2);
}
const runs = (...tiers) => tier === 'all' || tiers.includes(tier);

try {
  ensureNodeModules();

  // Seconds, and no build needed: first, so that they answer before the long stages start.
  if (runs('quick')) {
    stage('node unit tests');
    count(await runTee('node', ['--test', '--test-reporter=tap', ...testFiles('node')]));
  }

  ensureRustTools();
  buildMnist();

  if (runs('quick', 'native')) {
    stage('native tests (CPU backend)');
    count(await runTee('cargo', ['test', '--release']));
  }

  if (runs('native')) {
    // Formatting and lints fail the run as a failing suite does.
    stage('lints (cargo fmt --check, cargo clippy -D warnings, eslint)');
    await lint();
  }

  if (runs('browser')) {
    stage('browser tests (WebGPU in headless Chromium)');
    count(await runTee('wasm-pack', ['--log-level', 'warn', 'test', '--headless', '--chrome', '--chromedriver', '/usr/bin/chromedriver', '--mode', 'no-install', '--', '--test', 'web', '--profile', WASM_PROFILE], {
      env: {
        ...cargoEnv(),
        // SwiftShader emulates the GPU on the CPU: a step takes seconds, not milliseconds.
        WASM_BINDGEN_TEST_TIMEOUT: process.env.WASM_BINDGEN_TEST_TIMEOUT || '900',
        WASM_BINDGEN_TEST_WEBDRIVER_JSON: join(root, 'webdriver.json'),
      },
    }));
  }

  if (runs('reference')) {
    const python = ensureReferencePython();
    const gan = join(cargoEnv().CARGO_TARGET_DIR, 'release', 'gan');
    if (tier === 'reference') await runTee('cargo', ['build', '--release', '--bin', 'gan']);
    stage('PyTorch checks (our weight files in PyTorch)');
    const work = mkdtempSync(join(tmpdir(), 'gan-torch-'));
    count(await runTee(python, [join(root, 'scripts', 'torch_reference.py'), 'check-load', '--gan', gan, '--data', join(root, 'www', 'data', 'mnist.bin'), '--work', work]));

    stage('the study on Ray: a local cluster, and two simulated nodes sharing no files (the same results as gan study run)');
    count(await runTee(python, [join(root, 'scripts', 'study_ray.py'), 'check', '--gan', gan, '--work', mkdtempSync(join(tmpdir(), 'gan-ray-')), '--data', join(root, 'www', 'data', 'mnist.bin'), '--classifier', join(root, 'www', 'metrics', 'mnist-classifier.safetensors')]));
  }

  if (runs('e2e')) {
    stage('page tests (playwright-core + Chromium)');
    buildWasm();
    // The durability tests move a run to the native trainer and back.
    if (tier === 'e2e') await runTee('cargo', ['build', '--release', '--bin', 'gan']);
    count(await runTee('node', ['--test', '--test-reporter=tap', '--test-concurrency=1', ...testFiles('e2e')]));
    stage('page tests in Firefox (puppeteer-core over WebDriver BiDi, the CPU module)');
    count(await runTee('node', ['--test', '--test-reporter=tap', '--test-concurrency=1', ...testFiles('firefox')]));
  }
  stage('done');
  console.log(`total (${tier}): ${counts.passed} passed, ${counts.failed} failed`);
} catch (e) {
  console.error(`\nnpm test failed: ${e.message}`);
  console.log(`total: ${counts.passed} passed, ${Math.max(1, counts.failed)} failed`);
  process.exit(1);
}
