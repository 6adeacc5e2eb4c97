import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import { columnSignature } from '../catalog/columnSignature.js';
import { topUpHashProbe } from './hashes/hashProbe.js';
import { METADATA_TABLE } from './internalNames.js';
import { readStateVersion } from './stateValues.js';
import type { TableMetadata } from '../api.js';

const T = quoteIdent(METADATA_TABLE);

/** What one successful sync of a table did, as recorded in its metadata row. */
export interface TableOutcome {
  mode: 'full' | 'incremental';
  direction: string;
  rowsPulled: number;
  rowsPushed: number;
  rowsDeleted: number;
  conflicts: number;
  /** Rows the local table holds now; counted when not given. */
  rowCount?: number;
  cursorColumn: string | null;
  watermark: string | null;
  logSeq?: number | null;
  baselineTable: string;
}

/**
 * Records a successful sync of a table (inside the caller's local transaction): its metadata row,
 * and the baseline's hash probe kept filled (hashProbe.ts). The one place that builds the record.
 */
export async function recordTableSuccess(db: Database, pair: TablePair, scheme: FingerprintScheme, engineVersion: string, o: TableOutcome): Promise<void> {
  let rowCount = o.rowCount;
  if (rowCount === undefined) {
    const [count] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${localRef(db, pair)}`);
    rowCount = Number(count?.n ?? 0);
  }
  await topUpHashProbe(db, pair, o.baselineTable, rowCount);
  await db.run(
    `INSERT OR REPLACE INTO ${T} (table_name, remote_table, last_sync_time, last_success_time, last_sync_mode, last_direction, status,
       error_message, rows_synced, rows_pulled, rows_pushed, rows_deleted, conflicts, row_count, key_columns, cursor_column,
       watermark, baseline_table, column_signature, engine_version, log_seq, scope_filter)
     VALUES ($1, $2, now(), now(), $3, $4, 'ok', NULL, $5, $6, $7, $8, $9, $10, CAST($11 AS VARCHAR[]), $12, $13, $14, $15, $16, $17, $18)`,
    [
      pair.name,
      `${pair.remote.schema}.${pair.remote.table}`,
      o.mode,
      o.direction,
      o.rowsPulled + o.rowsPushed,
      o.rowsPulled,
      o.rowsPushed,
      o.rowsDeleted,
      o.conflicts,
      rowCount,
      JSON.stringify(pair.key),
      o.cursorColumn,
      o.watermark,
      o.baselineTable,
      columnSignature(pair, scheme),
      engineVersion,
      o.logSeq ?? null,
      pair.scope?.where ?? null,
    ],
  );
}

/**
 * Records an incremental sync of tables that were unchanged on both sides (inside the caller's
 * local transaction), in one statement: their counts, row counts, cursors and baselines stay; the
 * change log's newest sequence number seen is recorded when there is one.
 */
export async function recordUnchangedTables(db: Database, tables: ReadonlyArray<{ pair: TablePair; logSeq: number | null }>, direction: string): Promise<void> {
  const params: Array<string | null> = [direction];
  const rows = tables.map(({ pair, logSeq }) => {
    params.push(pair.name, logSeq === null ? null : String(logSeq));
    return `($${params.length - 1}, CAST($${params.length} AS BIGINT))`;
  });
  await db.run(
    `UPDATE ${T} SET last_sync_time = now(), last_success_time = now(), last_sync_mode = 'incremental', last_direction = $1, status = 'ok',
       error_message = NULL, rows_synced = 0, rows_pulled = 0, rows_pushed = 0, rows_deleted = 0, conflicts = 0, log_seq = coalesce(v.seq, ${T}.log_seq)
     FROM (VALUES ${rows.join(', ')}) v(name, seq) WHERE ${T}.table_name = v.name`,
    params,
  );
}

/** Records that the table's baseline is now read by another DuckDB release (engineUpgrade.ts). */
export async function recordEngineVersion(db: Database, tableName: string, engineVersion: string): Promise<void> {
  await db.run(`UPDATE ${T} SET engine_version = $1 WHERE table_name = $2`, [engineVersion, tableName]);
}

/** Records a baseline rebuilt over other columns (columns added on both sides). */
export async function recordBaselineColumns(db: Database, pair: TablePair, scheme: FingerprintScheme, baselineTable: string): Promise<void> {
  await db.run(`UPDATE ${T} SET column_signature = $1, baseline_table = $2 WHERE table_name = $3`, [columnSignature(pair, scheme), baselineTable, pair.name]);
}

/** Records a failed sync of a table; keeps what the last success recorded (baseline, watermark). */
export async function writeTableFailure(db: Database, tableName: string, remoteTable: string, mode: string, direction: string, error: string): Promise<void> {
  await db.run(
    `INSERT INTO ${T} (table_name, remote_table, last_sync_time, last_sync_mode, last_direction, status, error_message, rows_synced, rows_pulled, rows_pushed, rows_deleted, conflicts)
     VALUES ($1, $2, now(), $3, $4, 'error', $5, 0, 0, 0, 0, 0)
     ON CONFLICT (table_name) DO UPDATE SET last_sync_time = now(), last_sync_mode = excluded.last_sync_mode,
       last_direction = excluded.last_direction, status = 'error', error_message = excluded.error_message,
       rows_synced = 0, rows_pulled = 0, rows_pushed = 0, rows_deleted = 0, conflicts = 0`,
    [tableName, remoteTable, mode, direction, error],
  );
}

/** Every table's metadata; empty when the database was never synced. */
export async function readTableMetadata(db: Database): Promise<TableMetadata[]> {
  if ((await readStateVersion(db)) === 0) return [];
  return (await db.all(`SELECT * FROM ${T} ORDER BY table_name`)).map(fromRow);
}

/** One table's metadata; undefined when the table (or the database) was never synced. */
export async function readOneTableMetadata(db: Database, tableName: string): Promise<TableMetadata | undefined> {
  if ((await readStateVersion(db)) === 0) return undefined;
  const [row] = await db.all(`SELECT * FROM ${T} WHERE table_name = $1`, [tableName]);
  return row ? fromRow(row) : undefined;
}

function fromRow(r: Record<string, unknown>): TableMetadata {
  return {
    tableName: r.table_name as string,
    remoteTable: r.remote_table as string,
    lastSyncTime: (r.last_sync_time as Date | null) ?? null,
    lastSuccessTime: (r.last_success_time as Date | null) ?? null,
    lastSyncMode: (r.last_sync_mode as string | null) ?? null,
    lastDirection: (r.last_direction as string | null) ?? null,
    status: (r.status as string | null) ?? null,
    errorMessage: (r.error_message as string | null) ?? null,
    rowsSynced: Number(r.rows_synced ?? 0),
    rowsPulled: Number(r.rows_pulled ?? 0),
    rowsPushed: Number(r.rows_pushed ?? 0),
    rowsDeleted: Number(r.rows_deleted ?? 0),
    conflicts: Number(r.conflicts ?? 0),
    rowCount: r.row_count === null || r.row_count === undefined ? null : Number(r.row_count),
    keyColumns: (r.key_columns as string[] | null) ?? [],
    cursorColumn: (r.cursor_column as string | null) ?? null,
    watermark: (r.watermark as string | null) ?? null,
    logSeq: r.log_seq === null || r.log_seq === undefined ? null : Number(r.log_seq),
    baselineTable: (r.baseline_table as string | null) ?? null,
    columnSignature: (r.column_signature as string | null) ?? null,
    engineVersion: (r.engine_version as string | null) ?? null,
    scopeFilter: (r.scope_filter as string | null) ?? null,
  };
}
