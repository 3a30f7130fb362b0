// <gan-saved-runs for="playground-id">: every run saved in this browser by any page of the site
// (run-store.js), newest first: its picture, loss and step, when it was saved, its size and the
// page it came from. A run can be resumed in the page's playground (the element `for` names,
// else the page's <gan-playground hash>), downloaded as its run file, or deleted; a run open in
// a tab can be neither. The storage used against the browser's quota is shown. The list follows
// every tab's saves and deletions.
import { formatBytes } from './playground/format.js';
import { deleteRun, listRuns, onRunsChanged, runFile, whenFree } from './lib/run-store.js';
import { thumbnailOf } from './lib/snapshots.js';

const STYLESHEET = new URL('./gan-saved-runs.css', import.meta.url);

export class GanSavedRuns extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<link rel="stylesheet" href="${STYLESHEET}">
      <p class="usage" data-role="usage"></p>
      <p class="empty" data-role="empty" hidden>No runs are saved in this browser yet: a run is saved as it trains.</p>
      <table data-role="table" hidden>
        <thead><tr><th>Run</th><th>Saved</th><th>Size</th><th>From</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody data-role="rows"></tbody>
      </table>
      <p class="status" data-role="status" role="status"></p>`;
    /** @type {(role: string) => any} the part with data-role=role */
    this.$ = (role) => root.querySelector(`[data-role="${role}"]`);
    this.urls = [];
    this.waiting = new Set(); // runs open in another tab, listed again once that tab lets go
    onRunsChanged(() => this.refresh());
    this.refresh();
  }

  /** The playground that resumes a run. */
  /** @returns {import('./gan-playground.js').GanPlayground | null} */
  target() {
    const id = this.getAttribute('for');
    return /** @type {any} */ ((id && document.getElementById(id)) || document.querySelector('gan-playground[hash]'));
  }

  /** Lists the runs again (a refresh asked for while one runs is done once it ends). */
  async refresh() {
    if (this.refreshing) return void (this.again = true);
    this.refreshing = true;
    try {
      do {
        this.again = false;
        await this.render(await listRuns());
      } while (this.again);
    } catch (e) {
      this.$('status').textContent = `The saved runs could not be read: ${e.message ?? e}`;
    } finally {
      this.refreshing = false;
    }
  }

  async render(runs) {
    this.runs = runs;
    for (const { folder } of runs.filter((r) => r.held && !this.waiting.has(r.folder))) {
      this.waiting.add(folder);
      whenFree(folder).then(() => this.waiting.delete(folder) && this.refresh());
    }
    const estimate = await navigator.storage?.estimate?.().catch(() => null);
    const total = runs.reduce((sum, r) => sum + r.bytes, 0);
    this.$('usage').textContent = `${runs.length} saved run${runs.length === 1 ? '' : 's'}, ${formatBytes(total)} (with each run's previous snapshot, about twice that)` +
      (estimate?.quota ? `. This site uses ${formatBytes(estimate.usage ?? 0)} of the ${formatBytes(estimate.quota)} this browser allows it.` : '.');
    this.$('empty').hidden = runs.length > 0;
    this.$('table').hidden = runs.length === 0;
    for (const url of this.urls.splice(0)) URL.revokeObjectURL(url);
    // Loss names come from the playground's schema: listed again once it has it.
    const target = this.target();
    if (target && !target.variants && !this.awaitingTitles) {
      this.awaitingTitles = true;
      target.addEventListener('gan-config', () => this.refresh(), { once: true });
    }
    const titleOf = (variant) => target?.titleOf?.(variant) ?? variant;
    const rows = await Promise.all(runs.map(async (run) => {
      const tr = document.createElement('tr');
      tr.dataset.folder = run.folder;
      const picture = await thumbnailOf(run.folder);
      const url = picture && URL.createObjectURL(picture);
      if (url) this.urls.push(url);
      const saved = new Date(run.savedAt).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
      const state = run.mine ? 'open in this tab' : run.held ? 'open in another tab' : '';
      tr.innerHTML = `<td class="run"><span class="picture"></span><span><strong></strong><br><span class="step"></span></span></td>
        <td></td><td></td><td><a></a></td>
        <td class="actions"><button data-action="resume">Resume here</button> <button data-action="download">Download</button> <button data-action="delete">Delete</button><span class="state"></span></td>`;
      if (url) tr.querySelector('.picture').append(Object.assign(document.createElement('img'), { src: url, alt: `samples of this run at step ${run.step}`, width: 48, height: 48 }));
      tr.querySelector('strong').textContent = titleOf(run.variant);
      tr.querySelector('.step').textContent = `step ${run.step.toLocaleString('en')}`;
      tr.cells[1].textContent = saved;
      tr.cells[2].textContent = formatBytes(run.bytes);
      const link = tr.querySelector('a');
      link.href = run.page;
      link.textContent = `${run.page.split('/').pop() || run.page}${/^\d/.test(run.place) ? '' : ` · ${run.place}`}`;
      tr.querySelector('.state').textContent = state;
      for (const button of tr.querySelectorAll('button')) {
        button.disabled = Boolean(state) && button.dataset.action !== 'download';
        button.onclick = () => this.act(button.dataset.action, run);
      }
      /** @type {HTMLElement} */ (tr.querySelector('[data-action="resume"]')).hidden = !this.target();
      return tr;
    }));
    this.$('rows').replaceChildren(...rows);
  }

  async act(action, run) {
    const status = this.$('status');
    try {
      if (action === 'resume') {
        const target = this.target();
        if (await target.resumeSaved(run.folder)) target.scrollIntoView({ behavior: 'smooth', block: 'start' });
      } else if (action === 'download') {
        const file = await runFile(run);
        const url = URL.createObjectURL(file);
        Object.assign(document.createElement('a'), { href: url, download: `${run.variant}-step${run.step}-run.safetensors` }).click();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      } else if (action === 'delete') {
        status.textContent = (await deleteRun(run.folder)) ? `Deleted ${run.variant} at step ${run.step.toLocaleString('en')}.` : 'That run is open in a tab: close it there first.';
      }
    } catch (e) {
      status.textContent = `${action} failed: ${e.message ?? e}`;
    }
    this.refresh();
  }
}

customElements.define('gan-saved-runs', GanSavedRuns);
