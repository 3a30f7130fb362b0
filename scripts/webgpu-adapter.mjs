// `node scripts/webgpu-adapter.mjs`: which WebGPU adapter headless Chromium gets under each of a
// few flag sets, one JSON line each, then the first set that gives a hardware adapter (what
// `BENCH_CHROMIUM_ARGS` should hold on this machine), or "none". Headless Chromium on Linux
// defaults to SwiftShader; on Vulkan drivers the hardware adapter needs ANGLE on Vulkan.
import { pathToFileURL } from 'node:url';
import { CHROMIUM, CHROMIUM_QUIET } from './tools.mjs';
import { serve, urlOf } from './serve.mjs';

const VULKAN = ['--use-angle=vulkan', '--enable-features=Vulkan', '--disable-vulkan-surface'];
const FLAG_SETS = [
  VULKAN,
  [...VULKAN, '--ignore-gpu-blocklist'],
  [...VULKAN, '--use-webgpu-adapter=default', '--ignore-gpu-blocklist'],
  ['--enable-features=Vulkan', '--ignore-gpu-blocklist'],
  [],
];
// A step that hangs (a driver that never answers) counts as no adapter.
const PER_SET_MS = 35_000;

const describe = async () => {
  const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const { vendor, architecture, description } = adapter.info;
  return { vendor, architecture, description, fallback: adapter.info.isFallbackAdapter };
};

// Each step of a launch against a deadline; the browser is closed (or given up on) whatever happens.
async function adapterUnder(chromium, url, flags) {
  const within = (promise, what) => {
    let timer;
    const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${PER_SET_MS / 1000} s`)), PER_SET_MS); });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  };
  // handleSIGTERM off: a SIGTERM ends the script at once instead of waiting on a hung browser.
  const browser = await chromium.launch({
    executablePath: CHROMIUM, args: [...CHROMIUM_QUIET, '--enable-unsafe-webgpu', ...flags], timeout: PER_SET_MS, handleSIGTERM: false,
  });
  try {
    const page = await browser.newPage();
    // Any page of the site: WebGPU needs a secure context, which 127.0.0.1 is.
    await page.goto(`${url}www/lib/adapter.js`, { timeout: PER_SET_MS });
    return await within(page.evaluate(describe), 'requestAdapter');
  } finally {
    await within(browser.close(), 'closing the browser').catch(() => {});
  }
}

const isHardware = (info) => Boolean(info?.vendor) && !info.fallback && !/swiftshader/i.test(`${info.architecture} ${info.description}`);

/** The first of FLAG_SETS under which Chromium's WebGPU adapter is a hardware one, or null. */
export async function hardwareAdapterFlags({ log = () => {} } = {}) {
  const { chromium } = await import('playwright-core');
  const server = await serve({ port: 0 });
  try {
    for (const flags of FLAG_SETS) {
      const info = await adapterUnder(chromium, urlOf(server), flags).catch((e) => ({ error: String(e.message ?? e).split('\n')[0] }));
      log(JSON.stringify({ flags, adapter: info }));
      if (isHardware(info)) return flags;
    }
    return null;
  } finally {
    server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flags = await hardwareAdapterFlags({ log: console.log });
  console.log(flags ? `hardware adapter with: ${flags.join(' ')}` : 'none of these flag sets gives a hardware adapter');
  process.exit(0);
}
