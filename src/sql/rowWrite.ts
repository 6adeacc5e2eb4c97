import { asRecord } from './tableRef.js';

/**
 * A plain INSERT, UPDATE or DELETE of one table, with no RETURNING and no ON CONFLICT clause: the
 * rows it writes can be told by appending `RETURNING <key>` (tracking/returningKeys.ts).
 * `assigned`: the columns an UPDATE sets, as written (unquoted names keep their case).
 */
export interface RowWrite {
  kind: 'insert' | 'update' | 'delete';
  assigned: Array<{ name: string; quoted: boolean }>;
}

/** Reads an `insert`, `update` or `delete` node's body of the polyglot-sql AST; undefined when it is not plain. */
export function readRowWrite(kind: RowWrite['kind'], body: Record<string, unknown>): RowWrite | undefined {
  const plain = Array.isArray(body.returning) && body.returning.length === 0 && body.on_conflict == null;
  if (!plain) return undefined;
  const assigned: RowWrite['assigned'] = [];
  // UPDATE's `set` holds [column, expression] pairs.
  for (const pair of kind === 'update' ? (Array.isArray(body.set) ? body.set : [undefined]) : []) {
    const column = asRecord(Array.isArray(pair) ? pair[0] : undefined);
    if (typeof column?.name !== 'string') return undefined;
    assigned.push({ name: column.name, quoted: column.quoted === true });
  }
  return { kind, assigned };
}
