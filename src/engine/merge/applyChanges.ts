import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import { keyInUser, keysNeverNull, kList, kMatchUser } from '../rows/keySql.js';
import { type TablePair, localRef, remoteTable } from '../catalog/tablePair.js';
import { TEMP } from '../rows/tempTables.js';
import { withPushStage } from '../state/remote/pushStage.js';

interface ActionCounts {
  deletes: bigint;
  upserts: bigint;
}

/**
 * Writes the plan's `push` actions to the remote from `source` (the local table, or a snapshot of
 * its changed rows), through a stage on the remote (state/remote/pushStage.ts), then `afterPush(stage)`
 * (the change log reads the pushed keys there). Runs inside the caller's remote transaction.
 * `onlyPairColumns`: the remote table has no column outside the pair.
 */
export async function applyPush(
  db: Database,
  pair: TablePair,
  onlyPairColumns: boolean,
  source = localRef(db, pair),
  afterPush: (stage: string) => Promise<void> = async () => undefined,
): Promise<void> {
  const counts = await actionCounts(db, 'push', 'lh');
  if (!counts.deletes && !counts.upserts) return;
  const target = remoteTable(db, pair);
  await withPushStage(db, changeSet(pair, 'push', 'lh', source), async (stage) => {
    await applyChangeSet(db, pair, { target, side: 'remote', changes: stage, replaceRows: onlyPairColumns }, counts);
    await afterPush(stage);
  });
}

/**
 * Writes the plan's `pull` actions to the local table from `TEMP.rrows`. Runs inside the
 * caller's local transaction. `onlyPairColumns`: the local table has no column outside the pair.
 */
export async function applyPull(db: Database, pair: TablePair, onlyPairColumns: boolean): Promise<void> {
  const counts = await actionCounts(db, 'pull', 'rh');
  if (!counts.deletes && !counts.upserts) return;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.apply} AS ${changeSet(pair, 'pull', 'rh', TEMP.rrows)}`);
  await applyChangeSet(db, pair, { target: localRef(db, pair), side: 'local', changes: TEMP.apply, replaceRows: onlyPairColumns }, counts);
}

async function actionCounts(db: Database, action: 'push' | 'pull', present: 'lh' | 'rh'): Promise<ActionCounts> {
  const [n] = await db.all<{ deletes: bigint; upserts: bigint }>(
    `SELECT count(*) FILTER (WHERE ${present} IS NULL) AS deletes, count(*) FILTER (WHERE ${present} IS NOT NULL) AS upserts FROM ${TEMP.plan} WHERE action = '${action}'`,
  );
  return { deletes: n?.deletes ?? 0n, upserts: n?.upserts ?? 0n };
}

/**
 * The plan's rows of one action as a change set: keys k0…kn, `__deleted`, and the pair's columns
 * c0…cm from `source` (local column names; ignored for deletes), as the old apply did: a new version
 * missing from `source` is left out. Positional names never collide with a user's column names.
 * The join is on the key alone: a further condition in its ON clause (such as the plan's version
 * being present) turns DuckDB's hash join into a nested loop, quadratic in the changes (200 s
 * instead of 0.1 s for 300,000 changed rows).
 */
function changeSet(pair: TablePair, action: 'push' | 'pull', present: 'lh' | 'rh', source: string): string {
  return `SELECT ${kList(pair, 'p')}, p.${present} IS NULL AS __deleted, ${pair.columns.map((c, i) => `s.${quoteIdent(c.local)} AS c${i}`).join(', ')}
            FROM ${TEMP.plan} p LEFT JOIN (SELECT *, true AS __found FROM ${source}) s ON ${kMatchUser(pair, 'local', 's', 'p')}
           WHERE p.action = '${action}' AND (p.${present} IS NULL OR s.__found)`;
}

/**
 * Applies a change set to one side, reading only the change set and the target (on the remote,
 * both are remote tables). When the target holds only the pair's columns, changed rows are deleted
 * and inserted again (DuckDB commits that several times faster than an UPDATE of every column);
 * otherwise they are updated in place, so columns outside the pair keep their values.
 */
async function applyChangeSet(
  db: Database,
  pair: TablePair,
  t: { target: string; side: 'local' | 'remote'; changes: string; replaceRows: boolean },
  n: ActionCounts,
): Promise<void> {
  const col = (c: { local: string; remote: string }): string => quoteIdent(t.side === 'local' ? c.local : c.remote);
  if (n.deletes > 0n || (t.replaceRows && n.upserts > 0n)) {
    await db.run(`DELETE FROM ${t.target} AS x WHERE ${keyInUser(pair, t.side, 'x', t.changes, t.replaceRows ? 'true' : 'p.__deleted')}`);
  }
  if (n.upserts === 0n) return;
  const keys = new Set(pair.key);
  const values = pair.columns.map((c, i) => ({ c, i })).filter(({ c }) => !keys.has(c.local));
  if (values.length && !t.replaceRows) {
    await db.run(
      `UPDATE ${t.target} AS x SET ${values.map(({ c, i }) => `${col(c)} = s.c${i}`).join(', ')}
         FROM ${t.changes} s WHERE NOT s.__deleted AND ${kMatchUser(pair, t.side, 'x', 's')}`,
    );
  }
  // Rows just deleted by key (replaceRows, unique keys) cannot be there any more: no need to look.
  const absent = t.replaceRows && keysNeverNull(pair) ? 'true' : `NOT EXISTS (SELECT 1 FROM ${t.target} x WHERE ${kMatchUser(pair, t.side, 'x', 's')})`;
  await db.run(
    `INSERT INTO ${t.target} (${pair.columns.map(col).join(', ')})
     SELECT ${pair.columns.map((_c, i) => `s.c${i}`).join(', ')} FROM ${t.changes} s WHERE NOT s.__deleted AND ${absent}`,
  );
}
