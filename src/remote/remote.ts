import type { SyncError } from '../errors.js';
import type { RemoteStatement } from './remoteStatement.js';

/**
 * How one table's row fingerprints are compared across the two sides in a run.
 * - `engine`: DuckDB's hash(), only comparable within one DuckDB release: for a remote this very
 *   process reads (a file), or a server found to hash the table's rows as this client does.
 * - `canonical`: md5 of a canonical text of the row, comparable across DuckDB releases; the
 *   baseline keeps it next to the hash (fingerprint.ts). About 10× the cost of hash().
 */
export type FingerprintScheme = 'engine' | 'canonical';

/**
 * A remote's fingerprint schemes: one scheme for every table, or `checked` (MotherDuck, whose server
 * may run another DuckDB release): each run checks per table whether the server hashes its rows as
 * this client does, and uses `engine` where it does, `canonical` where it does not
 * (engine/chooseSchemes.ts).
 */
export type RemoteFingerprints = FingerprintScheme | 'checked';

/** Runs one statement on the local connection (before the remote is attached). */
export type RunStatement = (sql: string) => Promise<unknown>;

/** Runs a query on the local connection, not as a round trip to the remote (a client-side setting). */
export type QueryStatement = (sql: string) => Promise<Array<Record<string, unknown>>>;

export type RemoteKind = 'file' | 'motherduck' | 'motherduck-emulator';

/**
 * How the remote database stores its tables: DuckDB's own storage, or DuckLake (MotherDuck's
 * `CREATE DATABASE … (TYPE DUCKLAKE)`), which holds no PRIMARY KEY, FOREIGN KEY, UNIQUE or CHECK
 * constraints, no DEFAULT that is not a literal, and no sequences.
 */
export type RemoteStorage = 'duckdb' | 'ducklake';

/**
 * The file of a remote that plays a server on this machine (the emulator). A server serves many
 * clients, so the file is let go after every step and taken again before the next one: statements
 * outside the session (no round trips, not shown to `inspect`), as the session itself stays attached
 * for the engine and the counts. A step that finds another client's step holding the file retries,
 * as a file remote's attach does (--max-retries, --retry-delay).
 */
export interface SharedFile {
  /** Takes the file again: the ATTACH the session's first attach ran. */
  readonly take: string;
  /** Lets the file go (DETACH). */
  readonly release: string;
  /** Bytes of write-ahead log the next take replays. */
  walBytes(): number;
}

/**
 * The remote database, whatever its kind: everything that differs between kinds lives behind this
 * interface (one module per kind), and the engine only ever asks it. Engine code never tests the
 * kind; `kind` is for messages and reports.
 */
export interface Remote {
  readonly kind: RemoteKind;
  /** As the user gave it: a file path, `md:<database>` or `mdemu:<path>`. */
  readonly uri: string;
  /** The catalog the remote is attached under: every remote table is `"<catalog>"."<schema>"."<table>"`. */
  readonly catalog: string;
  /** Whether it needs a MotherDuck token. */
  readonly needsToken: boolean;
  /** How fingerprints compare across the sides for this remote. */
  readonly fingerprints: RemoteFingerprints;
  /** Whether it is detached between sync steps (a file, so other processes can open it), or kept until close. */
  readonly releasedBetweenSteps: boolean;
  /** The file of a remote kept attached that plays a server on this machine (the emulator); undefined otherwise. */
  readonly sharedFile: SharedFile | undefined;
  /**
   * Whether steps that only read attach it read-only (a file). Otherwise it is attached read-write
   * once, and `Database` keeps read-only steps from writing it by code (MotherDuck: one attach a session).
   */
  readonly readOnlyAttach: boolean;
  /** Why it cannot be written (a share), or undefined when it can. */
  readonly readOnly: string | undefined;
  /** What can be checked before any work (token, file), against the local file's path; throws named errors. */
  check(localPath: string, token: string | undefined): void;
  /** Runs before each attach (e.g. loads an extension); throws named errors. */
  prepare(run: RunStatement, token: string | undefined): Promise<void>;
  /** The ATTACH statement (never prepared by DuckDB: the target is a quoted literal, never the token). */
  attachStatement(readOnly: boolean): string;
  /**
   * Runs after each attach that succeeded: learns what the attach decided (MotherDuck's attach mode,
   * which decides whether DETACH may be sent) and how the database stores its tables (`storage`).
   */
  afterAttach(query: QueryStatement): Promise<void>;
  /**
   * The DETACH statement; undefined when the remote must never be detached: a MotherDuck session in
   * workspace mode, where a DETACH detaches the database in every other client connected in that
   * mode. Closing the DuckDB instance ends the session then; an attach finds it still attached.
   */
  detachStatement(): string | undefined;
  /** How the database stores its tables: known after the attach (`afterAttach`), `duckdb` before. */
  readonly storage: RemoteStorage;
  /** How it is attached, for the debug log (`workspace mode`); undefined when there is nothing to say. */
  readonly attachNote: string | undefined;
  /** Bytes of write-ahead log that attaching replays (0 where there is none to see). */
  walBytes(): number;
  /**
   * Rows one of its transactions may write unless the config says otherwise (`maxTransactionRows`):
   * MotherDuck's server holds a transaction's changes in memory, so large pushes go in parts there.
   * Undefined: no limit (a file, written by this process, which spills to disk).
   */
  readonly defaultTransactionRows: number | undefined;
  /** Simulated time per round trip (the emulator's `delay_ms`); 0 for real remotes, whose latency is real. */
  readonly latencyMs: number;
  /**
   * Sees every statement that reaches the remote just before it is sent; throws to refuse it (the
   * emulator's rules). Returns the text to send: the statement's, or the emulator's rewrite of it
   * when it plays a server that computes something differently (its `hashes=other`).
   */
  inspect(statement: RemoteStatement): string;
  /**
   * After a statement that reached it ran: the rows it changed, which add up until the transaction
   * ends when `inTransaction`. Only the emulator counts them: its `max_txn_rows` throws here, as
   * MotherDuck's server fails a transaction too big for its memory (the caller's transaction then
   * rolls back).
   */
  wrote?(rows: number, inTransaction: boolean): void;
  /** A transaction that reached it ended (committed or rolled back); with `wrote`. */
  transactionEnded?(): void;
  /** A named error for what DuckDB reported about this remote, or undefined to keep DuckDB's. */
  classifyError(message: string): SyncError | undefined;
}

export interface RemoteOptions {
  /** Overrides the kind's fingerprint schemes (canonical on a file or pinned on MotherDuck, for tests). */
  fingerprints?: RemoteFingerprints | undefined;
}
