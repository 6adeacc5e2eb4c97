import { Cron } from 'croner';
import type { SyncMode } from '../config/schema.js';
import type { SyncResult } from '../engine/result.js';
import { toSyncError, UsageError } from '../errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { cronExpressionError } from '../config/cronExpression.js';

export interface SyncDaemonOptions {
  /** When the full sync runs: a cron expression (5 fields, or 6 with seconds first). */
  fullSyncCron: string;
  /** Minutes between incremental syncs (fractions allowed); 0 turns them off. */
  incrementalEveryMinutes: number;
  /** Runs one sync; it must stop before its next table once `signal` is aborted. */
  runSync: (mode: SyncMode, signal: AbortSignal) => Promise<SyncResult>;
  logger?: Logger | undefined;
}

export type RunOutcome = 'ok' | 'errors' | 'failed' | 'stopped';

/** One finished run, as its status line reports it. */
export interface DaemonRun {
  id: number;
  mode: SyncMode;
  startedAt: Date;
  finishedAt: Date;
  outcome: RunOutcome;
}

/**
 * Runs the full sync on a cron schedule and an incremental sync every N minutes, one sync at a
 * time. When a sync is due while another runs: a due full sync is queued (at most one waits, and it
 * runs as soon as the current one ends); a due incremental sync is skipped, since the next one comes
 * N minutes later anyway. Every run logs one status line. `close()` stops the timers, asks the
 * running sync to stop before its next table, and waits for it.
 */
export class SyncDaemon {
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private cron: Cron | undefined;
  private interval: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private currentRun: { id: number; mode: SyncMode } | undefined;
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
  }

  /** Starts the timers. */
  start(): void {
    if (this.started) throw new UsageError('the daemon was already started');
    this.started = true;
    this.cron = new Cron(this.options.fullSyncCron, () => this.due('full'));
    const everyMs = this.options.incrementalEveryMinutes * 60_000;
    if (everyMs > 0) this.interval = setInterval(() => this.due('incremental'), Math.max(everyMs, 100));
    this.logger.info(
      `daemon started: full sync at "${this.options.fullSyncCron}" (next ${this.nextFullSync()?.toISOString() ?? 'never'}), ` +
        (everyMs > 0 ? `incremental sync every ${this.options.incrementalEveryMinutes} min` : 'no incremental syncs'),
    );
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
    this.fullQueued = false;
    if (this.currentRun) this.logger.info(`daemon stopping: run ${this.currentRun.id} (${this.currentRun.mode}) stops after the table in progress`);
    this.abort.abort();
    while (this.current) await this.current;
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

  /** When the next full sync is due. */
  nextFullSync(): Date | null {
    return this.cron?.nextRun() ?? null;
  }

  private due(mode: SyncMode): void {
    if (this.closed) return;
    const running = this.currentRun;
    if (!running) {
      this.launch(mode);
      return;
    }
    if (mode === 'incremental') {
      this.logger.info(`incremental sync due while run ${running.id} (${running.mode}) is in progress: skipped`);
    } else if (!this.fullQueued) {
      this.fullQueued = true;
      this.logger.info(`full sync due while run ${running.id} (${running.mode}) is in progress: queued`);
    } else {
      this.logger.debug(`full sync due while run ${running.id} is in progress: one is already queued`);
    }
  }

  private launch(mode: SyncMode): void {
    const id = this.nextId++;
    this.currentRun = { id, mode };
    this.current = this.runOne(id, mode)
      .catch((error: unknown) => this.logger.error(`daemon run ${id} (${mode}): ${toSyncError(error).message}`))
      .finally(() => {
        this.current = undefined;
        this.currentRun = undefined;
        if (this.fullQueued && !this.closed) {
          this.fullQueued = false;
          this.launch('full');
        }
      });
  }

  private async runOne(id: number, mode: SyncMode): Promise<void> {
    const startedAt = new Date();
    this.logger.info(`daemon run ${id} (${mode}): started`);
    let outcome: RunOutcome;
    let detail: string;
    try {
      const result = await this.options.runSync(mode, this.abort.signal);
      ({ outcome, detail } = describeResult(result, this.abort.signal.aborted));
    } catch (error) {
      const e = toSyncError(error);
      outcome = 'failed';
      detail = `${e.message} [${e.code}]`;
    }
    const finishedAt = new Date();
    this.finished.push({ id, mode, startedAt, finishedAt, outcome });
    const line = `daemon run ${id} (${mode}): ${outcome}, ${detail}, ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(1)} s`;
    if (outcome === 'ok') this.logger.info(line);
    else if (outcome === 'stopped') this.logger.warn(line);
    else this.logger.error(line);
  }
}

function describeResult(result: SyncResult, aborted: boolean): { outcome: RunOutcome; detail: string } {
  const tables = result.tables.length;
  const pulled = result.tables.reduce((n, t) => n + t.rowsPulled, 0);
  const pushed = result.tables.reduce((n, t) => n + t.rowsPushed, 0);
  const rows = `${pulled} rows pulled${pushed ? `, ${pushed} pushed` : ''}`;
  const notStarted = result.tables.filter((t) => t.errorCode === 'E_ABORTED').length;
  if (aborted && notStarted > 0) return { outcome: 'stopped', detail: `${tables - notStarted} of ${tables} table(s) done, ${rows}` };
  const failed = result.tables.filter((t) => t.status === 'error');
  if (failed.length) {
    const first = failed[0];
    return { outcome: 'errors', detail: `${failed.length} of ${tables} table(s) failed (${first?.name}: ${first?.error ?? 'error'}), ${rows}` };
  }
  return { outcome: 'ok', detail: `${tables} table(s), ${rows}` };
}
