import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import { StaleRemoteError } from '../../errors.js';
import { METADATA_TABLE, STATE_SCHEMA, tableExists } from './internalNames.js';

/**
 * How long a table's remote may keep showing an older snapshot than its last sync saw
 * (compare/staleSnapshot.ts) before that is taken for what the remote now is. Read-scaling replicas
 * lag "a few minutes" and shares follow their database soon after its checkpoints; a change log
 * behind for longer than this is no lag but a reset: the database restored from an older copy, or
 * duckdb-sync's remote schema dropped. Waiting for ever would leave the table unsynced for good.
 */
export const STALE_GRACE_MS = 60 * 60 * 1000;

const S = quoteIdent(STATE_SCHEMA);
const PREFIX = 'stale_since:';

/**
 * When each table was first found to read an older snapshot, for the tables still so marked (in
 * duckdb-sync's local key-value table): ms since the epoch, by table name.
 */
export async function readStaleMarks(db: Database): Promise<Map<string, number>> {
  if (!(await tableExists(db, STATE_SCHEMA, 'state'))) return new Map();
  const rows = await db.all<{ key: string; value: string }>(`SELECT key, value FROM ${S}.state WHERE starts_with(key, $1)`, [PREFIX]);
  return new Map(rows.map((r) => [r.key.slice(PREFIX.length), Number(r.value)]));
}

/**
 * Runs a table's sync under the stale-snapshot rule (compare/staleSnapshot.ts), given the marks read
 * at the start of the run (readStaleMarks):
 * - it succeeds: the table reads a current snapshot, and its mark, if any, goes;
 * - it finds an older snapshot than the last sync saw: the first time, the table is marked and the
 *   StaleRemoteError goes on to the caller (the table is left as it is, a lagging replica);
 *   marked for longer than STALE_GRACE_MS, the remote is taken as it is and the sync runs again,
 *   with a note saying so (`reset`).
 * A dry run marks nothing and takes nothing as reset.
 */
export async function withStaleGrace<T>(
  db: Database,
  table: string,
  marks: ReadonlyMap<string, number>,
  dryRun: boolean,
  sync: () => Promise<T>,
): Promise<{ value: T; reset?: string }> {
  const since = marks.get(table);
  try {
    const value = await sync();
    if (since !== undefined && !dryRun) await clearStaleMark(db, table);
    return { value };
  } catch (error) {
    if (!(error instanceof StaleRemoteError) || dryRun) throw error;
    if (since === undefined) {
      await markStale(db, table, Date.now());
      throw error;
    }
    if (Date.now() - since < STALE_GRACE_MS) throw error;
    await acceptRemoteAsReset(db, table);
    const reset = `the remote's change log has been behind what an earlier sync saw since ${new Date(since).toISOString()}: taken as the remote's state (the database restored from an older copy, or duckdb-sync's remote schema dropped)`;
    return { value: await sync(), reset };
  }
}

/** A table found current without a sync of its own (unchanged on both sides): its mark, if any, goes. */
export async function clearStaleMarkOf(db: Database, table: string, marks: ReadonlyMap<string, number>, dryRun: boolean): Promise<void> {
  if (marks.has(table) && !dryRun) await clearStaleMark(db, table);
}

/** Marks the table as reading an older snapshot since `now`, unless it is marked already. */
async function markStale(db: Database, table: string, now: number): Promise<void> {
  await db.run(`INSERT OR IGNORE INTO ${S}.state VALUES ($1, $2)`, [PREFIX + table, String(now)]);
}

/** The table reads a current snapshot again. */
async function clearStaleMark(db: Database, table: string): Promise<void> {
  await db.run(`DELETE FROM ${S}.state WHERE key = $1`, [PREFIX + table]);
}

/**
 * Takes the remote as it is now for a table whose snapshot stayed older than its last sync saw for
 * longer than STALE_GRACE_MS: forgets the sequence number seen (its next read records the current
 * one) and the mark, in one local transaction.
 */
async function acceptRemoteAsReset(db: Database, table: string): Promise<void> {
  await db.transaction(async () => {
    await db.run(`UPDATE ${quoteIdent(METADATA_TABLE)} SET log_seq = NULL WHERE table_name = $1`, [table]);
    await clearStaleMark(db, table);
  });
}
