import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import { STATE_SCHEMA, tableExists } from './internalNames.js';

const S = quoteIdent(STATE_SCHEMA);

/** 0 when the local database has no duckdb-sync state yet. */
export async function readStateVersion(db: Database): Promise<number> {
  if (!(await tableExists(db, STATE_SCHEMA, 'state'))) return 0;
  const [row] = await db.all<{ value: string }>(`SELECT value FROM ${S}.state WHERE key = 'version'`);
  return row ? Number(row.value) : 0;
}

/** A value kept in duckdb-sync's local key-value table (`_duckdb_sync.state`); undefined when unset or before any sync. */
export async function readStateValue(db: Database, key: string): Promise<string | undefined> {
  if (!(await tableExists(db, STATE_SCHEMA, 'state'))) return undefined;
  const [row] = await db.all<{ value: string }>(`SELECT value FROM ${S}.state WHERE key = $1`, [key]);
  return row?.value;
}
