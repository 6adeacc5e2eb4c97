import { duckdb } from '../../duckdb/duckdbApi.js';
import type { Database } from '../../db/database.js';
import { qualify } from '../../duckdb/quote.js';
import { DIRTY_TABLE, STATE_SCHEMA } from './internalNames.js';
import { readStateVersion } from './stateValues.js';
import type { TablePair } from '../catalog/tablePair.js';
import type { TableResult } from '../api.js';

/**
 * Dirty marks: a row per write made through the library or `exec`, naming the table written (its
 * local display name, or ALL_TABLES when the statement's targets could not be told). A mark is
 * committed in the same transaction as the write it stands for, so a mark seen by a sync means
 * its write is seen too; a sync deletes exactly the marks it saw, once their tables are pushed.
 * Writes made meanwhile leave marks of their own for the next push.
 */

export const ALL_TABLES = '*';

export const DIRTY = qualify(STATE_SCHEMA, DIRTY_TABLE);

/** The statement that marks a table dirty (parameter: the table's display name). */
export const MARK_DIRTY_SQL = `INSERT INTO ${DIRTY} (table_name) VALUES ($1)`;

export interface DirtyMark {
  seq: bigint;
  table: string;
}

/** The marks committed so far; none when the database has no duckdb-sync state (or no marks table yet). */
export async function readDirtyMarks(db: Database): Promise<DirtyMark[]> {
  if ((await readStateVersion(db)) < 2) return [];
  const rows = await db.all<{ seq: bigint; table_name: string }>(`SELECT seq, table_name FROM ${DIRTY} ORDER BY seq`);
  return rows.map((r) => ({ seq: r.seq, table: r.table_name }));
}

/** The pairs that the marks name (all of them for an ALL_TABLES mark); names are case-insensitive as in DuckDB. */
export function markedPairs(pairs: TablePair[], marks: DirtyMark[]): TablePair[] {
  if (marks.some((m) => m.table === ALL_TABLES)) return pairs;
  const names = new Set(marks.map((m) => normalize(m.table)));
  return pairs.filter((p) => names.has(normalize(p.name)));
}

/**
 * The marks a finished sync settles: those of tables it synced without error; an ALL_TABLES mark
 * when the sync covered every configured table (`coveredAll`) without error; and marks naming no
 * table the sync knows on either side (temporary tables, tables of other catalogs, tables dropped
 * on both sides), which nothing will ever push. `known`: display names of the local tables and pairs.
 */
export function settledMarks(marks: DirtyMark[], results: TableResult[], known: string[], coveredAll: boolean): DirtyMark[] {
  const ok = new Set(results.filter((r) => r.status === 'ok').map((r) => normalize(r.name)));
  const knownNames = new Set(known.map(normalize));
  const everyOk = coveredAll && results.every((r) => r.status === 'ok');
  return marks.filter((m) => (m.table === ALL_TABLES ? everyOk : ok.has(normalize(m.table)) || !knownNames.has(normalize(m.table))));
}

/** Deletes exactly these marks (later ones stay for the next push). */
export async function clearDirtyMarks(db: Database, marks: DirtyMark[]): Promise<void> {
  if (!marks.length) return;
  await db.run(`DELETE FROM ${DIRTY} WHERE list_contains($1, seq)`, [duckdb.listValue(marks.map((m) => m.seq))]);
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/^main\./, '');
}
