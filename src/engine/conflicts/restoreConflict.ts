import type { Database } from '../../db/database.js';
import { qualify, quoteIdent } from '../../duckdb/quote.js';
import { ConflictRestoreError } from '../../errors.js';
import { splitName } from '../catalog/tablePair.js';
import { TEMP } from '../rows/tempTables.js';
import type { ConflictRecord } from '../api.js';
import { losingVersion } from './conflictView.js';

/**
 * Writes a conflict's losing version back into the local table, inside the caller's transaction,
 * as a local edit (the next sync pushes it through the merge, so a newer cloud edit is itself a
 * conflict): an update or insert by key, or a delete when the losing side had deleted the row;
 * for a table without a key, the lost copies are added back (or the copies that came back are
 * deleted again). The JSON version is typed by the table's current columns: a table that is gone,
 * or whose columns no longer match the version's, is a ConflictRestoreError and nothing is written.
 */
export async function restoreConflict(db: Database, record: ConflictRecord, columnsOf: TableColumns = new Map()): Promise<void> {
  const { schema, table } = splitName(record.table);
  const ref = qualify(db.localCatalog, schema, table);
  let columns = columnsOf.get(record.table);
  if (!columns) {
    columns = await db.all<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3 ORDER BY column_index`,
      [db.localCatalog, schema, table],
    );
    columnsOf.set(record.table, columns);
  }
  if (!columns.length) throw new ConflictRestoreError(`conflict ${record.id}: table ${record.table} no longer exists locally`, 'dismiss the record, or re-create the table (a sync pulls it) and restore again');
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const lost = losingVersion(record);
  const key = record.keyJson === null ? undefined : (JSON.parse(record.keyJson) as Record<string, unknown>);
  if (key) {
    if (lost === null) {
      await loadRow(db, record, JSON.stringify(key), Object.keys(key), types);
      await db.run(`DELETE FROM ${ref} t USING ${TEMP.restore_row} r WHERE ${match(Object.keys(key))}`);
      return;
    }
    const cols = await loadRow(db, record, JSON.stringify(lost), columns.map((c) => c.name), types);
    const keyCols = Object.keys(key);
    const [found] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${ref} t, ${TEMP.restore_row} r WHERE ${match(keyCols)}`);
    const rest = cols.filter((c) => !keyCols.includes(c));
    if (!found?.n) await db.run(`INSERT INTO ${ref} (${cols.map(quoteIdent).join(', ')}) SELECT ${cols.map(quoteIdent).join(', ')} FROM ${TEMP.restore_row}`);
    else if (rest.length) await db.run(`UPDATE ${ref} t SET ${rest.map((c) => `${quoteIdent(c)} = r.${quoteIdent(c)}`).join(', ')} FROM ${TEMP.restore_row} r WHERE ${match(keyCols)}`);
    return;
  }
  // A table without a key: copies of a row.
  const row = lost ?? (record.remoteJson === null ? null : (JSON.parse(record.remoteJson) as Record<string, unknown>));
  if (row === null) return;
  const cols = await loadRow(db, record, JSON.stringify(row), columns.map((c) => c.name), types);
  const list = cols.map(quoteIdent).join(', ');
  if (lost !== null) {
    await db.run(`INSERT INTO ${ref} (${list}) SELECT ${list} FROM ${TEMP.restore_row}, range(CAST($1 AS BIGINT))`, [record.copies]);
  } else {
    await db.run(`DELETE FROM ${ref} WHERE rowid IN (SELECT t.rowid FROM ${ref} t, ${TEMP.restore_row} r WHERE ${match(cols)} LIMIT CAST($1 AS BIGINT))`, [record.copies]);
  }
}

/** Each table's columns and types, looked up once for a batch of restores. */
export type TableColumns = Map<string, Array<{ name: string; type: string }>>;

/** `t.c IS NOT DISTINCT FROM r.c` for each column. */
function match(cols: string[]): string {
  return cols.map((c) => `t.${quoteIdent(c)} IS NOT DISTINCT FROM r.${quoteIdent(c)}`).join(' AND ');
}

/**
 * Types one JSON row as the table's columns into TEMP.restore_row. Its fields must be exactly
 * `expected` (the table's columns, or the key). Returns the columns, in the table's order.
 */
async function loadRow(db: Database, record: ConflictRecord, json: string, expected: string[], types: Map<string, string>): Promise<string[]> {
  const fields = Object.keys(JSON.parse(json) as object);
  const missing = expected.filter((c) => !fields.includes(c));
  const extra = fields.filter((c) => !types.has(c));
  if (missing.length || extra.length) {
    throw new ConflictRestoreError(
      `conflict ${record.id}: the kept version no longer fits table ${record.table} (${[extra.length ? `columns gone: ${extra.join(', ')}` : '', missing.length ? `columns added: ${missing.join(', ')}` : ''].filter(Boolean).join('; ')})`,
      'the table changed since the conflict was kept: write the version shown by `duckdb-sync conflicts --all-columns` yourself, then dismiss the record',
    );
  }
  // BLOBs are kept as escaped text (to_json): read as text, then cast.
  const structure = Object.fromEntries(expected.map((c) => [c, types.get(c) === 'BLOB' ? 'VARCHAR' : (types.get(c) as string)]));
  const select = expected.map((c) => (types.get(c) === 'BLOB' ? `CAST(${quoteIdent(c)} AS BLOB) AS ${quoteIdent(c)}` : quoteIdent(c))).join(', ');
  try {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.restore_row} AS SELECT ${select} FROM (SELECT unnest(json_transform_strict(CAST($1 AS JSON), $2)))`, [json, JSON.stringify(structure)]);
  } catch (error) {
    throw new ConflictRestoreError(
      `conflict ${record.id}: the kept version no longer fits table ${record.table}: ${error instanceof Error ? error.message : String(error)}`,
      'a column changed type since the conflict was kept: write the version shown by `duckdb-sync conflicts --all-columns` yourself, then dismiss the record',
      error,
    );
  }
  return expected;
}
