import { asRecord } from './tableRef.js';

/**
 * A write of one table whose rows can be told (tracking/keyedWrites.ts):
 * - a plain INSERT or DELETE (no RETURNING, ON CONFLICT or OR REPLACE): by appending
 *   `RETURNING <key>` (tracking/returningKeys.ts);
 * - a plain UPDATE (no FROM, WITH, RETURNING, ORDER BY or LIMIT) of non-key columns whose WHERE is
 *   a deterministic condition over the table's own columns (comparisons, AND/OR/NOT, IN lists,
 *   BETWEEN, IS NULL, LIKE, casts; no function, no subquery): by reading the keys the condition
 *   selects just before it runs (tracking/updateKeys.ts), checked against the count it updates.
 *
 * Not `UPDATE … RETURNING`: on DuckDB 1.5.6, `UPDATE t SET amount = amount + 1 WHERE id = $1
 * RETURNING id` on a keyed table of 1M rows applies the update twice to about one row in a hundred
 * (and returns its key twice), where the same UPDATE without RETURNING applies it once (reproduced
 * with DuckDB alone; test/integration/keyedWrites.test.ts guards it). An upsert runs the same path.
 */
export type RowWrite =
  | { kind: 'insert' | 'delete' }
  | {
      kind: 'update';
      /** The columns the SET clause assigns, lower-cased. */
      setColumns: string[];
      /** How many `?` parameters the SET clause holds (the WHERE's come after them). */
      setPlaceholders: number;
      /** The `$n` parameters the WHERE clause names. */
      whereNumbered: number[];
    };

/** Keys of the polyglot-sql expression nodes (and their fields) a deterministic row condition may hold. */
const CONDITION_KEYS = new Set([
  // Nodes.
  'and', 'or', 'not', 'paren', 'eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'null_safe_eq', 'null_safe_neq', 'is_null', 'between', 'in', 'like', 'ilike',
  'neg', 'cast', 'column', 'literal', 'boolean', 'null', 'placeholder', 'parameter',
  // Their fields.
  'this', 'left', 'right', 'low', 'high', 'symmetric', 'expressions', 'query', 'escape', 'quantifier', 'postfix_form', 'not', 'global',
  'to', 'data_type', 'double_colon_syntax', 'format', 'default', 'name', 'quoted', 'table', 'join_mark', 'value', 'literal_type',
  'index', 'style', 'string_quoted', 'expression', 'length', 'precision', 'scale',
]);

/** Fields that never hold an expression. */
const IGNORED = new Set(['span', 'trailing_comments', 'left_comments', 'operator_comments', 'leading_comments']);

/** Reads an `insert`, `delete` or `update` node's body of the polyglot-sql AST; undefined when it is not plain. */
export function readRowWrite(kind: string, body: Record<string, unknown>): RowWrite | undefined {
  const noReturning = Array.isArray(body.returning) && body.returning.length === 0;
  if (kind === 'insert' || kind === 'delete') return noReturning && body.on_conflict == null && body.conflict_action == null ? { kind } : undefined;
  if (kind !== 'update' || !noReturning) return undefined;
  const empty = (v: unknown): boolean => v == null || (Array.isArray(v) && v.length === 0) || v === false;
  if (!['from_clause', 'from_joins', 'extra_tables', 'table_joins', 'with', 'output', 'limit', 'order_by', 'from_before_set'].every((f) => empty(body[f]))) return undefined;
  const where = body.where_clause;
  if (where == null || !Array.isArray(body.set)) return undefined;
  const setColumns: string[] = [];
  let setPlaceholders = 0;
  for (const pair of body.set) {
    const [column, value] = Array.isArray(pair) ? (pair as unknown[]) : [];
    const name = asRecord(column)?.name;
    if (typeof name !== 'string') return undefined;
    setColumns.push(name.toLowerCase());
    setPlaceholders += collect(value, 'placeholder').length;
  }
  if (!deterministic(asRecord(where)?.this)) return undefined;
  const whereNumbered = collect(where, 'parameter').map((p) => asRecord(p)?.index);
  if (!whereNumbered.every((i): i is number => typeof i === 'number' && Number.isInteger(i) && i > 0)) return undefined;
  return { kind: 'update', setColumns, setPlaceholders, whereNumbered };
}

/** Whether an expression node holds only what CONDITION_KEYS allows (an IN list, not a subquery). */
function deterministic(node: unknown): boolean {
  if (node == null) return node === null;
  if (Array.isArray(node)) return node.every(deterministic);
  const record = asRecord(node);
  if (!record) return true;
  return Object.entries(record).every(([key, value]) => IGNORED.has(key) || (CONDITION_KEYS.has(key) && (key !== 'query' || value == null) && deterministic(value)));
}

/** Every value under a `key` field anywhere in the node. */
function collect(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((n) => collect(n, key));
  const record = asRecord(node);
  if (!record) return [];
  return Object.entries(record).flatMap(([k, v]) => (IGNORED.has(k) ? [] : [...(k === key ? [v] : []), ...collect(v, key)]));
}
