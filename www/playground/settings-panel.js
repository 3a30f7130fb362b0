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

  /** The controls from the element's state (and the run's optimiser schedule, kept from the
   * last 'config'): called on each config, and after a refused change to undo what the user set. */
  renderConfig(schedule = this.schedule) {
    const s = this.state;
    this.$('variant').value = s.variant;
    this.$('dataset').value = s.dataset;
    this.$('your-images').hidden = s.dataset !== 'images';
    if (s.dataset === 'drawing' || !this.settings.isPoints(s.dataset)) this.drawMode = false;
    this.renderMode();
    const n = (v) => +Number(v).toPrecision(6); // f32 settings print as 0.9, not 0.8999999761581421
    const opt = schedule.kind === 'adam'
      ? `Adam(lr ${n(schedule.learning_rate)}, β = (${n(schedule.beta1)}, ${n(schedule.beta2)}))`
      : `RMSProp(lr ${n(schedule.learning_rate)})`;
    const joint = this.isJoint();
    this.$('schedule').textContent = joint
      ? `${opt}, one loss for both networks (encoder and decoder)`
      : `${opt}, ${schedule.nCritic} critic step${schedule.nCritic > 1 ? 's' : ''} per G step`;
    this.renderTraining(joint);
    this.schedule = schedule;
    this.renderKnobs();
    this.renderFields(schedule);
  },

  // Whether the current variant trains both networks on one loss (the VAE) rather than adversarially.
  isJoint() {
    return this.variants.find((v) => v.id === this.state.variant)?.training === 'joint';
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
  renderFields(schedule) {
    const s = this.state;
    const points = this.settings.isPoints(s.dataset);
    // The optimiser's values in use (the variant's unless set), under the settings' names.
    const inUse = { lr: schedule.learning_rate, beta1: schedule.beta1, beta2: schedule.beta2, n_critic: schedule.nCritic };
    const rows = this.schema.settings
      .filter((f) => !(f.imagesOnly && points) && !(f.adamOnly && schedule.kind !== 'adam') && !(f.adversarialOnly && this.isJoint()))
      .map((f) => [f.name, (points && f.pointsLabel) || f.label, f.name in inUse ? inUse[f.name] : s[f.name], f.kind === 'int' ? 1 : 'any']);
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
