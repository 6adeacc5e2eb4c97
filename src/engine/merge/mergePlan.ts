import type { ConflictPolicy } from '../../config/schema.js';
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import type { CursorState } from '../catalog/cursor.js';
import { kMatch, kMatchUser } from '../rows/keySql.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';
import { TEMP } from '../rows/tempTables.js';
import type { Direction } from '../api.js';

export interface PlanCounts {
  /** Rows to insert or update locally from the remote. */
  pull: number;
  /** Rows to insert or update on the remote from the local side. */
  push: number;
  /** Rows to delete locally. */
  deleteLocal: number;
  /** Rows to delete on the remote. */
  deleteRemote: number;
  /** Rows changed differently on both sides and resolved now (a direction may leave some for later). */
  conflicts: number;
  /** Every row changed differently on both sides, resolved now or not. */
  conflictsTotal: number;
  /** Changes left for a later sync (the other direction). */
  skipped: number;
  /** Remote changes left unapplied (the watermark must not move past them). */
  skippedRemote: number;
  /** Local changes left unapplied (the local table still differs from its baseline). */
  skippedLocal: number;
  /** Of those, pushes left for another pass: beyond what one remote transaction may write (`pushLimit`). */
  deferred: number;
}

/**
 * Three-way merge per key (ARCHITECTURE.md decision 6), from `TEMP.ld` and `TEMP.rd` into
 * `TEMP.plan(k…, lh, rh, kind, action, winner)`:
 * kind `push` (changed only locally), `pull` (only remotely), `same` (both, to the same value),
 * `conflict` (both, differently; resolved by policy into action push or pull, winner local/remote).
 * The direction turns actions it does not allow into `skip`, and pushes beyond `pushLimit` rows
 * (what one remote transaction may write) are skipped too, for another pass.
 */
export async function buildMergePlan(db: Database, pair: TablePair, policy: ConflictPolicy, direction: Direction, cursor: CursorState | undefined, pushLimit?: number): Promise<PlanCounts> {
  const k = pair.key.map((_k, i) => `coalesce(l.k${i}, r.k${i}) AS k${i}`).join(', ');
  const conflictAction = policy === 'local-wins' ? `'push'` : `'pull'`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.plan} AS
       WITH j AS (
         SELECT ${k}, l.lh, r.rh, l.present IS NOT NULL AS lchg, r.present IS NOT NULL AS rchg
           FROM (SELECT *, true AS present FROM ${TEMP.ld}) l FULL JOIN (SELECT *, true AS present FROM ${TEMP.rd}) r ON ${kMatch(pair, 'l', 'r')}
       )
       SELECT *, CASE WHEN lchg AND NOT rchg THEN 'push' WHEN rchg AND NOT lchg THEN 'pull'
                      WHEN lh IS NOT DISTINCT FROM rh THEN 'same' ELSE 'conflict' END AS kind,
              CAST(NULL AS VARCHAR) AS action, CAST(NULL AS VARCHAR) AS winner
         FROM j`,
  );
  await db.run(
    `UPDATE ${TEMP.plan} SET action = CASE WHEN kind = 'conflict' THEN ${conflictAction} ELSE kind END,
                              winner = CASE WHEN kind = 'conflict' THEN ${policy === 'local-wins' ? `'local'` : `'remote'`} END`,
  );
  if (policy === 'newest-wins' && cursor) await resolveNewest(db, pair, cursor);
  if (direction === 'pull') await db.run(`UPDATE ${TEMP.plan} SET action = 'skip' WHERE action = 'push'`);
  if (direction === 'push') await db.run(`UPDATE ${TEMP.plan} SET action = 'skip' WHERE action = 'pull'`);
  // The plan is a temp table of this connection: its rowid is local.
  const deferred = pushLimit === undefined ? 0 : await db.run(`UPDATE ${TEMP.plan} SET action = 'skip' WHERE rowid IN (SELECT rowid FROM ${TEMP.plan} WHERE action = 'push' OFFSET CAST($1 AS BIGINT))`, [String(pushLimit)]);
  const [c] = await db.all<Record<string, bigint>>(
    `SELECT count(*) FILTER (WHERE action = 'pull' AND rh IS NOT NULL) AS pull,
            count(*) FILTER (WHERE action = 'push' AND lh IS NOT NULL) AS push,
            count(*) FILTER (WHERE action = 'pull' AND rh IS NULL) AS delete_local,
            count(*) FILTER (WHERE action = 'push' AND lh IS NULL) AS delete_remote,
            count(*) FILTER (WHERE kind = 'conflict' AND action <> 'skip') AS conflicts,
            count(*) FILTER (WHERE kind = 'conflict') AS conflicts_total,
            count(*) FILTER (WHERE action = 'skip') AS skipped,
            count(*) FILTER (WHERE action = 'skip' AND kind IN ('pull', 'conflict')) AS skipped_remote,
            count(*) FILTER (WHERE action = 'skip' AND lchg) AS skipped_local
       FROM ${TEMP.plan}`,
  );
  const n = (x: bigint | undefined): number => Number(x ?? 0);
  return {
    pull: n(c?.pull),
    push: n(c?.push),
    deleteLocal: n(c?.delete_local),
    deleteRemote: n(c?.delete_remote),
    conflicts: n(c?.conflicts),
    conflictsTotal: n(c?.conflicts_total),
    skipped: n(c?.skipped),
    skippedRemote: n(c?.skipped_remote),
    skippedLocal: n(c?.skipped_local),
    deferred,
  };
}

/** newest-wins: the version with the larger cursor wins (ties: remote); a side that deleted the row loses. */
async function resolveNewest(db: Database, pair: TablePair, cursor: CursorState): Promise<void> {
  const local = localRef(db, pair);
  const col = quoteIdent(cursor.column);
  await db.run(
    `UPDATE ${TEMP.plan} p SET action = CASE WHEN v.lc IS NOT NULL AND (v.rc IS NULL OR v.lc > v.rc) THEN 'push' ELSE 'pull' END,
                                 winner = CASE WHEN v.lc IS NOT NULL AND (v.rc IS NULL OR v.lc > v.rc) THEN 'local' ELSE 'remote' END
       FROM (SELECT q.*, (SELECT t.${col} FROM ${local} t WHERE ${kMatchUser(pair, 'local', 't', 'q')}) AS lc,
                         (SELECT t.${col} FROM ${TEMP.rrows} t WHERE ${kMatchUser(pair, 'local', 't', 'q')}) AS rc
               FROM ${TEMP.plan} q WHERE q.kind = 'conflict') v
      WHERE ${kMatch(pair, 'p', 'v')} AND p.kind = 'conflict'`,
  );
}
