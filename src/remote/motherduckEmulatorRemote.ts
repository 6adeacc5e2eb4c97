import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { newerStorageError } from '../duckdb/databaseFile.js';
import { duckdb } from '../duckdb/duckdbApi.js';
import { fileCatalogName } from '../duckdb/fileCatalogName.js';
import { quoteIdent, quoteLiteral } from '../duckdb/quote.js';
import { MotherDuckRuleError, UsageError, type SyncError } from '../errors.js';
import { checkRemoteFile } from './checkRemoteFile.js';
import { isLiteralDefault } from './literalDefault.js';
import { classifyMotherDuckError, MOTHERDUCK_TRANSACTION_ROWS } from './motherduck/motherduckErrors.js';
import type { QueryStatement, RemoteFingerprints, Remote, RemoteOptions, RemoteStorage, SharedFile } from './remote.js';
import type { RemoteStatement } from './remoteStatement.js';

/**
 * The MotherDuck emulator, `mdemu:<path>`: the MotherDuck code path on a local DuckDB file, for
 * tests, demos and air-gapped trials. It behaves as `md:` does, except for the attach target:
 * attached once per session without an alias (its catalog is the file's base name, as a MotherDuck
 * database's is the database's name), read-write, fingerprints checked per table as on MotherDuck.
 * Like MotherDuck it serves many clients: the file is held only while a step runs (`sharedFile`),
 * and a client whose step finds it held retries. Every statement that
 * reaches it is counted and checked against what MotherDuck is documented to refuse: `rowid`,
 * `CHECKPOINT`, `READ_ONLY`, an aliased attach, and a statement that changes remote rows or
 * structure (DELETE, UPDATE, MERGE, DDL) while reading a local or temp table. Appending from
 * local data (INSERT … SELECT, CREATE TABLE … AS) is an upload, which MotherDuck documents.
 *
 * Options after `?`, joined by `&`, make it answer as MotherDuck does in situations a test needs:
 * - `read_only`: a share (or read-scaling connection): reads work, writes fail as MotherDuck's do;
 * - `fail_at=<n>[,<m>…]`: the n-th statement reaching it (a COMMIT counts) fails once with a network error;
 * - `conflict_at=<n>[,<m>…]`: the n-th statement (or COMMIT) fails once as MotherDuck's commit that
 *   lost to another client's transaction does ("TransactionContext Error: Failed to commit: MotherDuck
 *   transaction statement failed: … Conflict …"); nothing of its transaction is applied;
 * - `max_client=<version>`: refuses a newer DuckDB client where MotherDuck does, when its extension
 *   is loaded (before the attach), with MotherDuck's message;
 * - `delay_ms=<n>`: waits n ms per round trip, as a network would (tests and benchmarks under latency);
 * - `hashes=other`: a server on a DuckDB release whose hash() differs from this client's: every
 *   hash() in a statement that reaches it is computed with a salt, as another release's would be;
 * - `ducklake`: a DuckLake database: `md_all_databases()` reports it as one, and a statement creating a
 *   PRIMARY KEY, FOREIGN KEY, UNIQUE or CHECK constraint, a DEFAULT that is not a literal, or a
 *   sequence is refused as DuckLake refuses it;
 * - `max_txn_rows=<n>`: a transaction that changes more than n rows of the database fails, as a
 *   MotherDuck server that runs out of memory for a transaction too big does (nothing is applied);
 * - `stale_reads=<file>`: a read-scaling replica (or a share) that lags: every read is served from
 *   `<file>`, an older copy of the database, and writes fail as a replica's do;
 * - `workspace`: the session is in workspace attach mode (a share attached first, or a `md:` connection):
 *   the attach mode reads `workspace`, and a DETACH is refused, as it would detach the database in
 *   every other client connected in workspace mode.
 */
export class MotherDuckEmulatorRemote implements Remote {
  readonly kind = 'motherduck-emulator' as const;
  readonly catalog: string;
  readonly needsToken = false;
  readonly latencyMs: number;
  readonly releasedBetweenSteps = false;
  readonly sharedFile: SharedFile;
  readonly readOnlyAttach = false;
  readonly readOnly: string | undefined;
  readonly fingerprints: RemoteFingerprints;
  readonly path: string;
  private readonly failAt: Set<number>;
  private readonly conflictAt: Set<number>;
  private readonly maxClient: string | undefined;
  private readonly otherHashes: boolean;
  private readonly workspace: boolean;
  private readonly ducklake: boolean;
  private readonly maxTxnRows: number | undefined;
  /** The older copy a lagging replica serves reads from (`stale_reads`). */
  private readonly staleCopy: string | undefined;
  /** Rows the transaction under way changed so far. */
  private txnRows = 0;
  /** How the database stores its tables, as the session reads it after the attach. */
  storage: RemoteStorage = 'duckdb';
  readonly defaultTransactionRows = MOTHERDUCK_TRANSACTION_ROWS;
  /** The attach mode the session reads (after the attach). */
  private workspaceMode = false;
  /** Statements that reached it, the attach included. */
  statements = 0;

  constructor(
    readonly uri: string,
    options: RemoteOptions = {},
  ) {
    const [path = '', query = ''] = uri.slice('mdemu:'.length).split('?', 2);
    if (!path) throw new UsageError(`invalid emulator remote: ${uri}`, 'use mdemu:<path of a DuckDB file>, for example mdemu:cloud/analytics.duckdb');
    this.path = resolve(path);
    this.catalog = fileCatalogName(path);
    const params = new URLSearchParams(query);
    for (const key of params.keys()) {
      if (!['read_only', 'fail_at', 'conflict_at', 'max_client', 'delay_ms', 'hashes', 'workspace', 'ducklake', 'max_txn_rows', 'stale_reads'].includes(key)) {
        throw new UsageError(`unknown emulator option: ${key}`, 'the emulator takes read_only, fail_at=<n>, conflict_at=<n>, max_client=<version>, delay_ms=<n>, hashes=other, workspace, ducklake, max_txn_rows=<n> and stale_reads=<file>');
      }
    }
    const hashes = params.get('hashes');
    if (hashes !== null && hashes !== 'other') throw new UsageError(`invalid emulator option hashes=${hashes}`, 'hashes=other plays a server whose DuckDB hashes rows differently');
    this.otherHashes = hashes === 'other';
    this.workspace = params.has('workspace');
    this.ducklake = params.has('ducklake');
    const maxTxnRows = params.get('max_txn_rows');
    this.maxTxnRows = maxTxnRows === null ? undefined : Number(maxTxnRows);
    if (this.maxTxnRows !== undefined && (!Number.isInteger(this.maxTxnRows) || this.maxTxnRows < 1)) {
      throw new UsageError(`invalid emulator option max_txn_rows=${maxTxnRows ?? ''}`, 'give the most rows one transaction may change, e.g. max_txn_rows=200000');
    }
    const stale = params.get('stale_reads');
    if (stale === '') throw new UsageError('invalid emulator option stale_reads=', 'give the path of an older copy of the database: stale_reads=<file>');
    this.staleCopy = stale === null ? undefined : resolve(stale);
    this.readOnly = params.has('read_only') || this.staleCopy ? `an emulated MotherDuck ${this.staleCopy ? 'read-scaling replica' : 'share'} (${this.catalog})` : undefined;
    this.failAt = statementNumbers(params, 'fail_at');
    this.conflictAt = statementNumbers(params, 'conflict_at');
    this.maxClient = params.get('max_client') ?? undefined;
    this.latencyMs = Number(params.get('delay_ms') ?? 0);
    if (!Number.isInteger(this.latencyMs) || this.latencyMs < 0 || this.latencyMs > 10_000) {
      throw new UsageError(`invalid emulator option delay_ms=${params.get('delay_ms') ?? ''}`, 'give whole milliseconds per round trip, 0 to 10000');
    }
    this.fingerprints = options.fingerprints ?? 'checked';
    const walPath = `${this.staleCopy ?? this.path}.wal`;
    this.sharedFile = {
      take: this.attachStatement(),
      release: `DETACH ${quoteIdent(this.catalog)}`,
      walBytes: () => fileSize(walPath),
    };
  }

  check(localPath: string): void {
    checkRemoteFile(this.path, localPath, 'the emulator plays an existing MotherDuck database: create the file first (duckdb-sync demo makes one)');
    if (this.staleCopy) checkRemoteFile(this.staleCopy, localPath, 'stale_reads names the older copy of the database a lagging replica serves: copy the file first');
  }

  /**
   * Where MotherDuck's extension is loaded (the file needs none): MotherDuck refuses a client it does
   * not support when the extension is LOADed, so `max_client` refuses it here, before any attach.
   */
  async prepare(): Promise<void> {
    if (this.maxClient && newer(duckdb.version(), this.maxClient)) {
      const message = `Your DuckDB version (${duckdb.version()}) is not yet supported by MotherDuck. The latest supported version is v${this.maxClient}. Please downgrade to use MotherDuck.`;
      throw this.classifyError(message) ?? new Error(message);
    }
  }

  /**
   * As `md:` does, with the file's path for the database name; a share is the server's business, so
   * READ_ONLY here is the emulator's own, and so is the alias of a lagging replica's older copy,
   * which must be named as the database is.
   */
  attachStatement(): string {
    if (this.staleCopy) return `ATTACH ${quoteLiteral(this.staleCopy)} AS ${quoteIdent(this.catalog)} (READ_ONLY)`;
    return `ATTACH ${quoteLiteral(this.path)}${this.readOnly ? ' (READ_ONLY)' : ''}`;
  }

  /** As MotherDuck's extension answers `motherduck_attach_mode` and `md_all_databases()` after the attach. */
  async afterAttach(_query: QueryStatement): Promise<void> {
    this.workspaceMode = this.workspace;
    this.storage = this.ducklake ? 'ducklake' : 'duckdb';
  }

  get attachNote(): string | undefined {
    return this.workspaceMode ? 'workspace attach mode: never detached, so that no other client loses it' : undefined;
  }

  detachStatement(): string | undefined {
    return this.workspaceMode ? undefined : `DETACH DATABASE IF EXISTS ${quoteIdent(this.catalog)}`;
  }

  walBytes(): number {
    return 0;
  }

  inspect(statement: RemoteStatement): string {
    const n = ++this.statements;
    if (this.failAt.delete(n)) throw new Error(`IO Error: connection lost to MotherDuck (emulated network failure at statement ${n})`);
    if (this.conflictAt.delete(n)) {
      throw new Error(`TransactionContext Error: Failed to commit: MotherDuck transaction statement failed: Conflict with another client's transaction (emulated at statement ${n})`);
    }
    const sql = statement.sql;
    if (/^\s*ATTACH\b/i.test(sql)) {
      if (!this.staleCopy && /\bAS\s+("|\w)/i.test(sql.replace(/'(?:[^']|'')*'/g, "''"))) throw new MotherDuckRuleError('database aliases are not supported in workspace mode', sql);
      return sql;
    }
    if (this.workspace && /^\s*DETACH\b/i.test(sql)) {
      throw new MotherDuckRuleError('in workspace attach mode a DETACH detaches the database in every client connected in that mode', sql);
    }
    if (/\browid\b/i.test(sql)) throw new MotherDuckRuleError('no rowid on MotherDuck tables', sql);
    if (this.ducklake) refuseOnDuckLake(statement);
    if (/\bCHECKPOINT\b/i.test(sql)) throw new MotherDuckRuleError('MotherDuck checkpoints its own storage', sql);
    if (/\bREAD_ONLY\b/i.test(sql)) throw new MotherDuckRuleError('no READ_ONLY attach of a MotherDuck database', sql);
    if ((statement.write === 'modify' || statement.write === 'ddl') && statement.readsLocal) {
      throw new MotherDuckRuleError('a statement that changes MotherDuck rows or structure cannot read local or temp tables', sql);
    }
    return this.otherHashes ? sql.replace(/\bhash\(/gi, `hash('another DuckDB release', `) : sql;
  }

  wrote(rows: number, inTransaction: boolean): void {
    const total = inTransaction ? (this.txnRows += rows) : rows;
    if (this.maxTxnRows !== undefined && total > this.maxTxnRows) {
      throw new Error(`Invalid Error: MotherDuck ran out of memory for this transaction: it changed ${total} rows (emulated max_txn_rows=${this.maxTxnRows})`);
    }
  }

  transactionEnded(): void {
    this.txnRows = 0;
  }

  classifyError(message: string): SyncError | undefined {
    return newerStorageError(message, this.path, 'remote') ?? classifyMotherDuckError(message, this.uri);
  }
}

/**
 * What DuckLake refuses in a statement that creates or alters remote objects ("DuckLake does not
 * support PRIMARY KEY, FOREIGN KEY, UNIQUE or CHECK constraints", nor defaults that are not
 * literals; sequences are not supported either).
 */
function refuseOnDuckLake(statement: RemoteStatement): void {
  if (statement.write !== 'ddl') return;
  const sql = statement.sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
  const refuse = (what: string): never => {
    throw new MotherDuckRuleError(`a DuckLake database does not support ${what}`, statement.sql);
  };
  if (/\bCREATE\s+(?:OR\s+REPLACE\s+)?SEQUENCE\b/i.test(sql)) refuse('sequences');
  if (/\b(PRIMARY\s+KEY|FOREIGN\s+KEY|REFERENCES|UNIQUE|CHECK)\b/i.test(sql)) refuse('PRIMARY KEY, FOREIGN KEY, UNIQUE or CHECK constraints');
  for (const m of sql.matchAll(/\bDEFAULT\s+(\((?:[^()]|\([^()]*\))*\)|[^,)\s]+)/gi)) {
    if (!isLiteralDefault(m[1] ?? '')) refuse(`a DEFAULT that is not a literal (${m[1] ?? ''})`);
  }
}

/** The statement numbers of option `name` (`3,7`); a usage error for anything but positive integers. */
function statementNumbers(params: URLSearchParams, name: string): Set<number> {
  const given = (params.get(name) ?? '').split(',').filter(Boolean);
  const numbers = given.map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new UsageError(`invalid emulator option ${name}=${params.get(name) ?? ''}`, `give statement numbers from 1, separated by commas: ${name}=3,7`);
  }
  return new Set(numbers);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Whether DuckDB version `a` (`v1.5.6`) is newer than `b` (`1.5.2`). */
function newer(a: string, b: string): boolean {
  const pa = a.replace(/^v/, '').split(/[.-]/).map(Number);
  const pb = b.replace(/^v/, '').split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d > 0;
  }
  return false;
}
