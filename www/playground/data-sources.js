// The training data of <gan-playground> beyond MNIST: the user's images, a drawing on the plane, a
// weights file. Methods of the element (mixed into its prototype); nothing is uploaded.
import { drawGrid } from '../grid.js';
import { MAX_IMAGES, imagesToDataset, refusals, walkNote } from '../images.js';
import { gaussians } from '../latent.js';
import { drawPlane, fromCanvas, pointsToDataset } from '../plane.js';

const MIN_DRAWN_POINTS = 20; // a drawing trains once it has this many points
const MAX_DRAWN_POINTS = 5000;

export const dataSources = {
  // The user's images as this run's data (read here, in the page; nothing is uploaded).
  // `stopped`: why a dropped folder was not read to its end (droppedFiles), said with the rest.
  async loadImages(files, stopped = files?.stopped) {
    if (!files?.length) return;
    this.showMessage(`Reading ${files.length} image${files.length === 1 ? '' : 's'}…`);
    try {
      const { bytes, count, channels, skipped, reasons, truncated } = await imagesToDataset(files);
      // What the generator will learn from: the first 16, at 28×28.
      const shown = Math.min(count, 16);
      const preview = Float32Array.from(bytes.subarray(20, 20 + shown * channels * 784), (v) => v / 127.5 - 1);
      drawGrid(this.$('your-images'), preview, [shown, channels, 28, 28]);
      this.send({ type: 'data', dataset: 'images', bytes }, [bytes.buffer]);
      const notes = [
        skipped.length && `${skipped.length} file${skipped.length === 1 ? '' : 's'} left out (${refusals(skipped, reasons)})`,
        truncated && `only the first ${MAX_IMAGES.toLocaleString('en')} are used`,
        walkNote(stopped),
      ].filter(Boolean);
      const look = channels === 3 ? 'in colour (RGB; the FID-style scores, made for grey digits, are off for colour)' : 'in grey (light backgrounds inverted)';
      this.showMessage(`Training data: your ${count} image${count === 1 ? '' : 's'}, the centre square of each at 28×28 ${look}.${notes.length ? ` ${notes.join('; ')}.` : ''} They stay in this browser.`, 'note');
    } catch (e) {
      const cut = walkNote(stopped);
      this.showMessage(`Your images could not be used: ${e.message}${cut ? `; ${cut}` : ''}. The run is unchanged.`, 'error');
    }
  },

  // "Draw your own": the plane takes the pointer; the points become a dataset file once asked.
  startDrawing() {
    this.drawing ??= [];
    this.drawMode = true;
    this.renderMode();
    this.drawDrawing();
    this.showMessage(`Drag on the plane to draw where the data should be (at least ${MIN_DRAWN_POINTS} points), then press "Train on this drawing".`, 'note');
  },

  wireDrawing() {
    const plane = this.$('plane');
    let down = false;
    const add = (e) => {
      const rect = plane.getBoundingClientRect();
      const [x, y] = fromCanvas(plane, ((e.clientX - rect.left) * plane.width) / rect.width, ((e.clientY - rect.top) * plane.height) / rect.height);
      // A brush: a few points scattered around the pointer, as a spray can.
      for (let k = 0; k < 3 && this.drawing.length < 2 * MAX_DRAWN_POINTS; k++) {
        const [dx, dy] = gaussians(1, 2, (Math.random() * 2 ** 32) >>> 0)[0];
        this.drawing.push(Math.max(-1, Math.min(1, x + 0.03 * dx)), Math.max(-1, Math.min(1, y + 0.03 * dy)));
      }
      this.drawDrawing();
    };
    plane.addEventListener('pointerdown', (e) => {
      if (!this.drawMode) return;
      down = true;
      plane.setPointerCapture?.(e.pointerId);
      add(e);
    });
    plane.addEventListener('pointermove', (e) => down && this.drawMode && add(e));
    plane.addEventListener('pointerup', () => (down = false));
    this.$('clear-drawing').addEventListener('click', () => {
      this.drawing = [];
      this.drawDrawing();
    });
    this.$('use-drawing').addEventListener('click', () => {
      const bytes = pointsToDataset(this.drawing);
      this.drawMode = false;
      this.send({ type: 'data', dataset: 'drawing', bytes }, [bytes.buffer]);
      this.showMessage(`Training data: your drawing, ${this.drawing.length / 2} points. It stays in this browser.`, 'note');
    });
  },

  drawDrawing() {
    drawPlane(this.$('plane'), { drawn: this.drawing });
    this.$('use-drawing').disabled = this.drawing.length / 2 < MIN_DRAWN_POINTS;
    this.$('plane').dataset.drawn = this.drawing.length / 2;
  },

  // Images or points: which views the run's data has.
  renderMode() {
    const points = this.settings.isPoints(this.state.dataset) || this.drawMode;
    const userHidden = (part) => this.hiddenParts.has(part);
    this.$('samples').hidden = points;
    this.$('plane').hidden = !points;
    this.$('plane-legend').hidden = !points || this.drawMode;
    this.$('plane-scale').hidden = !points || this.drawMode;
    if (!points || this.drawMode) this.$('coverage').hidden = true;
    this.$('draw-tools').hidden = !this.drawMode;
    this.$('plane').classList.toggle('drawing', !!this.drawMode);
    this.$('samples-title').textContent = this.drawMode ? 'Draw the data' : points ? 'The plane' : 'Samples from a fixed z';
    // The scores' classifier reads grey digits: no scores for points or colour images.
    const off = { latent: points, 'latent-tools': points, scores: points || this.channels === 3 };
    for (const part of Object.keys(off)) {
      for (const el of this.shadowRoot.querySelectorAll(`[data-part="${part}"]`)) el.hidden = userHidden(part) || (part === 'latent-tools' && userHidden('latent')) || off[part];
    }
  },

  loadFile(file) {
    if (!file) return;
    // The worker checks the file's size and header before it reads the rest (a File is a handle:
    // nothing is read here).
    this.showMessage(`Loading ${file.name}…`);
    this.send({ type: 'load', file, name: file.name });
  },
};
