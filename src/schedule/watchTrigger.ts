import { sameFileStamp, type FileStamp } from '../db/fileStamp.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { WatchSnapshot } from '../run/watchStateFile.js';
import { FileWatcher } from './fileWatcher.js';

/** How a run ended, as far as the watched pushes care. */
export type RunEnd =
  | { kind: 'ok' }
  /** Stopped before its tables (the daemon is closing). */
  | { kind: 'stopped' }
  /** The local file was held by another process (`holder`: who, as DuckDB said). */
  | { kind: 'locked'; holder: string }
  | { kind: 'failed'; transient: boolean; message: string };

export interface WatchTriggerOptions {
  /** The local database file. */
  path: string;
  /** Quiet after the last write before a push starts. */
  debounceMs: number;
  /** While writes keep coming, a push starts at least this long after the first one waiting. */
  maxDelayMs: number;
  /** How often the file's stamp is read without a file event. */
  pollMs: number;
  /** The stamp the last sync recorded when it let go of the file, and when (settledStore.ts). */
  lastRecord: () => { stamp: FileStamp; recordedAt: number | undefined } | undefined;
  /** Asks for a watched push; the daemon runs it now, or ignores it while another run is in progress. */
  request: () => void;
  /** Receives the state whenever it changes. */
  onState?: ((snapshot: WatchSnapshot) => void) | undefined;
  /** Use the operating system's file events besides polling; default true. */
  fileEvents?: boolean | undefined;
  /** Delays between attempts while the file is held (from first to max, doubling) and after failed pushes. */
  retry?: WatchRetryDelays | undefined;
  logger?: Logger | undefined;
}

/** Delays between a watched push's attempts: on a held local file, and after a failure (each doubling up to its maximum). */
export interface WatchRetryDelays {
  lockFirstMs: number;
  lockMaxMs: number;
  failureFirstMs: number;
  failureMaxMs: number;
}

const DEFAULT_RETRY: WatchRetryDelays = { lockFirstMs: 250, lockMaxMs: 2000, failureFirstMs: 1000, failureMaxMs: 60_000 };

/**
 * Decides when the daemon pushes local writes made by any program (`daemon --watch`).
 *
 * A write is waiting while the local file's stamp differs from the one the last sync recorded when
 * it let go of the file (settledStore.ts): that holds across restarts and whoever synced last (this
 * daemon, a library app, a manual `duckdb-sync sync`), and the daemon's own writes never count,
 * since every sync records the stamp it leaves. A push starts after `debounceMs` of quiet, or
 * `maxDelayMs` after the first waiting write while writes keep coming. A push that finds the file
 * held by another process is tried again every `lockFirstMs`…`lockMaxMs` (doubling), and soon after
 * any write seen meanwhile (most likely the holder closing the file), logged once; a push that
 * failed otherwise is retried with a doubling delay, and a failure no retry can mend (a file that
 * is no database) waits for the next write. While a run holds the file, the file is not read at
 * all (fileWatcher.ts pauses): reading it would drop DuckDB's lock (db/fileStamp.ts).
 */
export class WatchTrigger {
  private readonly logger: Logger;
  private readonly retry: WatchRetryDelays;
  private readonly watcher: FileWatcher;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private runStartedAt = 0;
  private closed = false;
  private waitingSince: number | undefined;
  private lastWriteAt = 0;
  private lockedSince: number | undefined;
  private lockHolder: string | undefined;
  private lockAttempts = 0;
  private failures = 0;
  private lastPushAt: number | undefined;
  private gone = false;
  /** The stamp the last run left, when that run could not record it (an unwritable cache folder). */
  private fallback: { stamp: FileStamp | undefined; at: number } | undefined;
  private warnedNoRecord = false;

  get debounceMs(): number {
    return this.options.debounceMs;
  }

  get maxDelayMs(): number {
    return this.options.maxDelayMs;
  }

  constructor(private readonly options: WatchTriggerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.watcher = new FileWatcher({
      path: options.path,
      pollMs: options.pollMs,
      fileEvents: options.fileEvents,
      logger: this.logger,
      onChange: (stamp) => this.changed(stamp),
    });
  }

  /** Starts watching; writes made while nothing watched (the file differs from the last sync's) are pushed too. */
  start(): void {
    this.watcher.start();
    const stamp = this.watcher.stamp;
    if (stamp && this.unsynced(stamp)) {
      this.logger.info(`local file ${this.options.path} was written since its last sync: pushing it`);
      this.noticeWrite();
    }
  }

  close(): void {
    this.closed = true;
    this.watcher.close();
    this.clearTimer();
  }

  /** Whether local writes are waiting for a push. */
  get waiting(): boolean {
    return this.waitingSince !== undefined;
  }

  /** A run (watched or scheduled) starts: it syncs what is there, so nothing is due while it runs. */
  runStarted(): void {
    this.running = true;
    // The run opens the file in this process: reading it meanwhile would drop DuckDB's lock.
    this.watcher.pause();
    this.runStartedAt = Date.now();
    this.clearTimer();
  }

  /** A run ended: writes it did not take are still waiting; a failed push is retried. */
  runFinished(end: RunEnd): void {
    this.running = false;
    // The run has closed the file: it can be read again. Also after close(): the state the daemon
    // reports at its exit (no new attempt is scheduled then).
    this.watcher.resume();
    const stamp = this.watcher.stamp;
    switch (end.kind) {
      case 'ok':
        this.pushed(stamp);
        return;
      case 'stopped':
        return;
      case 'locked':
        if (this.waitingSince !== undefined) this.heldByAnother(end.holder);
        return;
      case 'failed':
        if (this.waitingSince !== undefined) this.failed(end);
    }
  }

  private changed(stamp: FileStamp | undefined): void {
    // The daemon's own run writes the file: what it leaves is judged when it ends.
    if (this.running || this.closed) return;
    if (!stamp) {
      if (!this.gone) {
        this.logger.warn(`local file ${this.options.path} is gone (deleted or moved): watched pushes wait until it is back`);
        this.gone = true;
      }
      this.settle();
      return;
    }
    if (this.gone) {
      this.gone = false;
      this.logger.info(`local file ${this.options.path} is back: its tables are compared with their baselines`);
    }
    if (!this.unsynced(stamp)) {
      // Synced by someone else (a library app, `duckdb-sync sync`) since the write was noticed.
      if (this.waitingSince !== undefined) this.logger.debug('local writes were synced by another run: nothing waiting');
      this.settle();
      return;
    }
    this.noticeWrite();
  }

  private noticeWrite(): void {
    const now = Date.now();
    this.lastWriteAt = now;
    if (this.waitingSince === undefined) {
      this.waitingSince = now;
      this.logger.debug(`local write noticed in ${this.options.path}`);
      this.publish();
    }
    // A write while the file is held: most likely its holder closing it (a checkpoint), so the next
    // attempt comes soon. While a failure is waited out, its own timer decides.
    if (this.lockedSince !== undefined) this.setTimer(this.retry.lockFirstMs);
    else if (this.failures === 0) this.scheduleDebounced();
  }

  private scheduleDebounced(): void {
    const since = this.waitingSince ?? Date.now();
    const due = Math.min(this.lastWriteAt + this.options.debounceMs, since + this.options.maxDelayMs);
    this.setTimer(due - Date.now());
  }

  private pushed(stamp: FileStamp | undefined): void {
    if (this.lockedSince !== undefined) {
      this.logger.info(`the local file was let go after ${((Date.now() - this.lockedSince) / 1000).toFixed(1)} s: pushed`);
    }
    this.lockedSince = undefined;
    this.lockHolder = undefined;
    this.lockAttempts = 0;
    this.failures = 0;
    const record = this.options.lastRecord();
    if (record && (record.recordedAt ?? 0) >= this.runStartedAt) {
      this.fallback = undefined;
    } else {
      this.fallback = { stamp, at: Date.now() };
      if (!this.warnedNoRecord) {
        this.warnedNoRecord = true;
        this.logger.warn(
          'the sync could not record the local file\'s state in the cache folder: a write made in the instant after a push waits for the next write or scheduled sync',
        );
      }
    }
    this.lastPushAt = Date.now();
    if (stamp && this.unsynced(stamp)) {
      // Written between the sync's record and now.
      this.waitingSince = undefined;
      this.noticeWrite();
      return;
    }
    this.settle();
  }

  private heldByAnother(holder: string): void {
    if (this.lockedSince === undefined) {
      this.lockedSince = Date.now();
      this.lockHolder = holder;
      this.logger.info(`local file is held by another process (${holder}): the push waits until it lets go`);
      this.publish();
    }
    const delay = Math.min(this.retry.lockFirstMs * 2 ** this.lockAttempts, this.retry.lockMaxMs);
    this.lockAttempts++;
    this.logger.debug(`local file still held: next attempt in ${delay} ms`);
    this.setTimer(delay);
  }

  private failed(end: { transient: boolean; message: string }): void {
    this.lockedSince = undefined;
    this.lockHolder = undefined;
    this.lockAttempts = 0;
    if (!end.transient) {
      this.failures = 0;
      this.logger.warn(`the local writes were not pushed (${end.message}): tried again after the next write or scheduled sync`);
      this.publish();
      return;
    }
    const delay = Math.min(this.retry.failureFirstMs * 2 ** this.failures, this.retry.failureMaxMs);
    this.failures++;
    this.logger.warn(`the local writes were not pushed (${end.message}): retried in ${(delay / 1000).toFixed(1)} s`);
    this.publish();
    this.setTimer(delay);
  }

  /** Nothing waiting. */
  private settle(): void {
    this.clearTimer();
    const was = this.waitingSince !== undefined || this.lockedSince !== undefined;
    this.waitingSince = undefined;
    this.lockedSince = undefined;
    this.lockHolder = undefined;
    this.lockAttempts = 0;
    this.failures = 0;
    if (was) this.publish();
  }

  /** Whether `stamp` differs from what the last sync left. */
  private unsynced(stamp: FileStamp): boolean {
    const record = this.options.lastRecord();
    const fallback = this.fallback;
    const reference = fallback && (!record || (record.recordedAt ?? 0) < fallback.at) ? fallback.stamp : record?.stamp;
    return reference === undefined || !sameFileStamp(stamp, reference);
  }

  private setTimer(ms: number): void {
    this.clearTimer();
    if (this.closed) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (!this.running && !this.closed) this.options.request();
      },
      Math.max(0, ms),
    );
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private publish(): void {
    this.options.onState?.({
      waitingSince: this.waitingSince ?? null,
      lockedSince: this.lockedSince ?? null,
      lockHolder: this.lockHolder ?? null,
      lastPushAt: this.lastPushAt ?? null,
    });
  }
}
