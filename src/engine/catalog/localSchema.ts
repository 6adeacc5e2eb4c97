import type { Database } from '../../db/database.js';
import { qualify, quoteIdent } from '../../duckdb/quote.js';
import type { RemoteStorage } from '../../remote/remote.js';
import { isLiteralDefault } from '../../remote/literalDefault.js';
import type { TableInfo } from './catalog.js';
import { type TablePair, localRef } from './tablePair.js';

/**
 * The column and constraint list of a pair's table as created on one side: the remote's columns
 * and types, DEFAULT expressions, NOT NULL, the key, CHECK and UNIQUE constraints, under that
 * side's column names. A CHECK that reads a column the mapping renames is left out (its text names
 * the other side's column), and so is, on the remote, a DEFAULT that draws from a sequence (the
 * sequence may exist only locally): both are returned as warnings. On a DuckLake remote
 * (`storage`), which holds no constraints and no DEFAULT but literals, those are left out too, each
 * said once in the warnings: the key is still honoured, duckdb-sync taking it from the local table.
 */
export function tableBodySql(pair: TablePair, side: 'local' | 'remote', storage: RemoteStorage = 'duckdb'): { sql: string; warnings: string[] } {
  const name = (remote: string): string => (side === 'local' ? (pair.columns.find((c) => c.remote === remote)?.local ?? remote) : remote);
  const renamed = new Set(pair.columns.filter((c) => c.local !== c.remote).map((c) => (pair.localOnly ? c.local : c.remote)));
  const info = pair.remoteInfo;
  const warnings: string[] = [];
  const lake = side === 'remote' && storage === 'ducklake';
  const cols = info.columns.map((c) => {
    let def = c.default ? ` DEFAULT (${c.default})` : '';
    if (def && side === 'remote' && /\b(nextval|currval)\s*\(/i.test(c.default ?? '')) {
      warnings.push(`the default of column ${c.name} (${c.default}) draws from a sequence and is not created on the remote`);
      def = '';
    } else if (def && lake && !isLiteralDefault(c.default ?? '')) {
      warnings.push(`the default of column ${c.name} (${c.default}) is not created on the remote: a DuckLake database keeps only literal defaults`);
      def = '';
    }
    return `${quoteIdent(name(c.name))} ${c.type}${def}${c.notNull ? ' NOT NULL' : ''}`;
  });
  const constraints: string[] = [];
  if (info.primaryKey.length && !(side === 'local' && pair.settings.key)) constraints.push(`PRIMARY KEY (${info.primaryKey.map((k) => quoteIdent(name(k))).join(', ')})`);
  for (const u of info.unique ?? []) constraints.push(`UNIQUE (${u.map((k) => quoteIdent(name(k))).join(', ')})`);
  for (const check of info.checks ?? []) {
    if (check.columns.some((c) => renamed.has(c))) warnings.push(`${check.text} reads a renamed column and is not created on the ${side} side`);
    else constraints.push(check.text);
  }
  if (lake) {
    for (const c of constraints) {
      const key = c.startsWith('PRIMARY KEY');
      warnings.push(`${c} is not created on the remote: a DuckLake database holds no constraints${key ? '; duckdb-sync keeps the key and never pushes two rows with one key' : ''}`);
    }
    return { sql: `(${cols.join(', ')})`, warnings };
  }
  return { sql: `(${[...cols, ...constraints].join(', ')})`, warnings };
}

/** CREATE TABLE text for the local side of a pair (tableBodySql). */
export function createTableSql(db: Database, pair: TablePair): { sql: string; warnings: string[] } {
  const body = tableBodySql(pair, 'local');
  return { sql: `CREATE TABLE ${localRef(db, pair)} ${body.sql}`, warnings: body.warnings };
}

/**
 * Makes the local table ready to receive the remote's rows, inside the caller's transaction:
 * creates schema and table when missing, adds columns the remote has and the local lacks.
 * Returns warnings about differences it does not resolve (columns only the local side has).
 */
export async function ensureLocalTable(db: Database, pair: TablePair, localInfo: TableInfo | undefined): Promise<string[]> {
  if (!localInfo) {
    await db.run(`CREATE SCHEMA IF NOT EXISTS ${qualify(db.localCatalog, pair.local.schema)}`);
    const create = createTableSql(db, pair);
    await db.run(create.sql);
    return create.warnings;
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
