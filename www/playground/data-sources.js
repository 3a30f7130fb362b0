// The training data of <gan-playground> beyond MNIST: the user's images, a drawing on the plane, a
// weights file; nothing is uploaded. This part owns the drawing and whether the plane takes the
// pointer (drawMode), and which views the run's data has.
import { drawGrid } from '../lib/grid.js';
import { DATASET_HEADER_BYTES, MAX_IMAGES, imagesToDataset, refusals, walkNote } from '../lib/images.js';
import { gaussians } from '../lib/latent.js';
import { drawPlane, fromCanvas, pointsToDataset } from '../lib/plane.js';

const MIN_DRAWN_POINTS = 20; // a drawing trains once it has this many points
const MAX_DRAWN_POINTS = 5000;

export class DataSources {
  /** @param {import('../gan-playground.js').GanPlayground} host */
  constructor(host) {
    this.host = host;
    this.$ = host.$;
    /** @type {number[]} the drawn points, x and y after each other */
    this.drawing = [];
    this.drawMode = false;
  }

  // The user's images as this run's data (read here, in the page; nothing is uploaded).
  // `stopped`: why a dropped folder was not read to its end (droppedFiles), said with the rest.
  async loadImages(files, stopped = files?.stopped) {
    if (!files?.length) return;
    this.host.showMessage(`Reading ${files.length} image${files.length === 1 ? '' : 's'}…`);
    try {
      const { bytes, count, channels, skipped, reasons, truncated } = await imagesToDataset(files);
      // What the generator will learn from: the first 16, at the core's size.
      const side = this.host.schema.imageSide;
      const shown = Math.min(count, 16);
      const preview = Float32Array.from(bytes.subarray(DATASET_HEADER_BYTES, DATASET_HEADER_BYTES + shown * channels * side * side), (v) => v / 127.5 - 1);
      drawGrid(this.$('your-images'), preview, [shown, channels, side, side]);
      this.host.send({ type: 'data', dataset: 'images', bytes }, [bytes.buffer]);
      const notes = [
        skipped.length && `${skipped.length} file${skipped.length === 1 ? '' : 's'} left out (${refusals(skipped, reasons)})`,
        truncated && `only the first ${MAX_IMAGES.toLocaleString('en')} are used`,
        walkNote(stopped),
      ].filter(Boolean);
      const look = channels === 3 ? 'in colour (RGB; the FID-style scores, made for grey digits, are off for colour)' : 'in grey (light backgrounds inverted)';
      this.host.showMessage(`Training data: your ${count} image${count === 1 ? '' : 's'}, the centre square of each at ${side}×${side} ${look}.${notes.length ? ` ${notes.join('; ')}.` : ''} They stay in this browser.`, 'note');
    } catch (e) {
      const cut = walkNote(stopped);
      this.host.showMessage(`Your images could not be used: ${e.message}${cut ? `; ${cut}` : ''}. The run is unchanged.`, 'error');
    }
  }

  // "Draw your own": the plane takes the pointer; the points become a dataset file once asked.
  startDrawing() {
    this.drawMode = true;
    this.render();
    this.drawDrawing();
    this.host.showMessage(`Drag on the plane to draw where the data should be (at least ${MIN_DRAWN_POINTS} points), then press "Train on this drawing".`, 'note');
  }

  wire() {
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
      this.host.send({ type: 'data', dataset: 'drawing', bytes }, [bytes.buffer]);
      this.host.showMessage(`Training data: your drawing, ${this.drawing.length / 2} points. It stays in this browser.`, 'note');
    });
  }

  drawDrawing() {
    drawPlane(this.$('plane'), { drawn: this.drawing });
    this.$('use-drawing').disabled = this.drawing.length / 2 < MIN_DRAWN_POINTS;
    this.$('plane').dataset.drawn = this.drawing.length / 2;
  }

  /** The views of a run's data, after its config: a run on other data ends a drawing. */
  follow(state) {
    if (state.dataset === 'drawing' || !this.host.settings.isPoints(state.dataset)) this.drawMode = false;
    this.render();
  }

  // Images or points: which views the run's data has.
  render() {
    const points = this.host.settings.isPoints(this.host.state.dataset) || this.drawMode;
    const userHidden = (part) => this.host.hiddenParts.has(part);
    this.$('samples').hidden = points;
    this.$('plane').hidden = !points;
    this.$('plane-legend').hidden = !points || this.drawMode;
    this.$('plane-scale').hidden = !points || this.drawMode;
    if (!points || this.drawMode) this.$('coverage').hidden = true;
    this.$('draw-tools').hidden = !this.drawMode;
    this.$('plane').classList.toggle('drawing', !!this.drawMode);
    this.$('samples-title').textContent = this.drawMode ? 'Draw the data' : points ? 'The plane' : 'Samples from a fixed z';
    // The scores' classifier reads grey digits: no scores for points or colour images.
    const off = { latent: points, 'latent-tools': points, scores: points || this.host.channels === 3 };
    for (const part of Object.keys(off)) {
      for (const el of this.host.shadowRoot.querySelectorAll(`[data-part="${part}"]`)) /** @type {HTMLElement} */ (el).hidden = userHidden(part) || (part === 'latent-tools' && userHidden('latent')) || off[part];
    }
  }

  loadFile(file) {
    if (!file) return;
    // The worker checks the file's size and header before it reads the rest (a File is a handle:
    // nothing is read here).
    this.host.showMessage(`Loading ${file.name}…`);
    this.host.send({ type: 'load', file, name: file.name });
  }
}
