import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import { ConfigError } from '../../errors.js';
import { localRef, type Scope, type TablePair } from './tablePair.js';

/**
 * A partial replica's scope (`tables.<name>.where`, the `Scope` of its TablePair): the filter is
 * one DuckDB boolean expression over the table's columns, in local names; it is checked once per
 * run with DuckDB's own parser (`json_serialize_sql`), before anything is read or written, and
 * rendered twice: over the local table's columns and over the remote's (mapped columns renamed), so
 * that MotherDuck runs it in the scan and no row outside it crosses the network.
 */

/** Marks a large integer of the parsed tree kept as a string (JSON.parse would round it). */
const BIG = '__duckdb_sync_bigint_';

interface ExpressionNode {
  class?: string;
  column_names?: string[];
  [key: string]: unknown;
}

/**
 * Checks a pair's filter and renders it for each side. Throws ConfigError (exit 2) for a filter
 * that is not one expression (several statements, a clause of its own), that reads a subquery or
 * a window, names a column the table does not have (or qualifies one), or is not boolean.
 */
export async function compileScope(db: Database, pair: TablePair, where: string): Promise<Scope> {
  const field = `tables.${pair.name}.where`;
  const columns = pair.columns.map((c) => c.local);
  const fail = (problem: string, hint: string): never => {
    throw new ConfigError(`${field}: ${problem}`, hint);
  };
  const [parsed] = await db.all<{ j: string }>('SELECT json_serialize_sql($1::VARCHAR) AS j', [`SELECT ${where}`]);
  // Large integers (a missing query_location is 2^64 − 1) stay exact through JavaScript as strings.
  const tree = JSON.parse((parsed?.j ?? '{}').replace(/"(\w+)":(\d{16,})/g, `"$1":"${BIG}$2"`)) as { error?: boolean; error_message?: string; statements?: Array<{ node: Record<string, unknown> }> };
  const hint = `give one boolean expression over the table's columns, e.g. "ts >= now() - INTERVAL 90 DAY"; columns: ${columns.join(', ')}`;
  if (tree.error || !tree.statements) fail(`not one expression (${tree.error_message ?? 'it does not parse'})`, hint);
  const statements = tree.statements ?? [];
  if (statements.length !== 1) fail('several statements', hint);
  const node = (statements[0] as { node: Record<string, unknown> }).node;
  const selectList = node.select_list as ExpressionNode[] | undefined;
  const clauses = ['where_clause', 'group_expressions', 'having', 'qualify'].filter((k) => {
    const v = node[k];
    return v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0);
  });
  if (node.type !== 'SELECT_NODE' || (node.from_table as { type?: string } | undefined)?.type !== 'EMPTY' || selectList?.length !== 1 || clauses.length || (node.modifiers as unknown[] | undefined)?.length) {
    fail('not one expression', hint);
  }
  const known = new Set(columns);
  const toRemote = new Map(pair.columns.map((c) => [c.local, c.remote]));
  const remoteTree = JSON.parse(JSON.stringify(tree)) as typeof tree;
  visit(tree, (n) => {
    if (n.class === 'SUBQUERY') fail('a subquery is not allowed', 'filter on the table\'s own columns; a subquery would read other tables on every sync');
    if (n.class === 'WINDOW') fail('a window function is not allowed', hint);
    if (n.class === 'COLUMN_REF') {
      const names = n.column_names ?? [];
      if (names.length !== 1) fail(`write columns without a table name (${names.join('.')})`, hint);
      if (!known.has(names[0] as string)) fail(`unknown column "${names[0] as string}"`, `columns: ${columns.join(', ')}`);
    }
  });
  visit(remoteTree, (n) => {
    if (n.class === 'COLUMN_REF' && n.column_names?.length === 1) n.column_names = [toRemote.get(n.column_names[0] as string) as string];
  });
  const local = await render(db, tree);
  const remote = await render(db, remoteTree);
  // Boolean, and fit for a WHERE clause (no aggregate): checked on an empty row of the table's types.
  const row = pair.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.local)}`).join(', ');
  let type: string | undefined;
  try {
    const described = await db.all<{ column_type: string }>(`DESCRIBE SELECT (${local}) AS f FROM (SELECT ${row}) t WHERE ${local}`);
    type = described[0]?.column_type;
  } catch (error) {
    fail(`${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}`, hint);
  }
  if (type !== 'BOOLEAN') fail(`not a boolean expression (it gives ${type ?? 'nothing'})`, hint);
  return { where, local, remote };
}

/** DuckDB's SQL of a parsed `SELECT <expression>`: the expression alone. */
async function render(db: Database, tree: unknown): Promise<string> {
  const json = JSON.stringify(tree).replace(new RegExp(`"(\\w+)":"${BIG}(\\d+)"`, 'g'), '"$1":$2');
  const [row] = await db.all<{ s: string }>('SELECT json_deserialize_sql($1::JSON) AS s', [json]);
  const sql = row?.s ?? '';
  if (!sql.startsWith('SELECT ')) throw new ConfigError(`cannot render the filter: ${sql}`, 'simplify the expression');
  return `(${sql.slice('SELECT '.length)})`;
}

function visit(value: unknown, f: (node: ExpressionNode) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) visit(v, f);
  } else if (value !== null && typeof value === 'object') {
    f(value as ExpressionNode);
    for (const v of Object.values(value)) visit(v, f);
  }
}

/** The local rows of a partial replica in its scope (its `--json` result's `rowsInScope`). */
export async function countRowsInScope(db: Database, pair: TablePair, scope: Scope): Promise<number> {
  const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${localRef(db, pair)} WHERE ${scope.local}`);
  return Number(row?.n ?? 0);
}
