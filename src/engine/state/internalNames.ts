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
 * Adds the rows of `rowsSelect(exists)` to one of duckdb-sync's tables on the remote, creating the
 * table from them when it does not exist yet: one statement either way (whether it exists is known
 * from the last discovery's listing, knownRemoteTables.ts). With `returning`, that column of the rows
 * added to an existing table comes back from the same statement (`INSERT … RETURNING`); undefined
 * when the statement created the table.
 */
export async function appendToRemoteStateTable(
  db: Database,
  table: string,
  rowsSelect: (exists: boolean) => string,
  params?: string[],
  returning?: string,
): Promise<Array<Record<string, unknown>> | undefined> {
  const ref = qualify(db.remote.catalog, STATE_SCHEMA, table);
  if (await tableExists(db, STATE_SCHEMA, table, db.remote.catalog)) {
    if (returning) return db.all(`INSERT INTO ${ref} ${rowsSelect(true)} RETURNING ${returning}`, params);
    await db.run(`INSERT INTO ${ref} ${rowsSelect(true)}`, params);
    return [];
  }
  await ensureRemoteStateSchema(db);
  await db.run(`CREATE TABLE ${ref} AS ${rowsSelect(false)}`, params);
  db.remoteTables.created(STATE_SCHEMA, table);
  return undefined;
}
