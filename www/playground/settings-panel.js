// The settings panel of <gan-playground>: the variant's knobs, the hyperparameters (from the core's
// schema) and the state in the page's URL hash. Methods of the element (mixed into its prototype).

export const settingsPanel = {
  /** A hash edited by hand (or a pasted link) resets the run to its state. */
  applyHash() {
    if (!this.variants || location.hash.slice(1) === this.writtenHash) return;
    const { state, notes } = this.settings.parseState(new URLSearchParams(location.hash.slice(1)), { ...this.settings.defaults, speed: this.state.speed });
    this.showLinkNotes(notes);
    this.reset(state);
  },

  writeHash() {
    if (!this.hasAttribute('hash') || !this.state) return;
    this.writtenHash = this.settings.serializeState(this.state);
    history.replaceState(null, '', `${location.pathname}${location.search}#${this.writtenHash}`);
  },

  /** The controls from the element's state and the run as the core shows it (`view`: the
   * settings in use, the optimiser's kind, the training; kept from the last 'config'): called on
   * each config, and after a refused change to undo what the user set. */
  renderConfig(view = this.view) {
    const s = this.state;
    this.view = view;
    this.$('variant').value = s.variant;
    this.$('dataset').value = s.dataset;
    this.$('your-images').hidden = s.dataset !== 'images';
    if (s.dataset === 'drawing' || !this.settings.isPoints(s.dataset)) this.drawMode = false;
    this.renderMode();
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
  },

  // Whether the current variant trains both networks on one loss (the VAE) rather than adversarially.
  isJoint() {
    return (this.view?.training ?? this.variants.find((v) => v.id === this.state.variant)?.training) === 'joint';
  },

  // A joint model has no D or G step of its own and one loss: the step buttons and loss read-outs say so.
  renderTraining(joint) {
    this.$('step-d').hidden = joint;
    this.$('step-g').hidden = joint;
    this.$('step').title = joint ? 'One step of both networks on their one loss' : 'One iteration: n_critic D steps, then a G step';
    this.$('stat-d').parentElement.hidden = joint;
    this.$('stat-g').previousElementSibling.textContent = joint ? 'Loss' : 'G loss';
  },

  // One slider per setting of the current variant (BEGAN's γ, WGAN's c, the penalties' λ); a change
  // applies from the next step without a reset.
  renderKnobs() {
    const knobs = this.variants.find((v) => v.id === this.state.variant)?.knobs ?? [];
    this.$('knobs').replaceChildren(...knobs.map((knob) => {
      const value = this.state.knobs?.[knob.name] ?? knob.value;
      const label = document.createElement('label');
      label.className = 'knob';
      // A power of ten, so that round values (the defaults among them) lie on the slider's grid.
      const step = 10 ** Math.floor(Math.log10((knob.max - knob.min) / 100));
      label.innerHTML = `<span>${knob.label}</span><input type="range" min="${knob.min}" max="${knob.max}" step="${step}" data-knob="${knob.name}"><output></output>`;
      const [input, output] = [label.querySelector('input'), label.querySelector('output')];
      input.value = value;
      output.textContent = +Number(value).toPrecision(3);
      input.addEventListener('input', () => { output.textContent = +Number(input.value).toPrecision(3); });
      input.addEventListener('change', () => this.setKnob(knob.name, Number(input.value)));
      return label;
    }));
  },

  // The hyperparameters, as the core's schema lists them; a change starts a fresh run with it (the
  // networks or the optimiser change). Points: MLPs with a 2-D z; their widths are hidden units.
  renderFields(view) {
    const points = this.settings.isPoints(this.state.dataset);
    // Each setting the run has, with the value it uses (the variant's, unless set).
    const rows = this.schema.settings
      .filter((f) => f.name in view.inUse && !(f.adversarialOnly && this.isJoint()))
      .map((f) => [f.name, (points && f.pointsLabel) || f.label, view.inUse[f.name], f.kind === 'int' ? 1 : 'any']);
    const fields = this.$('fields');
    fields.replaceChildren(...rows.map(([key, label, value, step]) => {
      const f = this.settings.fields[key];
      const el = document.createElement('label');
      el.className = 'field';
      el.innerHTML = `<span>${label}</span><input type="number" data-field="${key}" min="${f.min}" max="${f.max}" step="${step}">`;
      const input = el.querySelector('input');
      input.value = +Number(value).toPrecision(6);
      input.addEventListener('change', () => {
        const v = Number(input.value);
        const ok = input.value !== '' && Number.isFinite(v) && v >= f.min && v <= f.max && (f.kind !== 'int' || Number.isInteger(v));
        if (!ok) {
          this.showMessage(`${label} must be ${f.kind === 'int' ? 'a whole number' : 'a number'} from ${f.min} to ${f.max}.`, 'error');
          input.value = +Number(value).toPrecision(6);
          return;
        }
        this.reset({ [key]: v });
      });
      return el;
    }));
  },
};
