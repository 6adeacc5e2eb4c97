/**
 * A plain INSERT or DELETE of one table, with no RETURNING, ON CONFLICT or OR REPLACE clause: the
 * rows it writes can be told by appending `RETURNING <key>` (tracking/returningKeys.ts).
 *
 * Not UPDATE: on DuckDB 1.5.6, `UPDATE t SET amount = amount + 1 WHERE id = $1 RETURNING id` on a
 * keyed table of 1M rows applies the update twice to about one row in a hundred (and returns its key
 * twice), where the same UPDATE without RETURNING applies it once (reproduced with DuckDB alone;
 * test/integration/keyedWrites.test.ts guards it). An upsert runs the same update path.
 */
export interface RowWrite {
  kind: 'insert' | 'delete';
}

/** Reads an `insert` or `delete` node's body of the polyglot-sql AST; undefined when it is not plain. */
export function readRowWrite(kind: string, body: Record<string, unknown>): RowWrite | undefined {
  if (kind !== 'insert' && kind !== 'delete') return undefined;
  const plain = Array.isArray(body.returning) && body.returning.length === 0 && body.on_conflict == null && body.conflict_action == null;
  return plain ? { kind } : undefined;
}
