// The controls of <gan-playground> wired to what they do. A method of the element (mixed into
// its prototype).
import { droppedFiles, isImageFile } from '../images.js';
import { gaussians } from '../latent.js';
import { PRESETS } from '../state.js';

export const wiring = {
  wire() {
    const on = (role, type, fn) => this.$(role).addEventListener(type, fn);
    on('play', 'click', () => (this.progress.running ? this.pause() : this.start()));
    on('step', 'click', () => this.step('both'));
    on('step-d', 'click', () => this.step('d'));
    on('step-g', 'click', () => this.step('g'));
    on('reset', 'click', () => this.reset());
    on('variant', 'change', () => this.reset({ variant: this.$('variant').value }));
    on('dataset', 'change', () => {
      const chosen = this.$('dataset').value;
      // Your images: the select shows the run's data until the files are read.
      this.$('dataset').value = this.state.dataset;
      if (chosen === 'images') this.$('images').click();
      else if (chosen === 'drawing') this.startDrawing();
      else this.reset({ dataset: chosen });
    });
    on('images', 'change', () => {
      this.loadImages(this.$('images').files);
      this.$('images').value = '';
    });
    on('speed', 'change', () => this.setSpeed(this.$('speed').value));
    on('preset', 'change', () => {
      const preset = PRESETS[this.$('preset').value];
      this.$('preset').value = '';
      if (preset) this.reset(structuredClone(preset.values));
    });
    on('save', 'click', () => {
      this.$('save').disabled = true;
      this.send({ type: 'save' });
    });
    on('save-run', 'click', () => {
      this.$('save-run').disabled = true;
      this.send({ type: 'save', whole: true });
    });
    on('load', 'change', () => {
      this.loadFile(this.$('load').files[0]);
      this.$('load').value = '';
    });
    this.addEventListener('dragover', (e) => e.preventDefault());
    this.addEventListener('drop', async (e) => {
      e.preventDefault();
      if (this.$('load').disabled) return;
      // Images (or folders of them) become the training data; a single other file is taken for a
      // weights file.
      const files = await droppedFiles(e.dataTransfer);
      const images = files.filter(isImageFile);
      if (images.length) this.loadImages(images, files.stopped);
      else if (files.length === 1 && !this.$('load').closest('[hidden]')) this.loadFile(files[0]);
    });
    on('copy-link', 'click', async () => {
      try {
        await navigator.clipboard.writeText(location.href);
        this.showMessage('Link copied: it reopens this setup, seed included.');
      } catch {
        this.showMessage(`Copy this link: ${location.href}`);
      }
    });
    on('new-z', 'click', () => {
      const z = gaussians(this.gridSize ?? 64, this.nz, (Math.random() * 2 ** 32) >>> 0).flat();
      this.gridZ = z;
      this.send({ type: 'setLatent', z: new Float32Array(z) });
    });
    on('samples', 'click', (e) => this.clickSample(e));
    on('samples', 'keydown', (e) => this.keySample(e));
    on('samples', 'focus', () => this.showCursor());
    on('samples', 'blur', () => (this.$('tile-cursor').hidden = true));
    this.wireDrawing();
    on('score-now', 'click', () => {
      this.$('score-now').disabled = true;
      this.score();
    });
    on('score-every', 'change', () => this.send({ type: 'score', every: Number(this.$('score-every').value) }));
    on('interp-mode', 'change', () => this.renderLatent());
    on('clear-groups', 'click', () => {
      this.groups = { a: [], b: [], c: [] };
      this.renderLatent();
    });
    if (this.hasAttribute('hash')) {
      this.$('link-row').hidden = false;
      window.addEventListener('hashchange', () => this.applyHash());
    }
  },
};
