// A run's autosave, in the worker: its whole state (the core's run file, crate/checkpoint.rs) with
// its chart history, every few seconds of training, on pause and when the page hides, into the
// origin's storage (snapshots.js). What it saved is what a reload resumes from and what a
// diverged run rolls back to.
import { HISTORY_POINTS, describeSnapshot, snapshotFile, writeSnapshot } from '../lib/snapshots.js';

/** Training time between two snapshots: a reload or a crash loses at most this much. */
export const SNAPSHOT_EVERY_MS = 10_000;

export class Autosave {
  /** `post` sends a message to the run's page. */
  constructor(post) {
    this.post = post;
    this.key = null; // the run's folder (snapshots.js); null: this run is not saved
    this.points = []; // the chart history, as the page draws it
    this.scores = []; // the scores, as the worker sent them
    this.lastAt = performance.now();
    this.savedStep = null;
    this.openedStep = null;
    this.failing = false;
    this.writing = null; // the write in progress, if any
  }

  /** One read-out's point; a point of the same step (a lone D or G step) replaces the last. */
  record(point) {
    if (this.points.at(-1)?.step === point.step) this.points[this.points.length - 1] = point;
    else this.points.push(point);
    if (this.points.length > HISTORY_POINTS) this.points.splice(0, this.points.length - HISTORY_POINTS);
  }

  /** A score, saved with the run (the page's score charts come back with it). */
  recordScore(score) {
    this.scores.push(score);
    if (this.scores.length > HISTORY_POINTS) this.scores.shift();
  }

  /** What a run file carries as its metadata's `history`: { points, scores }. */
  history() {
    return JSON.stringify({ points: this.points, scores: this.scores });
  }

  /** The history a run file carried, or none: { points, scores }. */
  restore(history) {
    const steps = (list) => (Array.isArray(list) ? list.filter((p) => p && Number.isSafeInteger(p.step)).slice(-HISTORY_POINTS) : []);
    let parsed = null;
    try {
      parsed = JSON.parse(history ?? 'null');
    } catch {
      // a history that is not ours is dropped; the run itself is whole
    }
    this.points = steps(parsed?.points);
    this.scores = steps(parsed?.scores);
    return { points: this.points, scores: this.scores };
  }

  /** A run just opened at `step` (afresh, or from a file): there is nothing of it to save
   * until it trains (so a visit that only looks saves nothing). */
  opened(step) {
    this.openedStep = step;
  }

  /** A new run: nothing recorded, the last snapshot still the one on disk. */
  clear() {
    this.points = [];
    this.scores = [];
    this.lastAt = performance.now();
  }

  /** Whether enough training has gone by since the last snapshot. */
  due() {
    return this.key !== null && performance.now() - this.lastAt > SNAPSHOT_EVERY_MS;
  }

  /** Saves `session` (with `about`: { variant }) unless it is saved at this step already. The
   * run is read at once (the caller's loop waits for that); the file is written while training
   * goes on, one write at a time (a snapshot asked for while one is being written waits for
   * it). Resolves once the run is read; `writing` settles once the file is on disk. A failure
   * (storage full, a diverged run the core refuses to save) is said once, and training goes on. */
  async save(session, about) {
    if (this.key === null || !session) return;
    await this.writing;
    this.lastAt = performance.now();
    const step = session.step;
    if (step === this.savedStep || step === this.openedStep) return;
    let bytes;
    try {
      bytes = await session.saveRun(this.history());
    } catch (e) {
      return this.failed(e);
    }
    const key = this.key;
    this.writing = writeSnapshot(key, bytes, { ...about, step })
      .then((saved) => {
        this.savedStep = step;
        this.failing = false;
        this.post({ type: 'snapshot', ...saved });
      }, (e) => this.failed(e))
      .finally(() => (this.writing = null));
  }

  failed(e) {
    if (!this.failing) this.post({ type: 'snapshot-failed', message: String(e?.message ?? e), full: Boolean(e?.full) });
    this.failing = true;
  }

  /** The newest snapshot on disk: { file, info }, or null (after the write in progress). */
  async latest() {
    if (this.key === null) return null;
    await this.writing;
    const info = await describeSnapshot(this.key);
    return info && { info, file: await snapshotFile(this.key, info.slot) };
  }
}
