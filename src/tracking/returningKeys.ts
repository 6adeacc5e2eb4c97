import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { quoteIdent } from '../duckdb/quote.js';
import type { ParsedStatement, SqlParser } from '../sql/sqlParser.js';
import type { TableRef } from '../sql/tableRef.js';
import { MAX_KNOWN_KEYS, type WrittenKeys } from './keyedWrites.js';
import type { StatementResult } from './statementResult.js';

/**
 * The statement with `RETURNING <primary key>` appended, prepared, when it is a lone plain INSERT or
 * DELETE (sql/rowWrite.ts: not UPDATE, whose RETURNING DuckDB 1.5.6 can apply twice) of a local table
 * with a primary key (`primaryKeyOf`). Undefined otherwise, or when the text does not prepare so (it
 * then runs as written).
 */
export async function prepareReturningKeys(
  connection: DuckDBConnection,
  parser: SqlParser,
  sql: string,
  statement: ParsedStatement | undefined,
  primaryKeyOf: (targets: TableRef[]) => string[] | undefined,
): Promise<{ prepared: DuckDBPreparedStatement; columns: string[] } | undefined> {
  if (statement?.kind !== 'write' || !statement.row || statement.row.kind === 'update' || statement.targets === 'unknown') return undefined;
  const key = primaryKeyOf(statement.targets);
  if (!key) return undefined;
  const text = parser.trimmed(sql);
  if (text === undefined) return undefined;
  try {
    return { prepared: await connection.prepare(`${text}\nRETURNING ${key.map(quoteIdent).join(', ')}`), columns: key };
  } catch {
    return undefined;
  }
}

/**
 * Runs a statement prepared by prepareReturningKeys: the result the statement gives as written
 * (the count of rows it wrote), and the keys of those rows (none past MAX_KNOWN_KEYS: the table
 * is then compared whole, and the keys are not converted).
 */
export async function readReturnedKeys(prepared: DuckDBPreparedStatement, keepRows: boolean, columns: string[]): Promise<{ result: StatementResult; keys: WrittenKeys | undefined }> {
  const reader = await prepared.runAndReadAll();
  const n = reader.currentRowCount;
  const result: StatementResult = { kind: 'write', columns: keepRows ? ['Count'] : [], rows: keepRows ? [{ Count: BigInt(n) }] : [], rowsChanged: n, marked: [] };
  const keys = n > MAX_KNOWN_KEYS ? undefined : { columns, types: reader.columnTypes(), rows: reader.getRows() };
  return { result, keys };
}
