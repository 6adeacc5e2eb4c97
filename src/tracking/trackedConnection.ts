import type { DuckDBConnection, DuckDBPreparedStatement, StatementType } from '@duckdb/node-api';
import { duckdb } from '../duckdb/duckdbApi.js';
import type { Row, SqlParams } from '../db/database.js';
import { wrapError } from '../db/failures/wrapError.js';
import { ALL_TABLES, MARK_DIRTY_SQL } from '../engine/state/dirtyMarks.js';
import { DatabaseError, SyncError, UsageError } from '../errors.js';
import type { ParsedStatement, SqlParser } from '../sql/sqlParser.js';
import { statementEffect, type StatementEffect } from '../sql/statementEffect.js';
import type { DirtyTracker } from './dirtyTracker.js';
import type { KeyedWrites, WrittenKeys } from './keyedWrites.js';
import { prepareReturningKeys, readReturnedKeys } from './returningKeys.js';
import { readUpdateKeys } from './updateKeys.js';
import type { TableRef } from '../sql/tableRef.js';
import { SessionTables } from './sessionTables.js';
import { SerialQueue } from './serialQueue.js';
import { StatementError } from './statementError.js';
import type { StatementResult } from './statementResult.js';

/** DuckDB's statement types (values; the type is imported above). */
const Statement = duckdb.StatementType;

/** Statement types after which the set of tables may have changed (TRANSACTION: IMPORT DATABASE). */
const SCHEMA_STATEMENTS = new Set<StatementType>([
  Statement.CREATE,
  Statement.ALTER,
  Statement.DROP,
  Statement.EXECUTE,
  Statement.MULTI,
  Statement.TRANSACTION,
]);

/**
 * The application's connection: runs its SQL one statement at a time and, for every statement
 * that writes a table of the local database, commits a dirty mark before the statement returns:
 * right after an auto-committed write, or inside the application's open transaction (committed or
 * rolled back with its writes). A table whose earlier mark no sync has read yet needs no new one.
 */
export class TrackedConnection {
  private readonly queue = new SerialQueue();
  private markStatement: DuckDBPreparedStatement | undefined;
  private inTransaction = false;
  private readonly marksInTransaction = new Set<string>();
  /** What the writes of the application's open transaction told of their rows, told to `keyed` once it commits. */
  private keysInTransaction: Array<[string, WrittenKeys | undefined]> = [];
  private readonly parsed = new Map<string, ReturnType<SqlParser['parse']>>();

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly parser: SqlParser,
    private readonly tables: SessionTables,
    private readonly tracker: DirtyTracker,
    private readonly keyed: KeyedWrites,
    private readonly onWrite: (tables: string[]) => void,
  ) {}

  static async create(connection: DuckDBConnection, parser: SqlParser, tracker: DirtyTracker, keyed: KeyedWrites, onWrite: (tables: string[]) => void): Promise<TrackedConnection> {
    return new TrackedConnection(connection, parser, await SessionTables.read(connection), tracker, keyed, onWrite);
  }

  /** Runs the statements of `sql` in order; stops at the first error (earlier statements stay done). */
  execute(sql: string, params?: SqlParams, keepRows = true): Promise<StatementResult[]> {
    return this.queue.run(async () => {
      try {
        return await this.executeNow(sql, params, keepRows);
      } catch (error) {
        throw wrapError(error, []);
      }
    });
  }

  /** Resolves when every statement queued so far has finished. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Runs `task` while no statement of the application runs (they wait in the queue). Refused inside
   * the application's open transaction, whose writes `task` could not see.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      if (this.inTransaction) throw new UsageError('cannot sync inside an open transaction', 'COMMIT or ROLLBACK first');
      return task();
    });
  }

  close(): void {
    this.markStatement?.destroySync();
    this.connection.closeSync();
  }

  private async executeNow(sql: string, params: SqlParams | undefined, keepRows: boolean): Promise<StatementResult[]> {
    const parsed = this.parse(sql);
    // DuckDB cannot split a text without statements (it fails without a message).
    if (parsed?.length === 0) throw new UsageError('no SQL statement given', 'pass at least one statement');
    const extracted = await this.connection.extractStatements(sql).catch((error: unknown) => {
      throw new StatementError(0, 1, [], wrapError(error, []));
    });
    const count = extracted.count;
    if (params !== undefined && count > 1) throw new UsageError(`parameters were given with ${count} statements`, 'parameters go with a single statement; run the statements one by one');
    const results: StatementResult[] = [];
    for (let i = 0; i < count; i++) {
      try {
        const statement = parsed?.length === count ? parsed[i] : undefined;
        // A lone INSERT/UPDATE/DELETE of a keyed table says which rows it wrote (keyedWrites.ts).
        const primaryKeyOf = (targets: TableRef[]): string[] | undefined => this.tables.primaryKeyOf(targets);
        const keyed = count === 1 ? await prepareReturningKeys(this.connection, this.parser, sql, statement, primaryKeyOf) : undefined;
        // Prepared one by one: a statement may use what the previous one created.
        const prepared = keyed?.prepared ?? (await extracted.prepare(i));
        try {
          if (params !== undefined) prepared.bind(params);
          // An UPDATE's keys are read just before it runs (updateKeys.ts).
          const updating = count === 1 && !keyed && this.wantsKeys(statement) ? await readUpdateKeys(this.connection, this.parser, sql, statement, params, primaryKeyOf) : undefined;
          const effect = statementEffect(prepared.statementType, statement);
          results.push(await this.runOne(prepared, effect, keepRows || i === count - 1, keyed?.columns, updating));
          // USE (typed SET) may change the current schema.
          if (prepared.statementType === Statement.SET) await this.tables.readCurrentSchema();
        } finally {
          prepared.destroySync();
        }
      } catch (error) {
        if (error instanceof SyncError) throw error;
        throw new StatementError(i, count, results, wrapError(error, []));
      }
    }
    return results;
  }

  /**
   * `keyColumns`: the statement returns its rows' keys (returningKeys.ts); `updating`: the keys an
   * UPDATE selects, read before it (updateKeys.ts), which stand only if it updates as many rows.
   */
  private async runOne(prepared: DuckDBPreparedStatement, effect: StatementEffect, keepRows: boolean, keyColumns?: string[], updating?: WrittenKeys): Promise<StatementResult> {
    // BEGIN, COMMIT, ROLLBACK, and the transaction pieces DuckDB splits IMPORT DATABASE into.
    const controlsTransaction = effect.kind === 'begin' || effect.kind === 'commit' || effect.kind === 'rollback' || prepared.statementType === Statement.TRANSACTION;
    let succeeded = false;
    let result: StatementResult;
    let keys: WrittenKeys | undefined;
    // The transaction's keys are told before its COMMIT: once it commits, a push may read its marks
    // (and clear them) before the COMMIT returns here, and must compare them. Told again after it
    // when a push took the keys meanwhile (it may have compared them before the rows committed).
    const taken = effect.kind === 'commit' && this.inTransaction ? this.keyed.generation : undefined;
    if (taken !== undefined) this.tellKeys(this.keysInTransaction);
    try {
      if (keyColumns) ({ result, keys } = await readReturnedKeys(prepared, keepRows, keyColumns));
      else {
        result = await this.read(prepared, effect.kind, keepRows);
        keys = updating && result.rowsChanged === updating.rows.length ? updating : undefined;
      }
      succeeded = true;
    } finally {
      if (controlsTransaction) await this.transactionChanged(succeeded && effect.kind !== 'rollback', taken);
    }
    if (effect.kind !== 'write') return result;
    if (SCHEMA_STATEMENTS.has(prepared.statementType)) await this.tables.readTables();
    const first = this.tables.localNames(effect.tables);
    // A table not found was perhaps created through another connection: read the catalog again.
    if (first.unknown) await this.tables.readTables();
    const marked = first.unknown ? this.tables.localNames(effect.tables).names : first.names;
    // Committed (or inside a transaction that may commit): what is known of the tables' changes.
    const told: Array<[string, WrittenKeys | undefined]> = marked.map((t) => [t, keys]);
    // A write of an open transaction is told once it commits: a push meanwhile does not see it.
    if (this.inTransaction) this.keysInTransaction.push(...told);
    else this.tellKeys(told);
    if (!marked.length) return result;
    if (this.inTransaction) {
      // The application's transaction: the marks commit (or roll back) with its writes.
      const fresh = marked.filter((t) => !this.marksInTransaction.has(t));
      await this.mark(fresh);
      for (const t of fresh) this.marksInTransaction.add(t);
      return { ...result, marked };
    }
    // Committed: the mark follows in a commit of its own (cheaper than one transaction holding both),
    // before this returns. A sync that sees the mark sees the write, which committed first.
    const fresh = marked.filter((t) => !this.tracker.hasUnreadMark(t));
    if (fresh.length) {
      const token = this.tracker.token();
      try {
        await this.mark(fresh);
      } catch (error) {
        throw new DatabaseError(`the write was committed, but marking ${fresh.join(', ')} for the next push failed: ${error instanceof Error ? error.message : String(error)}`, {
          hint: 'the next `duckdb-sync sync` finds the change by comparing the table with its baseline',
          cause: error,
        });
      }
      for (const t of fresh) this.tracker.markCommitted(t, token);
    }
    this.onWrite(marked);
    return { ...result, marked };
  }

  /** Whether the keys a write statement's table would be told are of use (not for a table compared whole anyway). */
  private wantsKeys(statement: ParsedStatement | undefined): boolean {
    if (statement?.kind !== 'write' || statement.targets === 'unknown') return false;
    return this.tables.localNames(statement.targets).names.every((t) => this.keyed.wantsKeys(t));
  }

  /** Tells `keyed` what committed writes said of their rows (ALL_TABLES: anything may differ). */
  private tellKeys(told: Array<[string, WrittenKeys | undefined]>): void {
    for (const [table, keys] of told) {
      if (table === ALL_TABLES) this.keyed.forgetAll();
      else this.keyed.wrote(table, keys);
    }
  }

  /**
   * After a statement that may open or end a transaction: asks DuckDB which it did. `taken`: the
   * keys' generation when they were told before a COMMIT (undefined: not told yet).
   */
  private async transactionChanged(mayHaveCommitted: boolean, taken: number | undefined): Promise<void> {
    const was = this.inTransaction;
    this.inTransaction = await this.probeTransaction();
    if (was && !this.inTransaction) {
      // The marks of the transaction's writes are durable now (or rolled back with them).
      if (mayHaveCommitted && this.marksInTransaction.size) this.onWrite([...this.marksInTransaction]);
      this.marksInTransaction.clear();
      if (mayHaveCommitted && taken !== this.keyed.generation) this.tellKeys(this.keysInTransaction);
      this.keysInTransaction = [];
    }
  }

  private async read(prepared: DuckDBPreparedStatement, kind: StatementEffect['kind'], keepRows: boolean): Promise<StatementResult> {
    const reader = await prepared.runAndReadAll();
    const rows = keepRows ? (reader.getRowObjectsJS() as Row[]) : [];
    return { kind, columns: keepRows ? reader.columnNames() : [], rows, rowsChanged: reader.rowsChanged, marked: [] };
  }

  private async mark(tables: string[]): Promise<void> {
    this.markStatement ??= await this.connection.prepare(MARK_DIRTY_SQL);
    for (const table of tables) {
      this.markStatement.bindVarchar(1, table);
      await this.markStatement.run();
    }
  }

  private parse(sql: string): ReturnType<SqlParser['parse']> {
    if (!this.parsed.has(sql)) {
      if (this.parsed.size >= 256) this.parsed.delete(this.parsed.keys().next().value as string);
      this.parsed.set(sql, this.parser.parse(sql));
    }
    return this.parsed.get(sql);
  }

  /** Whether this session is inside an explicit transaction: the transaction id stays the same across statements. */
  private async probeTransaction(): Promise<boolean> {
    const id = async (): Promise<unknown> => (await this.connection.runAndReadAll('SELECT txid_current() AS t')).getRows()[0]?.[0];
    try {
      return (await id()) === (await id());
    } catch {
      // An aborted transaction refuses every statement until ROLLBACK: still a transaction.
      return true;
    }
  }
}
