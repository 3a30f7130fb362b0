// The controls of <gan-playground> wired to what they do: the element's run (start, reset, …) or
// one of its parts (data, latent, panel).
import { droppedFiles, isImageFile } from '../lib/images.js';
import { PRESETS } from '../lib/state.js';

/** @param {import('../gan-playground.js').GanPlayground} host */
export function wire(host) {
  const on = (role, type, fn) => host.$(role).addEventListener(type, fn);
  on('play', 'click', () => (host.progress.running ? host.pause() : host.start()));
  on('step', 'click', () => host.step('both'));
  on('step-d', 'click', () => host.step('d'));
  on('step-g', 'click', () => host.step('g'));
  on('reset', 'click', () => host.reset());
  on('variant', 'change', () => host.reset({ variant: host.$('variant').value }));
  on('dataset', 'change', () => {
    const chosen = host.$('dataset').value;
    // Your images: the select shows the run's data until the files are read.
    host.$('dataset').value = host.state.dataset;
    if (chosen === 'images') host.$('images').click();
    else if (chosen === 'drawing') host.data.startDrawing();
    else host.reset({ dataset: chosen });
  });
  on('images', 'change', () => {
    host.data.loadImages(host.$('images').files);
    host.$('images').value = '';
  });
  on('speed', 'change', () => host.setSpeed(host.$('speed').value));
  on('preset', 'change', () => {
    const preset = PRESETS[host.$('preset').value];
    host.$('preset').value = '';
    if (preset) host.reset(structuredClone(preset.values));
  });
  on('save', 'click', () => {
    host.$('save').disabled = true;
    host.send({ type: 'save' });
  });
  on('save-run', 'click', () => {
    host.$('save-run').disabled = true;
    host.send({ type: 'save', whole: true });
  });
  on('load', 'change', () => {
    host.data.loadFile(host.$('load').files[0]);
    host.$('load').value = '';
  });
  host.addEventListener('dragover', (e) => e.preventDefault());
  host.addEventListener('drop', async (e) => {
    e.preventDefault();
    if (host.$('load').disabled) return;
    // Images (or folders of them) become the training data; a single other file is taken for a
    // weights file.
    const files = await droppedFiles(e.dataTransfer);
    const images = files.filter(isImageFile);
    if (images.length) host.data.loadImages(images, files.stopped);
    else if (files.length === 1 && !host.$('load').closest('[hidden]')) host.data.loadFile(files[0]);
  });
  on('copy-link', 'click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      host.showMessage('Link copied: it reopens this setup, seed included.');
    } catch {
      host.showMessage(`Copy this link: ${location.href}`);
    }
  });
  on('new-z', 'click', () => host.latent.newGrid());
  on('samples', 'click', (e) => host.latent.clickSample(e));
  on('samples', 'keydown', (e) => host.latent.keySample(e));
  on('samples', 'focus', () => host.latent.showCursor());
  on('samples', 'blur', () => (host.$('tile-cursor').hidden = true));
  host.data.wire();
  on('score-now', 'click', () => {
    host.$('score-now').disabled = true;
    host.score();
  });
  on('score-every', 'change', () => host.send({ type: 'score', every: Number(host.$('score-every').value) }));
  on('interp-mode', 'change', () => host.latent.render());
  on('clear-groups', 'click', () => host.latent.clearGroups());
  if (host.hasAttribute('hash')) {
    host.$('link-row').hidden = false;
    window.addEventListener('hashchange', () => host.panel.applyHash());
  }
}
