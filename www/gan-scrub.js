// <gan-scrub for="clipping" column="1" knob="clip" values="0.001,0.003,0.01,0.03,0.1" then="critic-step">0.01</gan-scrub>:
// a number in the prose that the reader drags (or moves with the arrow keys) through `values`, and
// that sets the knob of the figure it names: a <gan-playground>, or the column-th run (from 1) of a
// <gan-compare>. With then="critic-step" the figure takes one critic step after each change, so
// that its effect shows at once (WGAN's weights re-clipped to the new ±c); with then="train:500"
// it trains that many steps with the new value and stops (an effect that takes training: BEGAN's
// k_t leaving 0, a penalty's hold on the critic's slope). The knob's range is the core's: a value
// outside it is not offered.
const PIXELS_PER_VALUE = 16;

export class GanScrub extends HTMLElement {
  connectedCallback() {
    if (this.values) return;
    this.values = (this.getAttribute('values') ?? '').split(',').map(Number).filter(Number.isFinite);
    this.index = Math.max(0, this.values.indexOf(Number(this.textContent.trim())));
    this.setAttribute('role', 'slider');
    this.setAttribute('tabindex', '0');
    this.setAttribute('aria-valuemin', String(this.values[0]));
    this.setAttribute('aria-valuemax', String(this.values.at(-1)));
    this.setAttribute('aria-label', `${this.getAttribute('knob')}: drag or use the arrow keys to change the figure`);
    this.show();
    this.addEventListener('keydown', (e) => {
      const by = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1 }[e.key];
      if (by === undefined) return;
      e.preventDefault();
      this.move(this.index + by);
    });
    this.addEventListener('pointerdown', (e) => {
      this.setPointerCapture(e.pointerId);
      this.drag = { x: e.clientX, index: this.index };
    });
    this.addEventListener('pointermove', (e) => {
      if (this.drag && this.hasPointerCapture(e.pointerId)) this.move(this.drag.index + Math.round((e.clientX - this.drag.x) / PIXELS_PER_VALUE), false);
    });
    this.addEventListener('pointerup', () => {
      if (this.drag && this.drag.index !== this.index) this.apply();
      this.drag = null;
    });
  }

  /** The run the number drives: the named playground, or a column of the named comparison. */
  target() {
    const figure = /** @type {any} */ (document.getElementById(this.getAttribute('for') ?? ''));
    if (figure?.tagName !== 'GAN-COMPARE') return figure;
    return figure.playgrounds?.[Number(this.getAttribute('column') ?? 1) - 1] ?? null;
  }

  /** Moves to the index-th value (clamped); applies it at once unless a drag is still going on. */
  move(index, apply = true) {
    const next = Math.min(this.values.length - 1, Math.max(0, index));
    if (next === this.index) return;
    this.index = next;
    this.show();
    if (apply) this.apply();
  }

  show() {
    this.value = this.values[this.index];
    this.textContent = String(this.value);
    this.setAttribute('aria-valuenow', String(this.value));
  }

  /** Sets the figure's knob (once its run has started), and steps its critic if asked to. */
  apply() {
    const el = this.target();
    if (!el?.setKnob?.(this.getAttribute('knob'), this.value)) return;
    const then = this.getAttribute('then') ?? '';
    if (then === 'critic-step') el.step('d');
    const steps = Number(then.match(/^train:(\d+)$/)?.[1]);
    if (steps > 0) el.start(el.progress.step + steps);
    this.dispatchEvent(new CustomEvent('gan-scrub', { detail: { knob: this.getAttribute('knob'), value: this.value } }));
  }
}

customElements.define('gan-scrub', GanScrub);
