import type { Database } from '../../../db/database.js';
import { qualify } from '../../../duckdb/quote.js';
import { STATE_SCHEMA } from '../internalNames.js';

/**
 * duckdb-sync's own tables on the remote (in its `_duckdb_sync` schema, never synced as user
 * tables). Every statement in this folder reaches the remote: a round trip each, unless the last
 * discovery's listing (db/knownRemoteTables.ts) already answers.
 */

/**
 * Whether one of duckdb-sync's own tables exists on the remote: answered from the last discovery's
 * listing when known, else asked of DuckDB's catalog (a round trip).
 */
export async function remoteStateTableExists(db: Database, table: string): Promise<boolean> {
  const known = db.remoteTables.has(STATE_SCHEMA, table);
  if (known !== undefined) return known;
  const [row] = await db.all<{ n: bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = $3 AND schema_name = $1 AND table_name = $2`,
    [STATE_SCHEMA, table, db.remote.catalog],
  );
  return row !== undefined && row.n > 0n;
}

/** One of duckdb-sync's own tables on the remote, qualified. */
export function remoteStateTable(db: Database, table: string): string {
  return qualify(db.remote.catalog, STATE_SCHEMA, table);
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
  const ref = remoteStateTable(db, table);
  if (!(await remoteStateTableExists(db, table))) {
    await ensureRemoteStateSchema(db);
    await db.run(`CREATE TABLE IF NOT EXISTS ${ref} AS SELECT * FROM (${rowsSelect(false)}) LIMIT 0`, params);
    db.remoteTables.created(STATE_SCHEMA, table);
  }
  if (returning) return db.all(`INSERT INTO ${ref} ${rowsSelect(true)} RETURNING ${returning}`, params);
  await db.run(`INSERT INTO ${ref} ${rowsSelect(true)}`, params);
  return [];
}
