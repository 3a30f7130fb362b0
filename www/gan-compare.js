// <gan-compare variants="ns-gan,wgan-gp,lsgan,began">: two to four variants trained at once on
// the same data from the same seed, their grids and curves side by side — the experiment of
// "Are GANs Created Equal?" in miniature. Shared settings (batch, g_width, d_width, nz, seed,
// speed, backend) are attributes, as on <gan-playground>; each run is a <gan-playground>
// without its own controls, driven together from one bar. `columns` gives each column its own
// settings, `|`-separated, as a link writes them: variants="began,began,began"
// columns="gamma=0.3|gamma=0.5|gamma=0.9", or one loss over seeds: columns="seed=1|seed=2|seed=3".
// A column may open on a file of the site (weights=…, relative to the page). `hide` and `show`
// pass to every column; with show="scores" the bar can score every column at once. `knobs` puts
// the settings a figure's claim depends on in its bar (knobs="d_width,n_critic"): each a field
// with the core's label and range; a change resets every column with it.
import './gan-playground.js';

// Attributes a column may not set: they are the element's, not a run's settings.
const NOT_SETTINGS = ['class', 'style', 'id', 'slot', 'title', 'hash', 'controls', 'hide', 'show', 'autosave', 'resume', 'eager', 'autoplay'];
const SHARED = ['batch', 'g-width', 'd-width', 'nz', 'seed', 'speed', 'backend', 'dataset'];
// A stylesheet file, not a <style> element: the page's Content-Security-Policy has no 'unsafe-inline'.
const STYLESHEET = new URL('./gan-compare.css', import.meta.url);

export class GanCompare extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const ids = (this.getAttribute('variants') ?? 'ns-gan,wgan-gp').split(',').map((s) => s.trim()).filter(Boolean).slice(0, 4);
    root.innerHTML = `<link rel="stylesheet" href="${STYLESHEET}">
      <div class="bar">
        <button class="primary" data-role="play">Play all</button>
        <button data-role="step">Step all</button>
        <button data-role="reset">Reset all</button>
        <button data-role="score" hidden>Score all</button>
        <span class="note">${this.hasAttribute('columns') ? 'Same data and networks; each column with the settings in its title.' : 'Same data, same seed, each variant with its published optimiser.'}</span>
      </div>
      <div class="knobs" data-role="knobs" hidden></div>
      <div class="runs"></div>`;
    const hide = this.getAttribute('hide') ?? 'settings,latent,files,histogram';
    const show = this.getAttribute('show') ?? '';
    const columns = (this.getAttribute('columns') ?? '').split('|').map((c) => [...new URLSearchParams(c.trim())]);
    /** @type {import('./gan-playground.js').GanPlayground[]} the columns, in order */
    this.playgrounds = ids.map((id, i) => {
      const cell = document.createElement('div');
      const el = /** @type {import('./gan-playground.js').GanPlayground} */ (document.createElement('gan-playground'));
      el.setAttribute('variant', id);
      el.setAttribute('controls', 'none');
      el.setAttribute('hide', hide);
      if (show) el.setAttribute('show', show);
      el.dataset.variant = id;
      for (const name of SHARED) if (this.hasAttribute(name)) el.setAttribute(name, this.getAttribute(name));
      // The column's own settings: attributes of its playground, checked there as any setting is.
      const own = (columns[i] ?? []).filter(([key]) => /^[a-z][a-z0-9_]*$/.test(key) && !key.startsWith('on') && !NOT_SETTINGS.includes(key));
      for (const [key, value] of own) el.setAttribute(key.replaceAll('_', '-'), value);
      // The title names the column's settings; a file it opens on is the caption's to describe.
      const named = own.filter(([key]) => key !== 'weights');
      const suffix = named.length ? ` (${named.map(([k, v]) => `${k} = ${v}`).join(', ')})` : '';
      cell.append(Object.assign(document.createElement('h3'), { textContent: id + suffix }), el);
      root.querySelector('.runs').append(cell);
      el.addEventListener('gan-config', () => {
        const title = /** @type {HTMLSelectElement} */ (el.shadowRoot.querySelector('[data-role="variant"]')).selectedOptions[0]?.text ?? id;
        cell.querySelector('h3').textContent = title + suffix;
      }, { once: true });
      return el;
    });
    this.running = false;
    const play = root.querySelector('[data-role="play"]');
    play.addEventListener('click', () => {
      this.running = !this.running;
      for (const el of this.playgrounds) this.running ? el.start() : el.pause();
      play.textContent = this.running ? 'Pause all' : 'Play all';
    });
    const score = /** @type {HTMLButtonElement} */ (root.querySelector('[data-role="score"]'));
    score.hidden = !show.split(',').map((s) => s.trim()).includes('scores');
    score.addEventListener('click', () => this.playgrounds.forEach((el) => el.score()));
    root.querySelector('[data-role="step"]').addEventListener('click', () => this.playgrounds.forEach((el) => el.step()));
    root.querySelector('[data-role="reset"]').addEventListener('click', () => this.resetAll());
    const knobs = (this.getAttribute('knobs') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (knobs.length) this.playgrounds[0].addEventListener('gan-config', () => this.showKnobs(knobs), { once: true });
  }

  /** Every column afresh, from noise, with `changes` to its settings. */
  resetAll(changes = {}) {
    this.running = false;
    this.shadowRoot.querySelector('[data-role="play"]').textContent = 'Play all';
    this.playgrounds.forEach((el) => el.reset(changes));
  }

  /** A field per knob, labelled and bounded by the core's schema, showing the first column's value. */
  showKnobs(names) {
    const box = /** @type {HTMLElement} */ (this.shadowRoot.querySelector('[data-role="knobs"]'));
    const first = this.playgrounds[0];
    const settings = first.schema.settings;
    for (const name of names) {
      const setting = settings.find((s) => s.name === name);
      if (!setting) continue;
      const input = Object.assign(document.createElement('input'), { type: 'number', min: setting.min, max: setting.max, step: setting.kind === 'int' ? 1 : 'any', value: first.state[name] ?? '' });
      input.dataset.setting = name;
      const label = Object.assign(document.createElement('label'), { textContent: `${setting.label} ` });
      label.append(input);
      input.addEventListener('change', () => {
        const value = Number(input.value);
        const ok = input.value !== '' && Number.isFinite(value) && value >= setting.min && value <= setting.max && (setting.kind !== 'int' || Number.isInteger(value));
        input.setCustomValidity(ok ? '' : `${setting.label}: from ${setting.min} to ${setting.max}`);
        input.reportValidity();
        if (ok) this.resetAll({ [name]: value });
      });
      box.append(label);
    }
    box.hidden = !box.children.length;
  }
}

customElements.define('gan-compare', GanCompare);
