import type { Database } from '../../db/database.js';
import { qualify } from '../../duckdb/quote.js';
import { STATE_SCHEMA, tableExists } from './internalNames.js';
import { keyInInternal, kList, kMatch } from '../rows/keySql.js';
import type { TablePair } from '../catalog/tablePair.js';

/**
 * The push journal of a keyed table: local row versions (k…, h; h NULL = deleted) that a push may
 * have written to the remote while the baseline does not know it yet.
 *
 * A push commits on the remote before the local transaction moves the baseline (ARCHITECTURE.md decision
 * 2). When a crash falls between the two, the remote holds the pushed version and the baseline the
 * older one. If the local row is not changed again, the next run finds both sides equal and only
 * moves the baseline. But if it is changed again (or deleted, or changed back) before the next run,
 * both sides look changed and the row would become a conflict against this local's own earlier
 * version, which remote-wins would bring back over the newer local write. The journal, written in
 * a local transaction before the remote one and cleared together with the baseline move, tells the
 * next run that a remote version equal to a journaled one came from this local: the remote did not
 * change the row, and the local's current version is pushed.
 */
export function journalTableName(baselineTable: string): string {
  return `${baselineTable}_pushed`;
}

/** The journal table, qualified, for the comparisons that read it. */
export function journalRef(baselineTable: string): string {
  return qualify(STATE_SCHEMA, journalTableName(baselineTable));
}

/** Records the versions of the local changes (`localChanges`, compare/localDelta.ts) before they are pushed (local transaction). */
export async function journalLocalChanges(db: Database, pair: TablePair, baselineTable: string, localChanges: string): Promise<void> {
  const journal = qualify(STATE_SCHEMA, journalTableName(baselineTable));
  await db.run(`CREATE TABLE IF NOT EXISTS ${journal} AS SELECT ${kList(pair)}, h FROM ${qualify(STATE_SCHEMA, baselineTable)} WHERE false`);
  await db.run(`INSERT INTO ${journal} SELECT ${kList(pair)}, lh FROM ${localChanges} EXCEPT SELECT ${kList(pair)}, h FROM ${journal}`);
}

/**
 * Between computing the deltas (`deltas.local`, `deltas.remote`: compare/) and planning: remote changes whose remote version is
 * one this local pushed are not remote changes. The key is planned as a local change (pushing the
 * local's current version, which may equal the baseline), unless the local still holds exactly
 * that version (then both sides agree and the plan says `same`).
 */
export async function discountOwnPushes(db: Database, pair: TablePair, baselineTable: string, deltas: { local: string; remote: string }): Promise<void> {
  if (!(await journalExists(db, baselineTable))) return;
  const j = qualify(STATE_SCHEMA, journalTableName(baselineTable));
  const ours = `EXISTS (SELECT 1 FROM ${j} j WHERE ${kMatch(pair, 'j', 'r')} AND j.h IS NOT DISTINCT FROM r.rh)`;
  // Local rows unchanged since the baseline: the local's version is the baseline's.
  await db.run(
    `INSERT INTO ${deltas.local} SELECT ${kList(pair, 'r')}, b.h, b.h FROM ${deltas.remote} r LEFT JOIN ${qualify(STATE_SCHEMA, baselineTable)} b ON ${kMatch(pair, 'r', 'b')}
      WHERE ${ours} AND NOT EXISTS (SELECT 1 FROM ${deltas.local} l WHERE ${kMatch(pair, 'l', 'r')})`,
  );
  await db.run(`DELETE FROM ${deltas.remote} r WHERE ${ours} AND EXISTS (SELECT 1 FROM ${deltas.local} l WHERE ${kMatch(pair, 'l', 'r')} AND l.lh IS DISTINCT FROM r.rh)`);
}

/** Forgets the journaled versions of the keys whose baseline moved (in the same local transaction). */
export async function clearJournal(db: Database, pair: TablePair, baselineTable: string, keysTable: string): Promise<void> {
  if (!(await journalExists(db, baselineTable))) return;
  const j = qualify(STATE_SCHEMA, journalTableName(baselineTable));
  await db.run(`DELETE FROM ${j} j WHERE ${keyInInternal(pair, 'j', keysTable)}`);
}

/** Drops the journal when the baseline is rebuilt from scratch (inside the caller's transaction). */
export async function dropJournal(db: Database, baselineTable: string): Promise<void> {
  await db.run(`DROP TABLE IF EXISTS ${qualify(STATE_SCHEMA, journalTableName(baselineTable))}`);
}

export async function journalExists(db: Database, baselineTable: string): Promise<boolean> {
  return tableExists(db, STATE_SCHEMA, journalTableName(baselineTable));
}

/** Whether the journal holds versions a push may have written (it stays, empty, after a push). */
export async function journalPending(db: Database, baselineTable: string): Promise<boolean> {
  if (!(await journalExists(db, baselineTable))) return false;
  const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${journalRef(baselineTable)} LIMIT 1)`);
  return Number(row?.n ?? 0) > 0;
}
