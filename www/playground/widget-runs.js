// One widget's saved runs (run-store.js): the folder its own run saves into, held by this tab
// from the start, and the offer of its newest saved run that no tab holds. A run another tab
// holds is offered once that tab lets it go (it closes, or it resumes another run).
import { holdRun, listRuns, newRunFolder, onRunsChanged, whenFree, widgetOf } from '../lib/run-store.js';

/** Where the site's list of saved runs is (the playground page's "Saved runs"). */
export const SAVED_RUNS_URL = new URL('../../index.html#saved-runs', import.meta.url).href;

export class WidgetRuns {
  /** `onChange()` is called when what could be offered has changed. */
  constructor(widgetKey, onChange) {
    this.widgetKey = widgetKey;
    this.folder = null; // the folder the widget's run saves into
    this.release = null;
    this.waiting = new Set(); // folders held elsewhere that this tab waits for
    this.onChange = onChange;
    onRunsChanged(({ what, folder }) => {
      if (widgetOf(folder) === widgetKey && folder !== this.folder && what !== 'saved') onChange();
    });
  }

  /** A new folder of this widget's, held by this tab. */
  async claimNew() {
    const folder = newRunFolder(this.widgetKey);
    await this.take(folder);
    return folder;
  }

  /** Makes `folder` the widget's (letting the one before go); false if another tab holds it. */
  async take(folder) {
    const release = await holdRun(folder);
    if (!release) return false;
    this.release?.();
    [this.folder, this.release] = [folder, release];
    return true;
  }

  /** The newest saved run of this widget no tab holds (`run`, or null), and those other tabs
   * hold (`held`); each of those is offered once its tab lets it go. */
  async offer() {
    const runs = (await listRuns(this.widgetKey)).filter((r) => r.folder !== this.folder);
    const held = runs.filter((r) => r.held);
    for (const r of held) {
      if (this.waiting.has(r.folder)) continue;
      this.waiting.add(r.folder);
      whenFree(r.folder).then(() => {
        this.waiting.delete(r.folder);
        this.onChange();
      });
    }
    return { run: runs.find((r) => !r.held) ?? null, held, others: runs.filter((r) => !r.held).length };
  }
}
