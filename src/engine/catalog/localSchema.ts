import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import type { TableInfo } from './catalog.js';
import { type TablePair, localRef } from './tablePair.js';

/** CREATE TABLE text for the local side of a pair: the remote's columns, types and key. */
export function createTableSql(db: Database, pair: TablePair): string {
  const cols = pair.columns.map((c) => `${quoteIdent(c.local)} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
  if (pair.remoteInfo.primaryKey.length && !pair.settings.key) {
    cols.push(`PRIMARY KEY (${pair.key.map(quoteIdent).join(', ')})`);
  }
  return `CREATE TABLE ${localRef(db, pair)} (${cols.join(', ')})`;
}

/**
 * Makes the local table ready to receive the remote's rows, inside the caller's transaction:
 * creates schema and table when missing, adds columns the remote has and the local lacks.
 * Returns warnings about differences it does not resolve (columns only the local side has).
 */
export async function ensureLocalTable(db: Database, pair: TablePair, localInfo: TableInfo | undefined): Promise<string[]> {
  if (!localInfo) {
    await db.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(pair.local.schema)}`);
    await db.run(createTableSql(db, pair));
    return [];
  }
  const warnings: string[] = [];
  const localCols = new Set(localInfo.columns.map((c) => c.name));
  for (const c of pair.columns) {
    if (!localCols.has(c.local)) {
      await db.run(`ALTER TABLE ${localRef(db, pair)} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.local)} ${c.type}`);
    }
  }
  const pairCols = new Set(pair.columns.map((c) => c.local));
  const extra = localInfo.columns.filter((c) => !pairCols.has(c.name)).map((c) => c.name);
  if (extra.length) warnings.push(`local columns not on the remote are left as they are: ${extra.join(', ')}`);
  return warnings;
}
