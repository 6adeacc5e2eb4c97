import type { Database } from '../../db/database.js';

/** Names of duckdb-sync's own objects in the local database; never synced as user tables. */
export const STATE_SCHEMA = '_duckdb_sync';
export const METADATA_TABLE = 'dewey_sync_metadata';
export const STATUS_TABLE = 'dewey_sync_status';
export const CONFLICTS_TABLE = 'dewey_sync_conflicts';
/** In STATE_SCHEMA: tables written through the library and not pushed yet. */
export const DIRTY_TABLE = 'dirty';

const INTERNAL_TABLES = new Set([METADATA_TABLE, STATUS_TABLE, CONFLICTS_TABLE]);

/** True for duckdb-sync's own tables and schema, on either side. */
export function isInternalTable(schema: string, table: string): boolean {
  return schema === STATE_SCHEMA || (schema === 'main' && INTERNAL_TABLES.has(table));
}

/**
 * Whether a table exists: in the local database (`catalog` omitted), or in the given catalog (the
 * remote's). The one place that asks DuckDB's catalog about duckdb-sync's own tables.
 */
export async function tableExists(db: Database, schema: string, table: string, catalog?: string): Promise<boolean> {
  const [row] = await db.all<{ n: bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = ${catalog === undefined ? 'current_database()' : '$3'} AND schema_name = $1 AND table_name = $2`,
    catalog === undefined ? [schema, table] : [schema, table, catalog],
  );
  return row !== undefined && row.n > 0n;
}
