import type { Database } from '../../db/database.js';
import { qualify, quoteIdent } from '../../db/quote.js';
import { keyInUser, keysNeverNull, kMatchUser, kSelect } from '../rows/keySql.js';
import type { TablePair } from '../catalog/tablePair.js';
import { TEMP } from '../rows/tempTables.js';

/**
 * Writes the plan's `push` actions to the remote from `source` (the local table, or a snapshot of
 * its changed rows). Runs inside the caller's remote transaction. `onlyPairColumns`: the remote
 * table has no column outside the pair.
 */
export async function applyPush(db: Database, pair: TablePair, onlyPairColumns: boolean, source = qualify(pair.local.schema, pair.local.table)): Promise<void> {
  await applyActions(db, pair, 'push', {
    target: qualify(db.remote.catalog, pair.remote.schema, pair.remote.table),
    targetSide: 'remote',
    source,
    present: 'lh',
    replaceRows: onlyPairColumns,
  });
}

/**
 * Writes the plan's `pull` actions to the local table from `TEMP.rrows`. Runs inside the
 * caller's local transaction. `onlyPairColumns`: the local table has no column outside the pair.
 */
export async function applyPull(db: Database, pair: TablePair, onlyPairColumns: boolean): Promise<void> {
  await applyActions(db, pair, 'pull', {
    target: qualify(pair.local.schema, pair.local.table),
    targetSide: 'local',
    source: TEMP.rrows,
    present: 'rh',
    replaceRows: onlyPairColumns,
  });
}

/**
 * Deletes, then writes the new versions. When the target holds only the pair's columns, changed
 * rows are deleted and inserted again (DuckDB commits that several times faster than an UPDATE of
 * every column); otherwise they are updated in place, so columns outside the pair keep their
 * values. Source rows use local column names; the target uses the names of its side.
 */
async function applyActions(
  db: Database,
  pair: TablePair,
  action: 'push' | 'pull',
  t: { target: string; targetSide: 'local' | 'remote'; source: string; present: 'lh' | 'rh'; replaceRows: boolean },
): Promise<void> {
  const col = (c: { local: string; remote: string }): string => quoteIdent(t.targetSide === 'local' ? c.local : c.remote);
  const planned = (extra: string, alias: string, side: 'local' | 'remote'): string =>
    keyInUser(pair, side, alias, TEMP.plan, `p.action = '${action}' AND ${extra}`);
  const [n] = await db.all<{ deletes: bigint; upserts: bigint }>(
    `SELECT count(*) FILTER (WHERE ${t.present} IS NULL) AS deletes, count(*) FILTER (WHERE ${t.present} IS NOT NULL) AS upserts FROM ${TEMP.plan} WHERE action = '${action}'`,
  );
  const deleted = t.replaceRows ? 'true' : `p.${t.present} IS NULL`;
  if (n && (n.deletes > 0n || (t.replaceRows && n.upserts > 0n))) await db.run(`DELETE FROM ${t.target} AS x WHERE ${planned(deleted, 'x', t.targetSide)}`);
  if (!n || n.upserts === 0n) return;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.apply} AS SELECT ${kSelect(pair, 'local', 's')}, s.* FROM ${t.source} s WHERE ${planned(`p.${t.present} IS NOT NULL`, 's', 'local')}`,
  );
  const keys = new Set(pair.key);
  const values = pair.columns.filter((c) => !keys.has(c.local));
  if (values.length && !t.replaceRows) {
    await db.run(
      `UPDATE ${t.target} AS x SET ${values.map((c) => `${col(c)} = s.${quoteIdent(c.local)}`).join(', ')}
         FROM ${TEMP.apply} s WHERE ${kMatchUser(pair, t.targetSide, 'x', 's')}`,
    );
  }
  // Rows just deleted by key (replaceRows, unique keys) cannot be there any more: no need to look.
  const absent = t.replaceRows && keysNeverNull(pair) ? 'true' : `NOT EXISTS (SELECT 1 FROM ${t.target} x WHERE ${kMatchUser(pair, t.targetSide, 'x', 's')})`;
  await db.run(
    `INSERT INTO ${t.target} (${pair.columns.map(col).join(', ')})
     SELECT ${pair.columns.map((c) => `s.${quoteIdent(c.local)}`).join(', ')} FROM ${TEMP.apply} s WHERE ${absent}`,
  );
}
