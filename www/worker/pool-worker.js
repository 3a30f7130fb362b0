// One thread of the threaded CPU module's pool (www/lib/pool.js): the module, instantiated on
// the shared memory it is sent, then one of rayon's threads until the page closes.
self.onmessage = async ({ data: { coreUrl, module, memory } }) => {
  let core;
  try {
    core = await import(coreUrl);
    await core.default({ module_or_path: module, memory });
  } catch (e) {
    postMessage({ error: `a pool worker could not load the module (${e?.message ?? e})` });
    return;
  }
  postMessage({ ready: true });
  core.runPoolThread();
};
