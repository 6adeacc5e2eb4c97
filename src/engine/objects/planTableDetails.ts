import { qualify, quoteIdent } from '../../duckdb/quote.js';
import type { TableInfo } from '../catalog/catalog.js';
import type { TablePair } from '../catalog/tablePair.js';
import type { ObjectChange } from './objectChange.js';
import { commentTableSql } from './objectDdl.js';

/**
 * What a synced local table lacks of its remote's definition: comments (table and columns),
 * DEFAULT expressions, NOT NULL and the primary key are added (DuckDB can ALTER these); a CHECK or
 * UNIQUE constraint the local table lacks is reported, as a type change is: DuckDB cannot add one
 * to an existing table. A table created by this sync already has all of them but its comments.
 */
export function planTableDetails(pairs: TablePair[], localTables: ReadonlyMap<string, TableInfo>, localCatalog: string): ObjectChange[] {
  const changes: ObjectChange[] = [];
  for (const pair of pairs) {
    const local = localTables.get(pair.name);
    if (pair.localOnly || !local) continue;
    const ref = qualify(localCatalog, pair.local.schema, pair.local.table);
    const remote = pair.remoteInfo;
    const step = (action: ObjectChange['action'], name: string, detail: string, sql?: string): void => {
      changes.push({ kind: 'table', name, side: 'local', action, sql, detail, before: false });
    };
    if (remote.comment && remote.comment !== local.comment) {
      step('comment', pair.name, 'comment taken from the remote', commentTableSql(localCatalog, pair.local.schema, pair.local.table, remote.comment));
    }
    const localColumns = new Map(local.columns.map((c) => [c.name, c]));
    for (const column of pair.columns) {
      const r = remote.columns.find((c) => c.name === column.remote);
      const l = localColumns.get(column.local);
      if (!r || !l) continue;
      const name = `${pair.name}.${column.local}`;
      if (r.comment && r.comment !== l.comment) step('comment', name, 'comment taken from the remote', commentTableSql(localCatalog, pair.local.schema, pair.local.table, r.comment, column.local));
      if (r.default && !l.default) step('set default', name, `DEFAULT ${r.default}, as on the remote`, `ALTER TABLE ${ref} ALTER COLUMN ${quoteIdent(column.local)} SET DEFAULT ${r.default}`);
      else if (r.default && l.default && unquoted(l.default) !== unquoted(r.default)) step('differs', name, `the remote's DEFAULT is ${r.default}; the local ${l.default} is kept`);
      // Key columns are NOT NULL through the key (added below when missing).
      if (r.notNull && !l.notNull && !remote.primaryKey.includes(r.name)) step('set not null', name, 'NOT NULL, as on the remote', `ALTER TABLE ${ref} ALTER COLUMN ${quoteIdent(column.local)} SET NOT NULL`);
    }
    const localName = (remoteColumn: string): string => pair.columns.find((c) => c.remote === remoteColumn)?.local ?? remoteColumn;
    if (remote.primaryKey.length && !local.primaryKey.length && !pair.settings.key) {
      const cols = remote.primaryKey.map(localName);
      step('add primary key', pair.name, `PRIMARY KEY (${cols.join(', ')}), as on the remote`, `ALTER TABLE ${ref} ADD PRIMARY KEY (${cols.map(quoteIdent).join(', ')})`);
    }
    const localUnique = new Set((local.unique ?? []).map((u) => JSON.stringify([...u].sort())));
    for (const u of remote.unique ?? []) {
      const cols = u.map(localName);
      if (!localUnique.has(JSON.stringify([...cols].sort()))) step('differs', pair.name, `UNIQUE (${cols.join(', ')}) is on the remote only: DuckDB cannot add it to an existing table; the remote refuses the duplicates a push would bring`);
    }
    const renamed = pair.columns.some((c) => c.local !== c.remote);
    const localChecks = new Set((local.checks ?? []).map((c) => c.text));
    for (const check of remote.checks ?? []) {
      if (!renamed && !localChecks.has(check.text)) step('differs', pair.name, `${check.text} is on the remote only: DuckDB cannot add it to an existing table; the remote refuses the rows a push would bring that break it`);
    }
  }
  return changes;
}

/** DuckDB renders a default's type names quoted or not depending on how it was read: compared without quotes. */
function unquoted(expression: string): string {
  return expression.replace(/"/g, '');
}
