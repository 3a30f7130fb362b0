// The runs saved in this browser, shared by every tab of the site. Each run has a folder of its
// own (snapshots.js), named after its widget (page and place) and a run id, so two tabs of one
// page never write one folder. A tab holds a Web Lock on the folder of each run it has open,
// released when it lets the run go or the tab closes or crashes: only the holder writes a
// folder, a held run is neither offered elsewhere nor deleted, and nothing is deleted but by the
// user. Tabs tell each other of saves, deletions and releases on a BroadcastChannel.
import { describeSnapshot, dropSnapshots, listFolders, snapshotFile } from './snapshots.js';

const LOCK_PREFIX = 'gan-run:';
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('gan-runs') : null;
/** The folders this tab holds. */
const mine = new Set();

/** A new run's folder for the widget `widgetKey` ('@' never occurs in a key: it is escaped). */
export const newRunFolder = (widgetKey) => `${widgetKey}@${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** The widget a folder belongs to (a folder from before run ids is its widget's key). */
export const widgetOf = (folder) => (folder.includes('@') ? folder.slice(0, folder.lastIndexOf('@')) : folder);

/** Where a folder's widget is: { page, place } ("/www/article.html", "clipping"). */
export function placeOf(folder) {
  const text = decodeURIComponent(widgetOf(folder));
  const hash = text.lastIndexOf('#');
  return { page: text.slice(0, hash), place: text.slice(hash + 1) };
}

/** Tells the other tabs (and this one's listeners) what happened to `folder`. */
export function announce(what, folder) {
  channel?.postMessage({ what, folder });
  dispatchEvent(new CustomEvent('gan-runs', { detail: { what, folder } }));
}

/** Calls `listener({ what, folder })` on every change any tab announces. */
export function onRunsChanged(listener) {
  channel?.addEventListener('message', (e) => listener(e.data));
  addEventListener('gan-runs', (e) => listener(/** @type {CustomEvent} */ (e).detail));
}

/** Holds `folder` for this tab; resolves to a function that lets it go, or to null when another
 * tab holds it. Without Web Locks (an old browser) every tab holds what it asks for. */
export function holdRun(folder) {
  const release = () => {
    mine.delete(folder);
    announce('released', folder);
  };
  if (!navigator.locks) return Promise.resolve(release);
  return new Promise((resolve) => {
    navigator.locks.request(LOCK_PREFIX + folder, { ifAvailable: true }, (lock) => {
      if (!lock) return resolve(null);
      mine.add(folder);
      // The lock is held until this promise settles.
      return new Promise((done) => resolve(() => (release(), done())));
    }).catch(() => resolve(null));
  });
}

/** Resolves once no tab holds `folder` (at once if none does); this tab does not keep it. */
export function whenFree(folder) {
  if (!navigator.locks) return Promise.resolve();
  return navigator.locks.request(LOCK_PREFIX + folder, () => {}).catch(() => {});
}

/** The folders other tabs hold now. */
async function heldElsewhere() {
  if (!navigator.locks?.query) return new Set();
  const { held = [] } = await navigator.locks.query().catch(() => ({ held: [] }));
  return new Set(held.map((l) => l.name).filter((n) => n.startsWith(LOCK_PREFIX)).map((n) => n.slice(LOCK_PREFIX.length)).filter((f) => !mine.has(f)));
}

/** Every saved run of the site, newest first: { folder, page, place, variant, title, step,
 * savedAt, bytes, slot, held (by another tab), mine (by this one) }. `widgetKey` keeps one
 * widget's runs. Folders without a readable snapshot are left out. */
export async function listRuns(widgetKey = null) {
  const [folders, held] = await Promise.all([listFolders(), heldElsewhere()]);
  const runs = [];
  for (const folder of folders) {
    if (widgetKey !== null && widgetOf(folder) !== widgetKey) continue;
    const info = await describeSnapshot(folder);
    if (info) runs.push({ ...info, ...placeOf(folder), folder, held: held.has(folder), mine: mine.has(folder) });
  }
  return runs.sort((a, b) => b.savedAt - a.savedAt);
}

/** Deletes a run the user chose, unless a tab holds it (then false: it is in use). */
export async function deleteRun(folder) {
  const release = await holdRun(folder);
  if (!release) return false;
  await dropSnapshots(folder);
  release();
  announce('deleted', folder);
  return true;
}

/** A saved run's file, for a download. */
export const runFile = (run) => snapshotFile(run.folder, run.slot);
