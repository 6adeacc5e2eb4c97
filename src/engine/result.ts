import type { SyncMode } from '../config/schema.js';
import type { ObjectResult } from './objects/objectChange.js';

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
