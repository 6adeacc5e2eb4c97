import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { DatabaseError, RemoteUnavailableError, RemoteWriteConflictError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Remote } from '../remote/remote.js';
import { openLocal } from './openLocal.js';
import { quoteIdent } from '../duckdb/quote.js';
import { MemoryLimit } from './failures/memoryLimit.js';
import { KnownRemoteTables } from './knownRemoteTables.js';
import { AlterCheckpoints } from './alterCheckpoints.js';
import { RemoteTraffic } from './remoteTraffic.js';
import { withRetry } from './failures/withRetry.js';
import { RemoteAttachment } from './remoteAttachment.js';
import type { DatabaseOptions, QueryProgress } from './databaseOptions.js';
import { wrapError } from './failures/wrapError.js';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

export type Row = Record<string, unknown>;

export type { DatabaseOptions, QueryProgress } from './databaseOptions.js';

/**
 * One DuckDB instance: the local file attached and made the default catalog (`USE`), the remote
 * attached under its catalog while a step needs it (remoteAttachment.ts: a file remote and the
 * emulator's file stay free for other clients in between; MotherDuck stays attached). Every statement that reaches the remote is counted and shown
 * to it first (`Remote.inspect`), and steps that only read are kept from writing it.
 */
export class Database {
  /** The remote's attachment, made at its first use (remoteAttachment.ts). */
  private attached: RemoteAttachment | undefined;
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

  /** Attaches the remote for the duration of `step`, then releases it (also on error): remoteAttachment.ts. */
  async withRemote<T>(readOnly: boolean, step: () => Promise<T>): Promise<T> {
    return this.attachment.withRemote(readOnly, step);
  }

  /**
   * Keeps the remote attached read-write across all the steps of `body` (one attach instead of one
   * per step: a short push of a few tables), then releases it.
   */
  async holdRemote<T>(body: () => Promise<T>): Promise<T> {
    return this.attachment.hold(body);
  }

  async attachRemote(wantReadOnly: boolean): Promise<void> {
    await this.attachment.attach(wantReadOnly);
  }

  async detachRemote(): Promise<void> {
    await this.attachment.detach();
  }

  private get attachment(): RemoteAttachment {
    this.attached ??= new RemoteAttachment(this.remote, this.connection, (sql) => this.run(sql), (e) => this.wrap(e), this.options, this.traffic, this.remoteTables);
    return this.attached;
  }

  /** Runs a statement; returns the number of rows changed. */
  async run(sql: string, params?: SqlParams): Promise<number> {
    let changed: number;
    try {
      const sent = await this.traffic.before(sql, params, this.attached?.attached === true);
      changed = Number((await this.connection.run(sent, params)).rowsChanged);
      this.traffic.after(changed);
    } catch (error) {
      throw this.wrap(error);
    }
    await this.alters.ran(sql);
    return changed;
  }

  /** Runs a query; returns its rows as plain objects (BIGINT as bigint). */
  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    try {
      const sent = await this.traffic.before(sql, params, this.attached?.attached === true);
      const reader = await this.connection.runAndReadAll(sent, params);
      const rows = reader.getRowObjectsJS() as T[];
      // Rows a statement wrote and returned (INSERT … RETURNING): one each.
      if (/^\s*(INSERT|UPDATE|DELETE)\b/i.test(sent)) this.traffic.after(rows.length);
      return rows;
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
    this.traffic.transaction(true, false);
    this.alters.begun();
    const before = this.remoteStatements;
    // The end of a transaction that reached the remote is a round trip of its own (MotherDuck commits
    // it): a COMMIT may fail there (the network, another writer); a ROLLBACK always runs.
    const end = async (sql: 'COMMIT' | 'ROLLBACK'): Promise<void> => {
      try {
        if (this.remoteStatements > before) await this.traffic.roundTrip(sql, sql === 'COMMIT');
      } catch (error) {
        throw this.wrap(error);
      }
      await this.run(sql);
    };
    try {
      const value = await body();
      await end('COMMIT');
      this.traffic.transaction(false, this.remoteStatements > before);
      await this.alters.committed();
      return value;
    } catch (error) {
      this.alters.rolledBack();
      // A table this transaction created on the remote is gone again.
      if (this.remoteStatements > before) this.remoteTables.forget();
      await end('ROLLBACK').catch(() => undefined);
      this.traffic.transaction(false, this.remoteStatements > before);
      throw error;
    }
  }

  /** Writes everything committed into the local file (its WAL is emptied). */
  async checkpoint(): Promise<void> {
    await this.run(`CHECKPOINT ${quoteIdent(this.localCatalog)}`);
  }

  /**
   * Runs `step` (which attaches the remote itself), again from the start when the remote could not
   * be reached (a network error) or another writer won a race on it (a conflict at commit): with the
   * remote attached anew, after a backoff, up to --max-retries times. Only for steps that are safe
   * to run again (every sync step is).
   */
  async retryingRemote<T>(what: string, step: () => Promise<T>): Promise<T> {
    return withRetry(step, {
      maxRetries: this.options.maxRetries,
      delayMs: this.options.retryDelayMs,
      logger: this.logger,
      what,
      retryOn: (e) => (e instanceof RemoteUnavailableError || e instanceof RemoteWriteConflictError ? e : undefined),
      beforeRetry: () => this.resetRemote(),
    });
  }

  /**
   * Forgets the remote's attachment after a failure that may have broken it (a network error), so
   * the next step attaches it again.
   */
  private async resetRemote(): Promise<void> {
    await this.attachment.reset();
  }

  /** Detaches the remote and closes the local file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.attached?.detach();
    } catch {
      // Closing the instance releases the remote anyway.
    }
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
