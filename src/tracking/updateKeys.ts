import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { SqlParams } from '../db/database.js';
import { quoteIdent } from '../duckdb/quote.js';
import type { ParsedStatement, SqlParser } from '../sql/sqlParser.js';
import type { TableRef } from '../sql/tableRef.js';
import { MAX_KNOWN_KEYS, type WrittenKeys } from './keyedWrites.js';

/**
 * The keys a lone plain UPDATE of a keyed table's other columns (sql/rowWrite.ts) is about to write,
 * read on the application's connection just before it runs: `SELECT <key> FROM <its table> WHERE
 * <its condition>` with its parameters. Nothing else writes the table in between (the file is held
 * by this process, the tracked connection runs one statement at a time, and the untracked one
 * forgets every table), and the condition is deterministic, so it selects the rows the UPDATE
 * writes; the caller still checks the count the UPDATE reports. Undefined when the statement is not
 * such an UPDATE, selects more than MAX_KNOWN_KEYS rows, or the SELECT cannot run (the table is
 * then compared whole).
 */
export async function readUpdateKeys(
  connection: DuckDBConnection,
  parser: SqlParser,
  sql: string,
  statement: ParsedStatement | undefined,
  params: SqlParams | undefined,
  primaryKeyOf: (targets: TableRef[]) => string[] | undefined,
): Promise<WrittenKeys | undefined> {
  if (statement?.kind !== 'write' || statement.row?.kind !== 'update' || statement.targets === 'unknown') return undefined;
  const row = statement.row;
  const key = primaryKeyOf(statement.targets);
  if (!key || row.setColumns.some((c) => key.some((k) => k.toLowerCase() === c))) return undefined;
  // Named parameters ($name) are not followed here.
  if (params !== undefined && !Array.isArray(params)) return undefined;
  const parts = parser.updateParts(sql);
  if (!parts) return undefined;
  let condition = parts.condition;
  let values: DuckDBValue[] = params ?? [];
  if (row.whereNumbered.length) {
    // The SELECT takes the statement's whole list: every $n the condition does not name is named idly.
    const idle = values.map((_v, i) => i + 1).filter((i) => !row.whereNumbered.includes(i));
    condition = idle.length ? `(${condition}) AND (${idle.map((i) => `$${i} IS NULL`).join(' OR ')} OR true)` : condition;
  } else {
    // `?` parameters are numbered in order: the SET clause's come first.
    values = values.slice(row.setPlaceholders);
  }
  try {
    const prepared = await connection.prepare(`SELECT ${key.map(quoteIdent).join(', ')} FROM ${parts.table} WHERE ${condition} LIMIT ${MAX_KNOWN_KEYS + 1}`);
    try {
      if (values.length) prepared.bind(values);
      const reader = await prepared.runAndReadAll();
      if (reader.currentRowCount > MAX_KNOWN_KEYS) return undefined;
      return { columns: key, types: reader.columnTypes(), rows: reader.getRows() };
    } finally {
      prepared.destroySync();
    }
  } catch {
    return undefined;
  }
}
