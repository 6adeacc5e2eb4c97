import type { Database } from '../../db/database.js';
import { qualify } from '../../db/quote.js';

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
 * remote's: answered from the last discovery's listing when known, knownRemoteTables.ts). The one
 * place that asks DuckDB's catalog about duckdb-sync's own tables.
 */
export async function tableExists(db: Database, schema: string, table: string, catalog?: string): Promise<boolean> {
  if (catalog === undefined) return db.localTableExists(schema, table);
  const known = db.remoteTables.has(schema, table);
  if (known !== undefined) return known;
  const [row] = await db.all<{ n: bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = $3 AND schema_name = $1 AND table_name = $2`,
    [schema, table, catalog],
  );
  return row !== undefined && row.n > 0n;
}

/** Creates duckdb-sync's schema on the remote, unless it is known to exist (no round trip then). */
export async function ensureRemoteStateSchema(db: Database): Promise<void> {
  if (db.remoteTables.hasSchema(STATE_SCHEMA)) return;
  await db.run(`CREATE SCHEMA IF NOT EXISTS ${qualify(db.remote.catalog, STATE_SCHEMA)}`);
  db.remoteTables.createdSchema(STATE_SCHEMA);
}

/**
 * Adds the rows of `rowsSelect(true)` to one of duckdb-sync's tables on the remote, creating the
 * table first when the last discovery's listing (knownRemoteTables.ts) does not show it: empty, from
 * the shape of `rowsSelect(false)` (which must not read the table), `IF NOT EXISTS`, then the insert.
 * So two clients creating it at the same moment both succeed (the one whose commit loses a race is
 * retried, and finds it), where a `CREATE TABLE … AS` of the rows would fail the second. With
 * `returning`, that column of the rows added comes back from the same statement (`INSERT … RETURNING`).
 */
export async function appendToRemoteStateTable(
  db: Database,
  table: string,
  rowsSelect: (exists: boolean) => string,
  params?: string[],
  returning?: string,
): Promise<Array<Record<string, unknown>>> {
  const ref = qualify(db.remote.catalog, STATE_SCHEMA, table);
  if (!(await tableExists(db, STATE_SCHEMA, table, db.remote.catalog))) {
    await ensureRemoteStateSchema(db);
    await db.run(`CREATE TABLE IF NOT EXISTS ${ref} AS SELECT * FROM (${rowsSelect(false)}) LIMIT 0`, params);
    db.remoteTables.created(STATE_SCHEMA, table);
  }
  if (returning) return db.all(`INSERT INTO ${ref} ${rowsSelect(true)} RETURNING ${returning}`, params);
  await db.run(`INSERT INTO ${ref} ${rowsSelect(true)}`, params);
  return [];
}
