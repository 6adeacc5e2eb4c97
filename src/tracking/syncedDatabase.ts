import type { DuckDBConnection } from '@duckdb/node-api';
import { EventEmitter } from 'node:events';
import { dismissConflictsIn, restoreConflictsIn, type DismissTarget } from '../run/conflicts.js';
import { viewConflict, type ConflictView } from '../engine/conflicts/conflictView.js';
import { readConflicts, type ConflictFilter } from '../engine/state/conflictLog.js';
import { existsSync } from 'node:fs';
import { closeAfterFailure, resolveConfig, type CommonOptions } from '../run/session.js';
import { runSync, type SyncRunOptions } from '../run/sync.js';
import type { ResolvedConfig } from '../config/resolvedConfig.js';
import { Database, type Row, type SqlParams } from '../db/database.js';
import { parseRemote } from '../remote/parseRemote.js';
import { WalReplayBudget } from '../db/walReplayBudget.js';
import { readDirtyMarks } from '../engine/state/dirtyMarks.js';
import { ensureStateTables } from '../engine/state/stateTables.js';
import { readStateVersion } from '../engine/state/stateValues.js';
import { DatabaseError, UsageError, type SyncError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import { loadSqlParser } from '../sql/sqlParser.js';
import { DirtyTracker } from './dirtyTracker.js';
import { Pusher } from './pusher.js';
import { TrackedConnection } from './trackedConnection.js';
import type { StatementResult } from './statementResult.js';
import { KeyedWrites } from './keyedWrites.js';
import { trackedSync } from './trackedSync.js';
import { SettledStore } from '../engine/state/settledStore.js';
import { StampReader } from '../db/fileStamp.js';
import type { SyncResult } from '../engine/api.js';

export interface SyncedDatabaseOptions extends CommonOptions {
  /** Push written tables in the background (default true). Off: only flush() and close() push. */
  autoSync?: boolean | undefined;
  /** Quiet time after the last write before a background push, in ms (default 1000). */
  debounceMs?: number | undefined;
  /**
   * The longest a write waits for its background push while writes keep coming, in ms (default
   * 5000): an application that never pauses for `debounceMs` is still pushed this often.
   */
  maxPushDelayMs?: number | undefined;
  /** First delay before retrying a failed background push, in ms (default 1000; doubles up to 30 s). */
  pushRetryMs?: number | undefined;
  /**
   * When the local database has never been synced: a full sync when opening, so the application
   * starts from the remote's content (default true).
   */
  initialSync?: boolean | undefined;
}

export interface SyncedDatabaseEvents {
  /** A background push or flush() pushed changes. */
  push: [SyncResult];
  /** A push failed (the changes stay marked and are retried). Without a listener, only the logger hears it. */
  error: [SyncError];
  /** A push or sync kept conflicts for a table (list them with listConflicts()). */
  conflict: [ConflictEvent];
}

/** One table's conflicts kept by one push or sync. */
export interface ConflictEvent {
  table: string;
  /** Conflicts kept in this run (each is a record listConflicts() shows). */
  conflicts: number;
}

/**
 * A local DuckDB database whose writes are pushed to the remote. Writes through `run()` mark their
 * tables dirty durably before they return; a debounced background push sends them. Open one with
 * `openSyncedDatabase()`.
 */
export class SyncedDatabase extends EventEmitter<SyncedDatabaseEvents> {
  private closed = false;

  private constructor(
    private readonly db: Database,
    private readonly tracked: TrackedConnection,
    private readonly advanced: DuckDBConnection,
    private readonly pusher: Pusher,
    private readonly tracker: DirtyTracker,
    private readonly keyed: KeyedWrites,
    readonly config: ResolvedConfig,
    private readonly autoSync: boolean,
    /** The local file's stamp, read while it is open; closed after it (db/fileStamp.ts says why). */
    private readonly stamps: StampReader,
  ) {
    super();
  }

  /**
   * A DuckDB connection of its own for advanced use; its writes are found by the next sync's
   * comparison. Once it is used, every push compares whole tables (its writes say nothing of their rows).
   */
  get connection(): DuckDBConnection {
    this.keyed.untracked();
    return this.advanced;
  }

  /** @internal use openSyncedDatabase() */
  static async open(options: SyncedDatabaseOptions): Promise<SyncedDatabase> {
    const config = resolveConfig(options);
    const logger = options.logger ?? silentLogger;
    // Checked before anything is opened.
    const delays = { debounceMs: delayOption(options, 'debounceMs', 1000), maxDelayMs: delayOption(options, 'maxPushDelayMs', 5000), retryMs: delayOption(options, 'pushRetryMs', 1000) };
    const parser = await loadSqlParser();
    const isNew = !existsSync(config.local);
    const db = await Database.open({
      local: config.local,
      remote: parseRemote(config.remote, { fingerprints: options.fingerprints }),
      motherduckToken: config.motherduckToken,
      maxRetries: config.maxRetries,
      retryDelayMs: config.retryDelayMs,
      memoryLimit: config.memoryLimit,
      logger,
      walReplayBudget: new WalReplayBudget(),
    });
    const connections: DuckDBConnection[] = [];
    const stamps = new StampReader(config.local);
    try {
      if ((await readStateVersion(db)) === 0 && options.initialSync !== false) {
        logger.info(`first use of ${config.local}: full sync from ${config.remote}`);
        const { result: first } = await runSync(db, config, logger, { mode: 'full' });
        const failed = first.tables.filter((t) => t.status === 'error');
        if (failed.length) throw new DatabaseError(`the first sync failed: ${failed.map((t) => `${t.name}: ${t.error ?? ''}`).join('; ')}`);
      }
      await ensureStateTables(db);
      const app = await db.connect();
      connections.push(app);
      const advanced = await db.connect();
      connections.push(advanced);
      // The pusher reports to the SyncedDatabase built below.
      const self: { db?: SyncedDatabase } = {};
      const tracker = new DirtyTracker();
      // The file is held open from here: the tables the last sync left settled are still so (keyedWrites.ts).
      const keyed = new KeyedWrites(isNew ? [] : new SettledStore(config.cacheDir, logger).unchangedTables(config.local, stamps.read()));
      const autoSync = options.autoSync !== false;
      const pusher = new Pusher({
        push: () => trackedSync(db, config, tracker, keyed, { mode: 'incremental', direction: 'push', onlyDirty: true }),
        ...delays,
        retry: autoSync,
        logger,
        onPushed: (result) => {
          self.db?.emit('push', result);
          self.db?.emitConflicts(result);
        },
        // The pusher logs each failure it retries; flush() callers get the error itself.
        onError: (error) => {
          if (self.db && self.db.listenerCount('error') > 0) self.db.emit('error', error);
        },
      });
      const tracked = await TrackedConnection.create(app, parser, tracker, keyed, () => {
        if (autoSync) pusher.schedule();
      });
      const synced = new SyncedDatabase(db, tracked, advanced, pusher, tracker, keyed, config, autoSync, stamps);
      self.db = synced;
      // Tables written before the last process ended (even if it was killed) are pushed now.
      if (autoSync && (await readDirtyMarks(db)).length) pusher.schedule();
      return synced;
    } catch (error) {
      for (const c of connections) c.closeSync();
      await closeAfterFailure(db, config.local, isNew);
      stamps.close();
      throw error;
    }
  }

  /** Runs SQL (one or more statements); returns the number of rows the last one changed. */
  async run(sql: string, params?: SqlParams): Promise<number> {
    const results = await this.statements(sql, params, false);
    return results.at(-1)?.rowsChanged ?? 0;
  }

  /** Runs SQL (one or more statements); returns the rows of the last one (BIGINT as bigint). */
  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    const results = await this.statements(sql, params, false);
    return (results.at(-1)?.rows ?? []) as T[];
  }

  /** Runs SQL and returns every statement's result (columns, rows, rows changed, tables marked). */
  async execute(sql: string, params?: SqlParams): Promise<StatementResult[]> {
    return this.statements(sql, params, true);
  }

  /**
   * Resolves when every change written so far through run() is on the remote (after the push in
   * progress, one more push); rejects with the error when that push fails. The changes then stay
   * marked, and the background push keeps retrying.
   */
  async flush(): Promise<SyncResult> {
    this.assertOpen();
    await this.tracked.idle();
    return this.pusher.flush();
  }

  /**
   * A sync of the whole database (default: incremental, both directions) while the application's
   * statements wait: pulls never race with the application's writes. Refused inside an open transaction.
   */
  async sync(options: SyncRunOptions = {}): Promise<SyncResult> {
    this.assertOpen();
    const result = await this.tracked.exclusive(() =>
      this.pusher.exclusive(() => trackedSync(this.db, this.config, this.tracker, this.keyed, { mode: 'incremental', ...options })),
    );
    this.emitConflicts(result);
    return result;
  }

  /** The kept conflicts, newest first (open ones unless `includeDismissed`). */
  async listConflicts(filter: ConflictFilter = {}): Promise<ConflictView[]> {
    this.assertOpen();
    return this.tracked.exclusive(async () => (await readConflicts(this.db, filter)).map(viewConflict));
  }

  /**
   * Writes the losing versions back into the local tables as local edits and marks the records
   * restored (all or none); the background push then sends them through the merge.
   */
  async restoreConflicts(ids: number[]): Promise<ConflictView[]> {
    this.assertOpen();
    const restored = await this.tracked.exclusive(() => this.pusher.exclusive(() => restoreConflictsIn(this.db, ids)));
    // Rows written outside the tracked connection.
    this.keyed.forgetAll();
    if (this.autoSync) this.pusher.schedule();
    return restored;
  }

  /** Marks records dealt with: these ids, or every open one (of these tables). */
  async dismissConflicts(target: DismissTarget): Promise<ConflictView[]> {
    this.assertOpen();
    return this.tracked.exclusive(() => this.pusher.exclusive(() => dismissConflictsIn(this.db, target)));
  }

  /** @internal emits `conflict` for each table whose run kept conflicts. */
  emitConflicts(result: SyncResult): void {
    for (const t of result.tables) if (t.conflicts > 0) this.emit('conflict', { table: t.name, conflicts: t.conflicts });
  }

  /** Pushes what is left (unless `flush: false`), then closes both databases. Safe to call twice. */
  async close(options: { flush?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    let error: unknown;
    if (options.flush !== false) {
      try {
        await this.flush();
      } catch (e) {
        error = e;
      }
    }
    this.closed = true;
    await this.tracked.idle();
    await this.pusher.close();
    this.tracked.close();
    this.advanced.closeSync();
    // Tables known to equal their baselines are recorded with the file's stamp: the next sync or
    // open need not compare them (a checkpoint first, so that the stamp is the closed file's).
    const settled = this.keyed.settledTables();
    if (settled.length && (await this.db.checkpoint().then(() => true, () => false))) new SettledStore(this.config.cacheDir, this.db.logger).record(this.config.local, settled, this.stamps.read());
    try {
      await this.db.close();
    } finally {
      this.stamps.close();
    }
    if (error) throw error;
  }

  private async statements(sql: string, params: SqlParams | undefined, keepRows: boolean): Promise<StatementResult[]> {
    this.assertOpen();
    return this.tracked.execute(sql, params, keepRows);
  }

  private assertOpen(): void {
    if (this.closed) throw new DatabaseError('the synced database is closed', { hint: 'open it again with openSyncedDatabase()' });
  }
}

/** Opens a local database kept in sync with the remote (see SyncedDatabase). */
export function openSyncedDatabase(options: SyncedDatabaseOptions = {}): Promise<SyncedDatabase> {
  return SyncedDatabase.open(options);
}

/** A delay option in ms: a whole number from 0 to a day, or its default when not given. */
function delayOption(options: SyncedDatabaseOptions, name: 'debounceMs' | 'maxPushDelayMs' | 'pushRetryMs', fallback: number): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 86_400_000) throw new UsageError(`invalid ${name}: ${String(value)}`, `give whole milliseconds from 0 to 86400000 (default ${fallback})`);
  return value;
}
