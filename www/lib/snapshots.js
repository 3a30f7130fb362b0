// A run's snapshots in the origin's private file system (OPFS), so that a reload, a closed tab or
// a crashed renderer loses at most the last few seconds of training. Each run (a widget of a
// page) has a folder; a snapshot is the core's run file (crate/checkpoint.rs), written to a
// temporary file and then moved over the latest, whose predecessor is kept as the previous:
// the last two good snapshots survive a write that fails halfway. A small JSON beside each
// describes it for the page's "Resume … at step S" offer without reading the run file.
// Used by the worker (which writes) and the page (which asks what there is).

/** Chart points a run keeps, and saves with its snapshots (the page's charts draw as many). */
export const HISTORY_POINTS = 4000;
/** The fields of a chart point that are not read-outs: a point is { step, d, g, rate, ...read-outs }. */
export const POINT_FIELDS = ['step', 'd', 'g', 'rate'];

const ROOT = 'runs';
const SLOTS = ['latest', 'previous'];

/** The folder name of a widget's run: its page and its place on the page. */
export const snapshotKey = (path, place) => encodeURIComponent(`${path}#${place}`);

async function folder(key, create) {
  const root = await navigator.storage.getDirectory();
  const runs = await root.getDirectoryHandle(ROOT, { create });
  return runs.getDirectoryHandle(key, { create });
}

async function readJson(dir, name) {
  const file = await (await dir.getFileHandle(name)).getFile();
  return JSON.parse(await file.text());
}

async function write(dir, name, data) {
  const handle = await dir.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  try {
    await writable.write(data);
    await writable.close();
  } catch (e) {
    await writable.abort().catch(() => {});
    throw e;
  }
  return handle;
}

/** Saves `bytes` (a run file) as the latest snapshot of `key`, the latest before it becoming
 * the previous; `info` ({ variant, title, step }) describes it. Resolves to the info saved, with
 * `savedAt`. Rejects with a readable reason (a full disk, a refused quota) and keeps what was
 * there. */
export async function writeSnapshot(key, bytes, info) {
  const dir = await folder(key, true);
  const saved = { ...info, savedAt: Date.now(), bytes: bytes.length };
  try {
    const temporary = await write(dir, 'next.tmp', bytes);
    const latest = await dir.getFileHandle('latest.safetensors').catch(() => null);
    if (latest) {
      // The previous makes room for the latest (a move onto an existing name is not portable).
      await dir.removeEntry('previous.safetensors').catch(() => {});
      await dir.removeEntry('previous.json').catch(() => {});
      // move() is in the File System API's drafts and in every browser that has OPFS.
      await /** @type {any} */ (latest).move('previous.safetensors');
      await dir.getFileHandle('latest.json').then((h) => /** @type {any} */ (h).move('previous.json')).catch(() => {});
    }
    await temporary.move('latest.safetensors');
    await write(dir, 'latest.json', JSON.stringify(saved));
  } catch (e) {
    const full = e?.name === 'QuotaExceededError';
    throw Object.assign(new Error(full ? 'the browser\'s storage for this site is full' : `${e?.name ?? 'Error'}: ${e?.message ?? e}`), { full });
  }
  return saved;
}

/** What the newest readable snapshot of `key` is ({ variant, title, step, savedAt, slot }), or
 * null when there is none. Reads only the small descriptions. */
export async function describeSnapshot(key) {
  let dir;
  try {
    dir = await folder(key, false);
  } catch {
    return null;
  }
  for (const slot of SLOTS) {
    try {
      await dir.getFileHandle(`${slot}.safetensors`);
      return { ...(await readJson(dir, `${slot}.json`)), slot };
    } catch {
      // this slot is missing or half written: the other one may be whole
    }
  }
  return null;
}

/** The snapshot `describeSnapshot` found, as a File (read by the worker like a dropped one). */
export async function snapshotFile(key, slot) {
  const dir = await folder(key, false);
  return (await dir.getFileHandle(`${slot}.safetensors`)).getFile();
}

/** The names of every run's folder. */
export async function listFolders() {
  const root = await navigator.storage.getDirectory();
  const runs = await root.getDirectoryHandle(ROOT, { create: true });
  const names = [];
  for await (const [name, handle] of /** @type {any} */ (runs).entries()) if (handle.kind === 'directory') names.push(name);
  return names;
}

/** A small picture of what the run shows, kept beside its snapshots (PNG). */
export async function writeThumbnail(key, blob) {
  await write(await folder(key, false), 'thumbnail.png', blob);
}

/** The run's picture, or null. */
export async function thumbnailOf(key) {
  try {
    return await (await (await folder(key, false)).getFileHandle('thumbnail.png')).getFile();
  } catch {
    return null;
  }
}

/** Forgets the snapshots of `key` (the user started afresh). */
export async function dropSnapshots(key) {
  const root = await navigator.storage.getDirectory();
  const runs = await root.getDirectoryHandle(ROOT, { create: true });
  await runs.removeEntry(key, { recursive: true }).catch(() => {});
}

/** Asks the browser to keep this site's storage under pressure (it may say no; snapshots are
 * kept either way until the browser needs the space). */
export async function askPersistence() {
  try {
    return (await navigator.storage.persisted()) || (await navigator.storage.persist?.());
  } catch {
    return false;
  }
}
