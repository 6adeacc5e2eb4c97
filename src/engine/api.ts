/**
 * The engine's public types: every type of the engine that the library's entry point (`index.ts`)
 * exports is defined here, so the public contract (and the `--json` one built on it) reads in one
 * file. Everything else under `src/` is internal: the package exports only `index.ts`.
 */
import type { SyncMode } from '../config/schema.js';

export const DIRECTIONS = ['both', 'pull', 'push'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export type TableStatus = 'ok' | 'error' | 'planned';

/** What happened to one table pair. The `--json` contract exposes these fields. */
export interface TableResult {
  name: string;
  status: TableStatus;
  rowsPulled: number;
  rowsPushed: number;
  rowsDeleted: number;
  conflicts: number;
  /** Rows (and bucket summaries) read from the remote to find its changes. */
  rowsRead?: number;
  /** Statements (round trips) that reached the remote for this table, retries included. */
  remoteRoundTrips?: number;
  error?: string;
  errorCode?: string;
  warnings?: string[];
  /** A partial replica's filter (`tables.<name>.where`). */
  where?: string;
  /** A partial replica: the local rows in its scope after the sync. */
  rowsInScope?: number;
}

export interface SyncResult {
  ok: boolean;
  mode: SyncMode;
  direction: Direction;
  dryRun: boolean;
  tables: TableResult[];
  /** Views, macros, sequences, schemas, comments and table constraints: what changed or differs (empty when nothing did). */
  objects: ObjectResult[];
  durationMs: number;
  /** Statements (round trips) that reached the remote during the run: attach, finding tables, every table. */
  remoteRoundTrips: number;
}

export function emptyTableResult(name: string, status: TableStatus): TableResult {
  return { name, status, rowsPulled: 0, rowsPushed: 0, rowsDeleted: 0, conflicts: 0 };
}

/** The kinds of schema objects that follow the tables (tables themselves are synced as pairs). */
export const OBJECT_KINDS = ['schema', 'sequence', 'view', 'macro', 'table macro'] as const;

export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** What a sync does to one object, or reports about it. */
export type ObjectAction = 'create' | 'replace' | 'comment' | 'advance' | 'set default' | 'set not null' | 'add primary key' | 'differs';

/** The side an action changes (`differs`: the side that keeps its version). */
export type ObjectSide = 'local' | 'remote';

/** What happened to one object change. The `--json` contract exposes these fields. */
export interface ObjectResult {
  kind: ObjectKind | 'table';
  name: string;
  side: ObjectSide;
  action: ObjectAction;
  /** ok: applied; planned: a dry run's; reported: a difference left as it is; error: it failed (the tables went on). */
  status: 'ok' | 'planned' | 'reported' | 'error';
  detail: string;
  error?: string;
}

export type VerifyStatus = 'identical' | 'different' | 'missing' | 'error';

export interface VerifyTableResult {
  name: string;
  status: VerifyStatus;
  localRows: number;
  remoteRows: number;
  /** Rows only the local side has (by key; for keyless tables, surplus copies). */
  onlyLocal: number;
  /** Rows only the remote side has. */
  onlyRemote: number;
  /** Rows present on both sides (same key) with different content. */
  changed: number;
  /** A few keys (JSON) of rows that differ. */
  sample: string[];
  /** Why the table differs or failed, in words. */
  detail?: string;
  error?: string;
}

/** One row of dewey_sync_metadata: the state of a table pair after its last sync. */
export interface TableMetadata {
  tableName: string;
  remoteTable: string;
  lastSyncTime: Date | null;
  lastSuccessTime: Date | null;
  lastSyncMode: string | null;
  lastDirection: string | null;
  status: string | null;
  errorMessage: string | null;
  rowsSynced: number;
  rowsPulled: number;
  rowsPushed: number;
  rowsDeleted: number;
  conflicts: number;
  rowCount: number | null;
  keyColumns: string[];
  cursorColumn: string | null;
  watermark: string | null;
  /** Last remote change-log sequence number seen (state/remote/changeLog.ts). */
  logSeq: number | null;
  baselineTable: string | null;
  columnSignature: string | null;
  engineVersion: string | null;
  /** A partial replica's filter (`tables.<name>.where`) the baseline was taken with; null for a whole table. */
  scopeFilter: string | null;
}

export interface RunRecord {
  runId: string;
  startedAt: Date;
  finishedAt: Date | null;
  mode: string;
  direction: string;
  status: string;
  tablesTotal: number | null;
  tablesFailed: number | null;
  rowsPulled: number | null;
  /** Statements that reached the remote during the run (null for runs recorded before it was counted). */
  remoteRoundTrips: number | null;
  errorMessage: string | null;
}

export interface PullProgress {
  table: string;
  rowsProcessed: number;
  totalRows: number;
}

export type ConflictStatus = 'open' | 'restored' | 'dismissed';

/** One kept conflict (`duckdb-sync conflicts`, `listConflicts()`): both versions of the row and what became of it. */
export interface ConflictRecord {
  id: number;
  table: string;
  /** The key as JSON text (an object of key columns); null for a table without a key. */
  keyJson: string | null;
  /** The row as JSON text on each side; null where that side had deleted it. */
  localJson: string | null;
  remoteJson: string | null;
  /** Copies of the row (tables without a key). */
  copies: number;
  policy: string;
  winner: 'local' | 'remote';
  detectedAt: Date;
  status: ConflictStatus;
  resolvedAt: Date | null;
}

/** A row version as an object of columns; null where that side had deleted the row. */
export type RowVersion = Record<string, unknown> | null;
