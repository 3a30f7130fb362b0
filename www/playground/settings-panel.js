// The settings panel of <gan-playground>: the variant's knobs, the hyperparameters (from the core's
// schema) and the state in the page's URL hash. This part owns the run as the core last showed it
// (`view`) and the hash it wrote; a change the reader makes goes to the element (reset, setKnob).

export class SettingsPanel {
  /** @param {import('../gan-playground.js').GanPlayground} host */
  constructor(host) {
    this.host = host;
    this.$ = host.$;
    /** @type {{config: any, settings: Record<string, any>, inUse: Record<string, number>, optimizer: string, training: string} | null}
     * the run as the core shows it (its last 'config') */
    this.view = null;
    this.writtenHash = null;
  }

  /** A hash edited by hand (or a pasted link) resets the run to its state. */
  applyHash() {
    const { host } = this;
    if (!host.variants || location.hash.slice(1) === this.writtenHash) return;
    const { state, notes } = host.settings.parseState(new URLSearchParams(location.hash.slice(1)), { ...host.settings.defaults, speed: host.state.speed });
    host.showLinkNotes(notes);
    host.reset(state);
  }

  writeHash() {
    const { host } = this;
    if (!host.hasAttribute('hash') || !host.state) return;
    this.writtenHash = host.settings.serializeState(host.state);
    history.replaceState(null, '', `${location.pathname}${location.search}#${this.writtenHash}`);
  }

  /** The controls from the element's state and the run as the core shows it (`view`: the
   * settings in use, the optimiser's kind, the training; kept from the last 'config'): called on
   * each config, and after a refused change to undo what the user set. */
  render(view = this.view) {
    const s = this.host.state;
    this.view = view;
    this.$('variant').value = s.variant;
    this.$('dataset').value = s.dataset;
    this.$('your-images').hidden = s.dataset !== 'images';
    this.host.data.follow(s);
    const n = (v) => +Number(v).toPrecision(6);
    const use = view.inUse;
    const lr = use.d_lr !== undefined && use.d_lr !== use.lr ? `lr G ${n(use.lr)}, D ${n(use.d_lr)}` : `lr ${n(use.lr)}`;
    const opt = view.optimizer === 'adam' ? `Adam(${lr}, β = (${n(use.beta1)}, ${n(use.beta2)}))` : `RMSProp(${lr})`;
    const joint = this.isJoint();
    this.$('schedule').textContent = joint
      ? `${opt}, one loss for both networks (encoder and decoder)`
      : `${opt}, ${use.n_critic} critic step${use.n_critic > 1 ? 's' : ''} per G step`;
    this.renderTraining(joint);
    this.renderKnobs();
    this.renderFields(view);
  }

  // Whether the current variant trains both networks on one loss (the VAE) rather than adversarially.
  isJoint() {
    return (this.view?.training ?? this.host.variants.find((v) => v.id === this.host.state.variant)?.training) === 'joint';
  }

  // A joint model has no D or G step of its own and one loss: the step buttons and loss read-outs say so.
  renderTraining(joint) {
    this.$('step-d').hidden = joint;
    this.$('step-g').hidden = joint;
    this.$('step').title = joint ? 'One step of both networks on their one loss' : 'One iteration: n_critic D steps, then a G step';
    this.$('stat-d').parentElement.hidden = joint;
    this.$('stat-g').previousElementSibling.textContent = joint ? 'Loss' : 'G loss';
  }

  // One slider per setting of the current variant (BEGAN's γ, WGAN's c, the penalties' λ); a change
  // applies from the next step without a reset.
  renderKnobs() {
    const { variants, state } = this.host;
    const knobs = variants.find((v) => v.id === state.variant)?.knobs ?? [];
    this.$('knobs').replaceChildren(...knobs.map((knob) => {
      const value = state.knobs?.[knob.name] ?? knob.value;
      const label = document.createElement('label');
      label.className = 'knob';
      // A power of ten, so that round values (the defaults among them) lie on the slider's grid.
      const step = 10 ** Math.floor(Math.log10((knob.max - knob.min) / 100));
      label.innerHTML = `<span>${knob.label}</span><input type="range" min="${knob.min}" max="${knob.max}" step="${step}" data-knob="${knob.name}"><output></output>`;
      const [input, output] = [label.querySelector('input'), label.querySelector('output')];
      input.value = String(value);
      output.textContent = String(+Number(value).toPrecision(3));
      input.addEventListener('input', () => { output.textContent = String(+Number(input.value).toPrecision(3)); });
      input.addEventListener('change', () => this.host.setKnob(knob.name, Number(input.value)));
      return label;
    }));
  }

  // The hyperparameters, as the core's schema lists them; a change starts a fresh run with it (the
  // networks or the optimiser change). Points: MLPs with a 2-D z; their widths are hidden units.
  renderFields(view) {
    const { host } = this;
    const points = host.settings.isPoints(host.state.dataset);
    // Each setting the run has, with the value it uses (the variant's, unless set).
    const rows = host.schema.settings
      .filter((f) => f.name in view.inUse && !(f.adversarialOnly && this.isJoint()))
      .map((f) => [f.name, (points && f.pointsLabel) || f.label, view.inUse[f.name], f.kind === 'int' ? 1 : 'any']);
    const fields = this.$('fields');
    fields.replaceChildren(...rows.map(([key, label, value, step]) => {
      const f = host.settings.fields[key];
      const el = document.createElement('label');
      el.className = 'field';
      el.innerHTML = `<span>${label}</span><input type="number" data-field="${key}" min="${f.min}" max="${f.max}" step="${step}">`;
      const input = el.querySelector('input');
      input.value = String(+Number(value).toPrecision(6));
      input.addEventListener('change', () => {
        const v = Number(input.value);
        const ok = input.value !== '' && Number.isFinite(v) && v >= f.min && v <= f.max && (f.kind !== 'int' || Number.isInteger(v));
        if (!ok) {
          host.showMessage(`${label} must be ${f.kind === 'int' ? 'a whole number' : 'a number'} from ${f.min} to ${f.max}.`, 'error');
          input.value = String(+Number(value).toPrecision(6));
          return;
        }
        host.reset({ [key]: v });
      });
      return el;
    }));
  }
}
