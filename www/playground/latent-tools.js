// The latent-space tools of <gan-playground>: pinned samples, interpolation between two pins and
// vector arithmetic on z. This part owns the grid's latent vectors, the pins and the groups; it
// asks the element's run for samples (send) and draws them.
import { drawGrid } from '../lib/grid.js';
import { arithmetic, gaussians, interpolate, mean } from '../lib/latent.js';

const INTERPOLATION_FRAMES = 8;

export class LatentTools {
  /** @param {import('../gan-playground.js').GanPlayground} host */
  constructor(host) {
    this.host = host;
    this.$ = host.$;
    /** @type {number[][]} pinned latent vectors, oldest first (at most 8) */
    this.pins = [];
    /** @type {{a: number[][], b: number[][], c: number[][]}} */
    this.groups = { a: [], b: [], c: [] };
    /** @type {number[] | null} the grid's latent vectors, one after another */
    this.gridZ = null;
    this.gridSize = 0;
    this.nz = 100;
    /** @type {number | undefined} the keyboard cursor's tile */
    this.cursor = undefined;
    this.layout = null;
    this.latentAt = 0;
    this.latentTag = 0;
  }

  hidden() {
    return /** @type {HTMLElement} */ (this.host.shadowRoot.querySelector('[data-part="latent"]')).hidden;
  }

  /** The grid's latent vectors, as the run reports them after each config. */
  setGrid(z, nz) {
    this.gridZ = Array.from(z);
    this.nz = nz;
    this.gridSize = z.length / nz;
  }

  /** New random latent vectors for the grid. */
  newGrid() {
    const z = gaussians(this.gridSize || 64, this.nz, (Math.random() * 2 ** 32) >>> 0).flat();
    this.gridZ = z;
    this.host.send({ type: 'setLatent', z: new Float32Array(z) });
  }

  /** A new run: its latent space is another, so pins and groups go. */
  clear() {
    this.pins = [];
    this.clearGroups();
  }

  clearGroups() {
    this.groups = { a: [], b: [], c: [] };
    this.render();
  }

  /** The samples of a 'generate' this part asked for (older answers are dropped). */
  generated(msg) {
    if (msg.tag === this.latentTag) this.draw(msg.samples, msg.shape);
  }

  clickSample(e) {
    if (!this.gridZ || this.hidden()) return;
    const canvas = this.$('samples');
    const rect = canvas.getBoundingClientRect();
    const tile = this.host.schema.imageSide + 1; // the image and a 1-pixel gap
    const x = Math.floor(((e.clientX - rect.left) / rect.width) * canvas.width / tile);
    const y = Math.floor(((e.clientY - rect.top) / rect.height) * canvas.height / tile);
    const k = y * 8 + x;
    if (x < 0 || x >= 8 || k >= this.gridSize) return;
    this.pickSample(k);
  }

  /** From the keyboard: the arrow keys move a cursor over the grid, Enter or Space picks its sample. */
  keySample(e) {
    if (!this.gridZ || this.hidden()) return;
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -8, ArrowDown: 8 };
    const at = this.cursor ?? 0;
    if (e.key in moves) this.cursor = Math.min(this.gridSize - 1, Math.max(0, at + (this.cursor === undefined ? 0 : moves[e.key])));
    else if (e.key === 'Enter' || e.key === ' ') this.pickSample(at);
    else return;
    e.preventDefault();
    this.showCursor();
  }

  /** The keyboard cursor: an outline over its tile, and its place in the canvas's label. */
  showCursor() {
    const canvas = this.$('samples');
    const box = this.$('tile-cursor');
    const k = this.cursor;
    box.hidden = k === undefined || this.host.shadowRoot.activeElement !== canvas;
    if (k === undefined) return;
    const scale = canvas.clientWidth / canvas.width;
    const [x, y] = [k % 8, Math.floor(k / 8)];
    const tile = this.host.schema.imageSide + 1;
    Object.assign(box.style, { left: `${canvas.offsetLeft + x * tile * scale}px`, top: `${canvas.offsetTop + y * tile * scale}px`, width: `${(tile + 1) * scale}px`, height: `${(tile + 1) * scale}px` });
    const mode = this.$('click-mode').selectedOptions[0]?.text ?? 'pin it';
    canvas.setAttribute('aria-label', `Grid of generated samples; sample ${k + 1} of ${this.gridSize} (row ${y + 1}, column ${x + 1}): Enter to ${mode}`);
  }

  /** Pins the grid's k-th sample, or adds it to a group, as the click mode says. */
  pickSample(k) {
    const z = this.gridZ.slice(k * this.nz, (k + 1) * this.nz);
    const mode = this.$('click-mode').value;
    if (mode === 'pin') {
      this.pins.push(z);
      if (this.pins.length > 8) this.pins.shift();
    } else {
      this.groups[mode].push(z);
    }
    this.render();
  }

  /** After new samples: the latent views follow the generator, at most every 1.5 s. */
  refreshSoon() {
    if (performance.now() - this.latentAt < 1500) return;
    this.render();
  }

  // One generate call for every latent view: pins, interpolation frames, the group means and a − b + c.
  render() {
    if (this.hidden()) return;
    const zs = [...this.pins];
    this.layout = { pins: [0, this.pins.length] };
    if (this.pins.length >= 2) {
      const frames = interpolate(this.pins[0], this.pins[1], INTERPOLATION_FRAMES, this.$('interp-mode').value === 'slerp');
      this.layout.interp = [zs.length, zs.length + frames.length];
      zs.push(...frames);
    }
    const { a, b, c } = this.groups;
    const means = [a, b, c].map((g) => (g.length ? mean(g) : null));
    if (means.some(Boolean)) {
      this.layout.arith = [zs.length, means.map((m) => (m ? zs.push(m) - 1 : -1))];
      if (means.every(Boolean)) this.layout.result = zs.push(arithmetic(...means)) - 1;
    }
    if (!zs.length) {
      this.draw(new Float32Array(0), [0, 1, this.host.schema.imageSide, this.host.schema.imageSide]);
      return;
    }
    this.latentAt = performance.now();
    this.latentTag += 1;
    this.host.send({ type: 'generate', z: new Float32Array(zs.flat()), tag: this.latentTag });
  }

  draw(samples, shape) {
    const per = shape[1] * shape[2] * shape[3];
    const pick = (from, to) => samples.subarray(from * per, to * per);
    const pinBox = this.$('pins');
    if (!this.pins.length) pinBox.innerHTML = '<p class="hint">Click samples in the grid to pin them.</p>';
    else {
      const canvas = pinBox.querySelector('canvas') ?? pinBox.appendChild(document.createElement('canvas'));
      pinBox.querySelector('.hint')?.remove();
      canvas.className = 'strip-canvas';
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `${this.pins.length} pinned samples`);
      drawGrid(canvas, pick(...this.layout.pins), [this.pins.length, ...shape.slice(1)], this.pins.length);
    }
    const interp = this.$('interpolation');
    interp.hidden = !this.layout.interp;
    if (this.layout.interp) drawGrid(interp, pick(...this.layout.interp), [INTERPOLATION_FRAMES, ...shape.slice(1)], INTERPOLATION_FRAMES);
    const arith = this.$('arith');
    if (!this.layout.arith) {
      arith.innerHTML = '<p class="hint">Choose "add it to a" above, click samples, then b and c.</p>';
      return;
    }
    const [, slots] = this.layout.arith;
    const cells = [...'abc'].map((g, i) => [`mean ${g} (${this.groups[g].length})`, slots[i]]);
    cells.push(['a − b + c', this.layout.result ?? -1]);
    arith.replaceChildren(...cells.map(([label, slot], i) => {
      const fig = document.createElement('figure');
      const canvas = document.createElement('canvas');
      canvas.className = 'tile';
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', label);
      canvas.dataset.slot = String(i);
      if (slot >= 0) drawGrid(canvas, pick(slot, slot + 1), [1, ...shape.slice(1)], 1);
      fig.append(canvas, Object.assign(document.createElement('figcaption'), { textContent: label }));
      return fig;
    }));
  }
}
