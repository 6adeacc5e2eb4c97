import type { ConflictPolicy, SyncMode } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { RemoteFingerprints } from '../remote/remote.js';
import type { WrittenKeys } from './compare/localDelta.js';
import type { PullProgress, Direction, TableResult } from './api.js';

/**
 * A run's settings, resolved once (run/sync.ts) and handed down unchanged to every step of every
 * table: nothing below resolves a mode, a direction, a policy or a dry run again, and nothing
 * writes into it. What a table's sync learns goes up in its SyncedTable.
 */
export interface SyncContext {
  mode: SyncMode;
  direction: Direction;
  /** The config's conflict policy; a table's own (`tables.<name>.onConflict`) wins for that table. */
  policy: ConflictPolicy;
  dryRun: boolean;
  /** The DuckDB release of this process (`version()`): baselines are only compared within one. */
  engineVersion: string;
  /** The run record of a sync (`_duckdb_sync.runs`); none for dry runs and library pushes. */
  runId: string | undefined;
  /** Rows one remote transaction may write; a push of more goes in parts. Undefined: no limit. */
  transactionRows: number | undefined;
  /** The remote's fingerprint schemes; each table's is chosen before the tables (chooseSchemes.ts). */
  fingerprints: RemoteFingerprints;
  logger: Logger;
  /** Stops before the next table when aborted. */
  signal?: AbortSignal | undefined;
  onProgress?: ((p: PullProgress) => void) | undefined;
  /** What is known of the local tables before any is compared. */
  local: LocalKnowledge;
}

/** What a run knows of the local tables before comparing them (tracking/keyedWrites.ts, state/settledStore.ts). */
export interface LocalKnowledge {
  /** Tables known to equal their baselines (the local file is as the last sync left it): not compared. */
  unchanged: ReadonlySet<string>;
  /** Tables known to equal their baselines but at the keys of rows written through duckdb-sync, by lower-case name. */
  changedKeys: ReadonlyMap<string, WrittenKeys>;
}

/** Nothing known of the local tables: every one is compared with its baseline. */
export const NOTHING_KNOWN: LocalKnowledge = { unchanged: new Set(), changedKeys: new Map() };

/** One table's sync: its reported result, and whether its local content equals its baseline afterwards. */
export interface SyncedTable {
  result: TableResult;
  /** The local content equals the baseline (state/settledStore.ts records it for the next sync). Never in a dry run. */
  settled: boolean;
}
