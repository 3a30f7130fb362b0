// The playground element's markup (its shadow root) and the names its parts and speeds go by.

const STYLESHEET = new URL('../playground.css', import.meta.url);
export const PARTS = ['bar', 'settings', 'samples', 'charts', 'scores', 'histogram', 'latent', 'files', 'status'];
export const HIDDEN_BY_CONTROLS = { full: [], minimal: ['settings', 'latent', 'files', 'step-buttons', 'scores'], none: ['bar', 'settings', 'latent', 'files', 'scores'] };
export const SPEEDS = { max: 'Max', 30: '30 steps/s', 10: '10 steps/s', 3: '3 steps/s', 1: '1 step/s' };


export const TEMPLATE = `
<link rel="stylesheet" href="${STYLESHEET}">
<div class="gp">
  <div class="bar" data-part="bar">
    <select data-role="variant" aria-label="GAN variant" disabled></select>
    <button data-role="play" class="primary" disabled>Play</button>
    <span data-part="step-buttons">
      <button data-role="step-d" disabled title="One critic (D) step">Step D</button>
      <button data-role="step-g" disabled title="One generator step">Step G</button>
      <button data-role="step" disabled title="One iteration: n_critic D steps, then a G step">Step</button>
    </span>
    <button data-role="reset" disabled>Reset</button>
    <label class="inline">Speed <select data-role="speed"></select></label>
    <div class="knobs" data-role="knobs"></div>
  </div>
  <div data-part="status"><div class="row offer" data-role="offer" role="status" hidden><span data-role="offer-text"></span><button data-role="resume" class="primary">Resume</button><button data-role="fresh">Start fresh</button><a data-role="runs-link">Saved runs</a></div></div>
  <div class="body">
    <section class="settings" data-part="settings">
      <label class="field wide">Data <select data-role="dataset" disabled></select></label>
      <input type="file" data-role="images" accept="image/*" multiple hidden>
      <canvas role="img" class="strip-canvas" data-role="your-images" hidden aria-label="The first of your images, as the generator sees them"></canvas>
      <label class="field wide">Preset <select data-role="preset"><option value="">Choose…</option></select></label>
      <p class="schedule" data-role="schedule"></p>
      <div class="fields" data-role="fields"></div>
      <div class="row" data-part="files">
        <button data-role="save" disabled title="G, the critic and the run's settings as one .safetensors file">Download weights</button>
        <button data-role="save-run" disabled title="The whole run (weights, optimiser state, data order, charts) to resume elsewhere: Load weights here, or gan train --resume">Download run</button>
        <label class="button">Load weights…<input type="file" data-role="load" accept=".safetensors" hidden disabled></label>
      </div>
      <div class="row" data-role="link-row" hidden><button data-role="copy-link">Copy link</button></div>
      <p class="backend">Backend: <span data-role="backend">starting…</span></p>
      <p class="backend" data-role="saved" hidden></p>
    </section>
    <section class="samples" data-part="samples">
      <h3 data-role="samples-title">Samples from a fixed z</h3>
      <canvas role="img" data-role="samples" class="grid" width="233" height="233" aria-label="Grid of generated samples"></canvas>
      <div class="tile-cursor" data-role="tile-cursor" hidden></div>
      <canvas role="img" data-role="plane" class="plane" width="320" height="320" hidden aria-label="The plane: real and generated points, the critic's opinion and the generator's warped latent grid"></canvas>
      <p class="legend" data-role="plane-legend" hidden><span class="swatch real"></span>real <span class="swatch fake"></span>generated; lines: the grid of z as G bends it; arrows: where G's loss moves each generated point; background: D's opinion, <span class="swatch more"></span>more real, <span class="swatch less"></span>less real.</p>
      <p class="legend" data-role="coverage" hidden></p>
      <p class="legend" data-role="plane-scale" hidden></p>
      <div class="row" data-role="draw-tools" hidden><button data-role="use-drawing" class="primary" disabled>Train on this drawing</button><button data-role="clear-drawing">Clear</button></div>
      <div class="row" data-part="latent-tools"><button data-role="new-z">New z</button>
        <label class="inline">Click a sample to <select data-role="click-mode">
          <option value="pin">pin it</option><option value="a">add it to a</option><option value="b">add it to b</option><option value="c">add it to c</option>
        </select></label></div>
    </section>
    <section class="charts" data-part="charts">
      <dl class="stats">
        <div><dt>Step</dt><dd data-role="stat-step">0</dd></div>
        <div><dt>Steps/s</dt><dd data-role="stat-rate">–</dd></div>
        <div><dt>D loss</dt><dd data-role="stat-d">–</dd></div>
        <div><dt>G loss</dt><dd data-role="stat-g">–</dd></div>
      </dl>
      <dl class="stats" data-role="variant-stats"></dl>
      <canvas role="img" class="chart" data-role="chart-losses" aria-label="D and G loss over steps"></canvas>
      <div data-role="readout-charts"></div>
      <canvas role="img" class="chart small" data-role="chart-rate" aria-label="Steps per second"></canvas>
      <div data-part="scores">
        <h3>Scores <button data-role="score-now" disabled title="FID-style distance and KID of 500 samples against 500 real images, on the MNIST classifier's features; on triangles also precision and recall">Score now</button>
          <label class="inline">every <select data-role="score-every"><option value="0">—</option><option value="100">100 steps</option><option value="500">500 steps</option><option value="2000">2,000 steps</option></select></label></h3>
        <dl class="stats" data-role="score-stats"></dl>
        <canvas role="img" class="chart small" data-role="chart-scores" hidden aria-label="FID-style distance over steps"></canvas>
        <canvas role="img" class="chart small" data-role="chart-precision" hidden aria-label="Precision and recall on triangles over steps"></canvas>
        <canvas role="img" class="chart small" data-role="classes" hidden aria-label="Predicted digit classes of the samples"></canvas>
        <p class="legend" data-role="classes-legend" hidden>Classes 0–9 the classifier sees in the samples: a lopsided histogram is mode collapse.</p>
      </div>
      <div data-part="histogram">
        <h3>Critic weights</h3>
        <canvas role="img" class="chart small" data-role="histogram" aria-label="Histogram of the critic's convolution weights"></canvas>
        <p class="legend" data-role="histogram-range"></p>
      </div>
    </section>
    <section class="latent" data-part="latent">
      <h3>Pinned samples</h3>
      <div class="strip" data-role="pins"><p class="hint">Click samples in the grid to pin them.</p></div>
      <h3>Interpolation from the first pin to the second
        <label class="inline"><select data-role="interp-mode" aria-label="Interpolation"><option value="slerp">spherical</option><option value="lerp">linear</option></select></label></h3>
      <canvas role="img" class="strip-canvas" data-role="interpolation" aria-label="Interpolation between two pinned samples"></canvas>
      <h3>Vector arithmetic: mean(a) − mean(b) + mean(c) <button data-role="clear-groups">Clear</button></h3>
      <div class="arith" data-role="arith"><p class="hint">Choose "add it to a" above, click samples, then b and c.</p></div>
    </section>
  </div>
  <div data-part="status"><p class="message note" data-role="link-notes" hidden><span data-role="link-notes-text"></span> <button data-role="link-notes-ok">OK</button></p><p class="message" data-role="message" role="status" hidden></p><button data-role="reload" hidden>Reload the page</button></div>
</div>`;
