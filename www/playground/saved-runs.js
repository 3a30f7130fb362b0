// The saved runs of <gan-playground> (www/lib/run-store.js): the folder its run saves into, held
// by this tab; the offer of the widget's newest saved run that no tab holds; a saved run resumed
// here; the save line, the thumbnail beside each snapshot, and what a failed save says. This part
// owns the widget's folder and whether the offer was answered.
import { announce, listRuns } from '../lib/run-store.js';
import { askPersistence, writeThumbnail } from '../lib/snapshots.js';
import { formatBytes } from './format.js';
import { SAVED_RUNS_URL, WidgetRuns } from './widget-runs.js';

export class SavedRuns {
  /** @param {import('../gan-playground.js').GanPlayground} host */
  constructor(host) {
    this.host = host;
    this.$ = host.$;
    /** @type {WidgetRuns | null} this widget's runs (null: it saves none) */
    this.widgetRuns = null;
    this.offerAnswered = false;
    this.askedPersistence = null;
  }

  /** The folder the run saves into, or null. */
  get folder() {
    return this.widgetRuns?.folder ?? null;
  }

  /** Claims a new folder for the widget's run under `key`; with `offerable`, finds the newest saved
   * run no tab holds, and takes it at once with `auto`. Returns { offer, resume }. */
  async open(key, { offerable, auto }) {
    this.widgetRuns = new WidgetRuns(key, () => this.refreshOffer());
    await this.widgetRuns.claimNew();
    const offer = offerable ? await this.widgetRuns.offer() : null;
    const resume = Boolean(offer?.run && auto && (await this.widgetRuns.take(offer.run.folder)));
    return { offer, resume };
  }

  /** Shows `offer` once the run opens, unless there is none to make (or it was taken). */
  offerOnce(offer, resume) {
    if (offer && !resume) this.showOffer(offer);
    else this.offerAnswered = true;
  }

  // "Resume NS-GAN at step 1,240 (saved 14:02)?": the newest saved run of this widget that no
  // tab holds, until answered. Starting afresh keeps it (Saved runs lists it, and deletes it
  // when asked).
  showOffer({ run, held, others }) {
    const box = this.$('offer');
    box.hidden = !run && !held.length;
    this.$('runs-link').href = SAVED_RUNS_URL;
    const more = others > 1 ? ` ${others - 1} more in Saved runs.` : '';
    const elsewhere = held.length ? ` ${held.length === 1 ? 'A run of this figure is' : `${held.length} runs of this figure are`} open in another tab; this tab trains its own.` : '';
    this.$('resume').hidden = !run;
    this.$('fresh').hidden = !run;
    if (!run) {
      this.$('offer-text').textContent = elsewhere.trim();
      return;
    }
    const time = new Date(run.savedAt).toLocaleString('en-GB', { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' });
    this.$('offer-text').textContent = `Resume ${this.host.titleOf(run.variant)} at step ${run.step.toLocaleString('en')} (saved ${time})?${more}${elsewhere}`;
    this.$('resume').onclick = () => this.resume(run.folder);
    this.$('fresh').onclick = () => {
      this.offerAnswered = true;
      box.hidden = true;
    };
  }

  /** Offers again what can be resumed now (another tab let a run go), unless answered. */
  async refreshOffer() {
    if (this.offerAnswered || !this.widgetRuns) return;
    const offer = await this.widgetRuns.offer();
    if (!this.offerAnswered) this.showOffer(offer);
  }

  /** Goes on with a saved run (this widget's, or any run listed in Saved runs) in this widget:
   * false, and nothing changed, if another tab holds it. */
  async resume(folder) {
    if (!this.widgetRuns || !(await this.widgetRuns.take(folder))) {
      this.host.showMessage(this.widgetRuns ? 'That run is open in another tab now: it can be resumed here once that tab lets it go.' : 'This figure does not save its runs.', 'note');
      return false;
    }
    this.offerAnswered = true;
    this.$('offer').hidden = true;
    this.host.showMessage('Resuming the saved run…');
    this.host.send({ type: 'resume', key: folder });
    return true;
  }

  /** A small picture of the samples (or the plane) beside the run's snapshots, for Saved runs. */
  saveThumbnail() {
    const folder = this.widgetRuns?.folder;
    const source = this.$(this.$('plane').hidden ? 'samples' : 'plane');
    if (!folder || !source.width) return;
    const small = Object.assign(document.createElement('canvas'), { width: 96, height: Math.round((96 * source.height) / source.width) });
    small.getContext('2d').drawImage(source, 0, 0, small.width, small.height);
    small.toBlob((blob) => blob && writeThumbnail(folder, blob).catch(() => {}).finally(() => announce('saved', folder)));
  }

  /** A snapshot that could not be written: said once; when the storage is full, with the saved
   * runs the user could delete (the page never deletes one by itself). */
  async failed({ message, full }) {
    let deletable = '';
    if (full) {
      const runs = (await listRuns()).filter((r) => !r.held && r.folder !== this.widgetRuns?.folder);
      const named = runs.sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((r) => `${this.host.titleOf(r.variant)} at step ${r.step.toLocaleString('en')} (${r.page}, ${formatBytes(r.bytes)})`);
      deletable = named.length ? ` Runs you could delete in Saved runs: ${named.join('; ')}${runs.length > 3 ? `, and ${runs.length - 3} more` : ''}.` : ' No other saved run could make room.';
    }
    this.host.showMessage(`This run could not be saved in the browser (${message}); training goes on.${deletable}`, 'note');
  }

  /** A snapshot written: the save line, once the permission to persist is asked, the thumbnail. */
  saved(msg) {
    const time = new Date(msg.savedAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
    const list = Object.assign(document.createElement('a'), { href: SAVED_RUNS_URL, textContent: 'Saved runs' });
    this.$('saved').replaceChildren(`Saved in this browser at step ${msg.step.toLocaleString('en')}, ${time} · `, list);
    this.$('saved').hidden = false;
    this.host.dataset.savedStep = msg.step;
    this.askedPersistence ??= askPersistence();
    this.saveThumbnail();
  }
}
