import { Cron } from 'croner';
import type { SyncMode } from '../config/schema.js';
import { LockError, toSyncError, UsageError, type SyncError } from '../errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { cronExpressionError } from '../config/cronExpression.js';
import { SettledStore } from '../engine/state/settledStore.js';
import { WatchStateFile } from '../run/watchStateFile.js';
import { sameFile } from './sameFile.js';
import { SCHEDULE_DEFAULTS } from './scheduleSettings.js';
import { WatchTrigger, type RunEnd, type WatchRetryDelays } from './watchTrigger.js';
import type { SyncResult } from '../engine/api.js';

/** What started a run: the schedule (cron or the incremental interval), or a watched local write. */
export type RunTrigger = 'schedule' | 'watch';

export interface SyncDaemonOptions {
  /** When the full sync runs: a cron expression (5 fields, or 6 with seconds first). */
  fullSyncCron: string;
  /** Minutes between incremental syncs (fractions allowed); 0 turns them off. */
  incrementalEveryMinutes: number;
  /**
   * Runs one sync; it must stop before its next table once `signal` is aborted. A watched push
   * (`trigger` watch) should fail at once on a held local file: the daemon waits for it itself.
   */
  runSync: (mode: SyncMode, signal: AbortSignal, trigger: RunTrigger) => Promise<SyncResult>;
  /** Pushes local writes made by any program soon after they are made (`daemon --watch`). */
  watch?: WatchSettings | undefined;
  logger?: Logger | undefined;
}

export type RunOutcome = 'ok' | 'errors' | 'failed' | 'stopped';

/** What `watch` watches and when it pushes. */
export interface WatchSettings {
  /** The local database file (the config's `local`). */
  local: string;
  /** duckdb-sync's cache folder (the config's `cacheDir`): where syncs record the state they leave the file in. */
  cacheDir: string;
  /** Quiet after the last write before a push; default 2000 ms. */
  debounceMs?: number | undefined;
  /** While writes keep coming, a push starts at least this long after the first one waiting; default 5000 ms. */
  maxDelayMs?: number | undefined;
  /** How often the file's stamp is read besides file events; default 1000 ms. */
  pollMs?: number | undefined;
  /** Delays between attempts (tests). */
  retry?: WatchRetryDelays | undefined;
}

/** One finished run, as its status line reports it. */
export interface DaemonRun {
  id: number;
  mode: SyncMode;
  trigger: RunTrigger;
  startedAt: Date;
  finishedAt: Date;
  outcome: RunOutcome;
}

/**
 * Runs the full sync on a cron schedule and an incremental sync every N minutes, one sync at a
 * time; with `watch`, also an incremental sync soon after any program wrote the local file
 * (watchTrigger.ts decides when). When a sync is due while another runs: a due full sync is queued
 * (at most one waits, and it runs as soon as the current one ends); a due incremental sync is
 * skipped, since the next one comes N minutes later anyway; a watched push is asked for again when
 * the run ends, if that run left writes waiting. Every run logs one status line. `close()` stops
 * the timers, asks the running sync to stop before its next table, and waits for it.
 */
export class SyncDaemon {
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private cron: Cron | undefined;
  private interval: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private currentRun: { id: number; mode: SyncMode; trigger: RunTrigger } | undefined;
  /** The number of a watched push that found the local file held, kept for its next attempt. */
  private heldRunId: number | undefined;
  private readonly watch: WatchTrigger | undefined;
  /** What `duckdb-sync status` reads about the watched pushes. */
  private readonly stateFile: WatchStateFile | undefined;
  private watchingSince = 0;
  private fullQueued = false;
  private started = false;
  private closed = false;
  private nextId = 1;
  private readonly finished: DaemonRun[] = [];

  constructor(private readonly options: SyncDaemonOptions) {
    this.logger = options.logger ?? silentLogger;
    const cronError = cronExpressionError(options.fullSyncCron);
    if (cronError) throw new UsageError(cronError, 'for example "0 3 * * *" (03:00 daily) or "*/30 * * * * *" (every 30 seconds)');
    const every = options.incrementalEveryMinutes;
    if (!Number.isFinite(every) || every < 0) throw new UsageError(`invalid incremental interval: ${every} minutes`, 'use a number of minutes ≥ 0 (0: no incremental syncs)');
    const watch = options.watch;
    if (watch) {
      const store = new SettledStore(watch.cacheDir, this.logger);
      this.stateFile = new WatchStateFile(watch.cacheDir, watch.local);
      this.watch = new WatchTrigger({
        path: watch.local,
        debounceMs: watch.debounceMs ?? SCHEDULE_DEFAULTS.watchDebounceMs,
        maxDelayMs: watch.maxDelayMs ?? SCHEDULE_DEFAULTS.watchMaxDelayMs,
        pollMs: watch.pollMs ?? SCHEDULE_DEFAULTS.watchPollMs,
        retry: watch.retry,
        lastRecord: () => store.lastRecord(watch.local),
        onState: (snapshot) => this.stateFile?.write({ pid: process.pid, since: this.watchingSince, ...snapshot }),
        logger: this.logger,
        request: () => this.due('incremental', 'watch'),
      });
    }
  }

  /** Starts the timers. */
  start(): void {
    if (this.started) throw new UsageError('the daemon was already started');
    this.started = true;
    this.cron = new Cron(this.options.fullSyncCron, () => this.due('full'));
    const everyMs = this.options.incrementalEveryMinutes * 60_000;
    if (everyMs > 0) this.interval = setInterval(() => this.due('incremental'), Math.max(everyMs, 100));
    const watch = this.options.watch;
    this.logger.info(
      `daemon started: full sync at "${this.options.fullSyncCron}" (next ${this.nextFullSync()?.toISOString() ?? 'never'}), ` +
        (everyMs > 0 ? `incremental sync every ${this.options.incrementalEveryMinutes} min` : 'no incremental syncs') +
        (this.watch && watch ? `, watching ${watch.local} (a push ${this.watch.debounceMs} ms after the last write, at most ${this.watch.maxDelayMs} ms after the first)` : ''),
    );
    this.watchingSince = Date.now();
    this.stateFile?.write({ pid: process.pid, since: this.watchingSince, waitingSince: null, lockedSince: null, lockHolder: null, lastPushAt: null });
    this.watch?.start();
  }

  /** Stops the timers and any queued run; the running sync stops before its next table. */
  async close(): Promise<void> {
    if (this.closed) {
      while (this.current) await this.current;
      return;
    }
    this.closed = true;
    this.cron?.stop();
    if (this.interval) clearInterval(this.interval);
    this.watch?.close();
    this.fullQueued = false;
    if (this.currentRun) this.logger.info(`daemon stopping: run ${this.currentRun.id} (${runLabel(this.currentRun)}) stops after the table in progress`);
    this.abort.abort();
    while (this.current) await this.current;
    this.stateFile?.remove();
    if (this.heldRunId !== undefined) this.logger.warn(`daemon run ${this.heldRunId} (watched push): stopped, the local file was still held by another process; the next sync pushes its writes`);
    this.logger.info(`daemon stopped after ${this.finished.length} run(s)`);
  }

  /** Whether a sync is running now. */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Finished runs, oldest first. */
  get runs(): readonly DaemonRun[] {
    return this.finished;
  }

  /** Whether local writes wait for a watched push. */
  get writesWaiting(): boolean {
    return this.watch?.waiting ?? false;
  }

  /** When the next full sync is due. */
  nextFullSync(): Date | null {
    return this.cron?.nextRun() ?? null;
  }

  private due(mode: SyncMode, trigger: RunTrigger = 'schedule'): void {
    if (this.closed) return;
    const running = this.currentRun;
    if (!running) {
      this.launch(mode, trigger);
      return;
    }
    // A watched push is asked for again when the run in progress ends, if writes still wait.
    if (trigger === 'watch') return;
    if (mode === 'incremental') {
      this.logger.info(`incremental sync due while run ${running.id} (${runLabel(running)}) is in progress: skipped`);
    } else if (!this.fullQueued) {
      this.fullQueued = true;
      this.logger.info(`full sync due while run ${running.id} (${runLabel(running)}) is in progress: queued`);
    } else {
      this.logger.debug(`full sync due while run ${running.id} is in progress: one is already queued`);
    }
  }

  private launch(mode: SyncMode, trigger: RunTrigger): void {
    // A watched push retried while the local file is held keeps its run's number and start line.
    const retrying = trigger === 'watch' ? this.heldRunId : undefined;
    const id = retrying ?? this.nextId++;
    if (this.heldRunId !== undefined && retrying === undefined) this.logger.info(`daemon run ${this.heldRunId} (watched push): gives way to run ${id} (${mode}), which syncs the same writes`);
    this.heldRunId = undefined;
    const run = { id, mode, trigger };
    this.currentRun = run;
    this.watch?.runStarted();
    this.current = this.runOne(run, retrying !== undefined)
      .catch((error: unknown): RunEnd => {
        this.logger.error(`daemon run ${id} (${runLabel(run)}): ${toSyncError(error).message}`);
        return { kind: 'failed', transient: true, message: toSyncError(error).message };
      })
      .then((end) => {
        this.current = undefined;
        this.currentRun = undefined;
        this.watch?.runFinished(end);
        if (this.fullQueued && !this.closed) {
          this.fullQueued = false;
          this.launch('full', 'schedule');
        }
      });
  }

  private async runOne(run: { id: number; mode: SyncMode; trigger: RunTrigger }, retrying: boolean): Promise<RunEnd> {
    const { id, mode, trigger } = run;
    const startedAt = new Date();
    const started = `daemon run ${id} (${runLabel(run)}): ${retrying ? 'trying again' : 'started'}`;
    if (retrying) this.logger.debug(started);
    else this.logger.info(started);
    let described: Described;
    try {
      described = describeResult(await this.options.runSync(mode, this.abort.signal, trigger), this.abort.signal.aborted);
    } catch (error) {
      described = describeFailure(toSyncError(error), this.options.watch?.local);
    }
    const { outcome, detail, end } = described;
    // A watched push that found the file held is not a run yet: it is tried again, quietly, under the
    // same number (the wait is logged once, watchTrigger.ts).
    if (end.kind === 'locked' && trigger === 'watch' && !this.closed) {
      this.heldRunId = id;
      return end;
    }
    const finishedAt = new Date();
    this.finished.push({ id, mode, trigger, startedAt, finishedAt, outcome });
    const line = `daemon run ${id} (${runLabel(run)}): ${outcome}, ${detail}, ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(1)} s`;
    if (outcome === 'ok') this.logger.info(line);
    else if (outcome === 'stopped') this.logger.warn(line);
    else this.logger.error(line);
    return end;
  }
}

function runLabel(run: { mode: SyncMode; trigger: RunTrigger }): string {
  return run.trigger === 'watch' ? 'watched push' : run.mode;
}

/** A run's outcome, its status line's detail, and what it means to the watched pushes. */
interface Described {
  outcome: RunOutcome;
  detail: string;
  end: RunEnd;
}

function describeResult(result: SyncResult, aborted: boolean): Described {
  const tables = result.tables.length;
  const pulled = result.tables.reduce((n, t) => n + t.rowsPulled, 0);
  const pushed = result.tables.reduce((n, t) => n + t.rowsPushed, 0);
  const rows = `${pulled} rows pulled${pushed ? `, ${pushed} pushed` : ''}`;
  const notStarted = result.tables.filter((t) => t.errorCode === 'E_ABORTED').length;
  if (aborted && notStarted > 0) return { outcome: 'stopped', detail: `${tables - notStarted} of ${tables} table(s) done, ${rows}`, end: { kind: 'stopped' } };
  const failed = result.tables.filter((t) => t.status === 'error');
  const first = failed[0];
  if (first) {
    const message = `${first.name}: ${first.error ?? 'error'}`;
    return { outcome: 'errors', detail: `${failed.length} of ${tables} table(s) failed (${message}), ${rows}`, end: { kind: 'failed', transient: true, message } };
  }
  return { outcome: 'ok', detail: `${tables} table(s), ${rows}`, end: { kind: 'ok' } };
}

/** A run that threw: held by another process when the lock is on the watched local file. */
function describeFailure(e: SyncError, watched: string | undefined): Described {
  const held = e instanceof LockError && watched !== undefined && sameFile(e.file, watched);
  const holder = e instanceof LockError && e.pid !== undefined ? `PID ${e.pid}${e.holder ? `, ${e.holder}` : ''}` : 'another process';
  return {
    outcome: 'failed',
    detail: `${e.message} [${e.code}]`,
    end: held ? { kind: 'locked', holder } : { kind: 'failed', transient: e.transient, message: e.message },
  };
}
