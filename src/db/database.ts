import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { DatabaseError, RemoteUnavailableError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Remote } from '../remote/remote.js';
import { openLocal } from './openLocal.js';
import { quoteIdent } from './quote.js';
import { MemoryLimit } from './failures/memoryLimit.js';
import { KnownRemoteTables } from './knownRemoteTables.js';
import { AlterCheckpoints } from './alterCheckpoints.js';
import { RemoteTraffic } from './remoteTraffic.js';
import { withRetry } from './failures/withRetry.js';
import type { DatabaseOptions, QueryProgress } from './databaseOptions.js';
import { wrapError } from './failures/wrapError.js';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

export type Row = Record<string, unknown>;

export type { DatabaseOptions, QueryProgress } from './databaseOptions.js';

/**
 * One DuckDB instance: the local file attached and made the default catalog (`USE`), the remote
 * attached under its catalog while a step needs it (a file remote stays free for other clients in
 * between; MotherDuck stays attached). Every statement that reaches the remote is counted and shown
 * to it first (`Remote.inspect`), and steps that only read are kept from writing it.
 */
export class Database {
  private attachedReadOnly: boolean | undefined;
  private holds = 0;
  private closed = false;
  /** A checkpoint after every committed local ALTER TABLE (alterCheckpoints.ts). */
  private readonly alters: AlterCheckpoints;
  /** What reaches the remote: counted, paced, checked (remoteTraffic.ts). */
  private readonly traffic: RemoteTraffic;
  /** The remote's tables as discovery listed them (knownRemoteTables.ts). */
  readonly remoteTables = new KnownRemoteTables();
  /** DuckDB's memory_limit, raised for a step that needs it when it is `auto` (memoryLimit.ts). */
  readonly memory: MemoryLimit;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly options: DatabaseOptions,
    /** The catalog the local file is attached under: its base name, unless the remote's catalog has it. */
    readonly localCatalog: string,
  ) {
    this.traffic = new RemoteTraffic(options.remote, options.logger);
    this.memory = new MemoryLimit(options.memoryLimit, async (sql) => Object.values((await this.all(sql))[0] ?? {})[0], options.logger);
    this.alters = new AlterCheckpoints(options.remote?.catalog, () => this.checkpoint(), options.logger);
  }

  /** Statements (round trips) that reached the remote since the database was opened. */
  get remoteStatements(): number {
    return this.traffic.count;
  }

  /** Opens the local file (creating it if missing), retrying while another process holds it. */
  static async open(options: DatabaseOptions): Promise<Database> {
    options.remote?.check(options.local, options.motherduckToken);
    const { instance, connection, localCatalog } = await openLocal(options);
    try {
      const db = new Database(instance, connection, options, localCatalog);
      // Fingerprints render timestamps as text, keys compare as text: both independent of the host's settings.
      await db.run("SET TimeZone = 'UTC'");
      await db.run("SET default_collation = ''");
      await db.run('SET enable_progress_bar = true');
      await db.run('SET enable_progress_bar_print = false');
      // Above it DuckDB evicts the blocks it read and spills to temp files next to the local file.
      await db.memory.apply();
      return db;
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw wrapError(error, [options.motherduckToken]);
    }
  }

  get remote(): Remote {
    if (!this.options.remote) throw new DatabaseError('no remote database given');
    return this.options.remote;
  }

  get localPath(): string {
    return this.options.local;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  /** A further connection to the same instance, on the local catalog: its own session (transactions, settings, temp tables). */
  async connect(): Promise<DuckDBConnection> {
    if (this.closed) throw new DatabaseError('the database is closed');
    const connection = await this.instance.connect();
    await connection.run(`USE ${quoteIdent(this.localCatalog)}`);
    return connection;
  }

  /** Attaches the remote for the duration of `step`, then detaches it (also on error). */
  async withRemote<T>(readOnly: boolean, step: () => Promise<T>): Promise<T> {
    await this.attachRemote(readOnly);
    const guarded = readOnly && !this.remote.readOnlyAttach;
    if (guarded) this.traffic.readOnlySteps++;
    try {
      return await step();
    } finally {
      if (guarded) this.traffic.readOnlySteps--;
      // A remote released between steps (a file) is detached unless held; others are kept until close().
      if (this.remote.releasedBetweenSteps && this.holds === 0) await this.detachRemote();
    }
  }

  /**
   * Keeps the remote attached read-write across all the steps of `body` (one attach instead of one
   * per step: a short push of a few tables), then releases a file remote.
   */
  async holdRemote<T>(body: () => Promise<T>): Promise<T> {
    await this.attachRemote(false);
    this.holds++;
    try {
      return await body();
    } finally {
      this.holds--;
      if (this.holds === 0 && this.remote.releasedBetweenSteps) await this.detachRemote();
    }
  }

  async attachRemote(wantReadOnly: boolean): Promise<void> {
    const spec = this.remote;
    // A remote that is not attached read-only for reading steps is attached read-write once.
    const readOnly = wantReadOnly && spec.readOnlyAttach;
    if (this.attachedReadOnly !== undefined) {
      if (this.attachedReadOnly === readOnly || !this.attachedReadOnly) return;
      await this.detachRemote();
    }
    // A remote never detached (MotherDuck in workspace mode) is still attached after a reset: looked up
    // locally, not as a round trip (the name as a parameter would count as one).
    const attached = async (): Promise<boolean> => (await this.connection.runAndReadAll('SELECT 1 FROM duckdb_databases() WHERE database_name = $1', [spec.catalog])).currentRowCount > 0;
    if (spec.detachStatement() === undefined && (await attached())) {
      this.attachedReadOnly = readOnly;
      return;
    }
    await spec.prepare((sql) => this.connection.run(sql), this.options.motherduckToken);
    const walBytes = spec.walBytes();
    // The attach that succeeds, without the waits for a lock: replays the WAL, if any.
    let ms = 0;
    await withRetry(
      async () => {
        const started = performance.now();
        await this.run(spec.attachStatement(readOnly));
        ms = performance.now() - started;
      },
      { maxRetries: this.options.maxRetries, delayMs: this.options.retryDelayMs, logger: this.options.logger, what: `attach ${spec.uri}` },
    );
    this.options.walReplayBudget?.attached(ms, walBytes);
    this.attachedReadOnly = readOnly;
    await spec.afterAttach(async (sql) => (await this.connection.runAndReadAll(sql)).getRowObjectsJS());
    const note = spec.attachNote;
    this.options.logger.debug(`attached remote ${spec.uri}${readOnly ? ' (read-only)' : ''}${walBytes ? ` (WAL of ${walBytes} bytes replayed, ${ms.toFixed(0)} ms)` : ''}${note ? ` (${note})` : ''}`);
  }

  async detachRemote(): Promise<void> {
    if (this.attachedReadOnly === undefined) return;
    const wasReadOnly = this.attachedReadOnly;
    this.attachedReadOnly = undefined;
    const spec = this.remote;
    const detach = spec.detachStatement();
    if (!detach) {
      // Never detached (MotherDuck in workspace mode): closing the instance ends the session.
      this.options.logger.debug(`left remote ${spec.uri} attached (${spec.attachNote ?? 'never detached'})`);
      return;
    }
    const budget = this.options.walReplayBudget;
    const walBytes = wasReadOnly ? 0 : spec.walBytes();
    const skipCheckpoint = budget ? await budget.detach((sql) => this.run(sql), detach, walBytes) : await this.run(detach).then(() => false);
    this.options.logger.debug(`detached remote ${spec.uri}${skipCheckpoint ? ` (no checkpoint: ${walBytes} bytes of WAL left)` : ''}`);
  }

  /** Runs a statement; returns the number of rows changed. */
  async run(sql: string, params?: SqlParams): Promise<number> {
    let changed: number;
    try {
      const sent = await this.traffic.before(sql, params, this.attachedReadOnly !== undefined);
      changed = Number((await this.connection.run(sent, params)).rowsChanged);
    } catch (error) {
      throw this.wrap(error);
    }
    await this.alters.ran(sql);
    return changed;
  }

  /** Runs a query; returns its rows as plain objects (BIGINT as bigint). */
  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    try {
      const sent = await this.traffic.before(sql, params, this.attachedReadOnly !== undefined);
      const reader = await this.connection.runAndReadAll(sent, params);
      return reader.getRowObjectsJS() as T[];
    } catch (error) {
      throw this.wrap(error);
    }
  }

  /** Whether a local table (or view) exists: tried, as duckdb_tables() takes milliseconds (a catalog error leaves a transaction usable). */
  async localTableExists(schema: string, table: string): Promise<boolean> {
    try {
      await this.connection.run(`SELECT 1 FROM ${quoteIdent(this.localCatalog)}.${quoteIdent(schema)}.${quoteIdent(table)} LIMIT 0`);
      return true;
    } catch (error) {
      if (error instanceof Error && /^Catalog Error: (Table|Schema) with name /.test(error.message)) return false;
      throw this.wrap(error);
    }
  }

  private wrap(error: unknown) {
    return wrapError(error, [this.options.motherduckToken], this.options.remote);
  }

  /** Runs a statement while reporting DuckDB's progress every `intervalMs`. */
  async runWithProgress(sql: string, params: SqlParams | undefined, onProgress: (p: QueryProgress) => void, intervalMs = 200): Promise<number> {
    const timer = setInterval(() => {
      const p = this.connection.progress;
      if (p.percentage >= 0) onProgress({ rowsProcessed: Number(p.rows_processed), totalRows: Number(p.total_rows_to_process) });
    }, intervalMs);
    try {
      return await this.run(sql, params);
    } finally {
      clearInterval(timer);
    }
  }

  /** Runs `body` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(body: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    this.alters.begun();
    const before = this.remoteStatements;
    // The end of a transaction that reached the remote is a round trip of its own (MotherDuck commits it).
    const end = async (sql: string): Promise<void> => {
      if (this.remoteStatements > before) await this.traffic.roundTrip(sql);
      await this.run(sql);
    };
    try {
      const value = await body();
      await end('COMMIT');
      await this.alters.committed();
      return value;
    } catch (error) {
      this.alters.rolledBack();
      // A table this transaction created on the remote is gone again.
      if (this.remoteStatements > before) this.remoteTables.forget();
      await end('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Writes everything committed into the local file (its WAL is emptied). */
  async checkpoint(): Promise<void> {
    await this.run(`CHECKPOINT ${quoteIdent(this.localCatalog)}`);
  }

  /**
   * Runs `step` (which attaches the remote itself), again from the start when the remote could not
   * be reached (a network error): with the remote attached anew, after a backoff, up to
   * --max-retries times. Only for steps that are safe to run again (every sync step is).
   */
  async retryingRemote<T>(what: string, step: () => Promise<T>): Promise<T> {
    return withRetry(step, {
      maxRetries: this.options.maxRetries,
      delayMs: this.options.retryDelayMs,
      logger: this.logger,
      what,
      retryOn: (e) => (e instanceof RemoteUnavailableError ? e : undefined),
      beforeRetry: () => this.resetRemote(),
    });
  }

  /**
   * Forgets the remote's attachment after a failure that may have broken it (a network error), so
   * the next step attaches it again.
   */
  private async resetRemote(): Promise<void> {
    await this.detachRemote().catch(() => undefined);
    this.attachedReadOnly = undefined;
    this.remoteTables.forget();
  }

  /** Detaches the remote and closes the local file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.detachRemote();
    } catch {
      // Closing the instance releases the remote anyway.
    }
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
