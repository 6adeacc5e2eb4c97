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

/** Whether one of duckdb-sync's own tables exists in the local database (no round trip). */
export async function tableExists(db: Database, schema: string, table: string): Promise<boolean> {
  return db.localTableExists(schema, table);
}
