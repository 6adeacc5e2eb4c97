import { createHash } from 'node:crypto';
import type { Database } from '../../../db/database.js';
import { STATE_SCHEMA } from '../internalNames.js';
import { keyInUser, kList, kMatch } from '../../rows/keySql.js';
import type { TablePair } from '../../catalog/tablePair.js';
import { appendToRemoteStateTable, remoteStateTable, remoteStateTableExists } from './remoteStateTables.js';

/**
 * The remote change log of a table: the keys every duckdb-sync push wrote (one entry per push for a
 * table without a key), with an increasing sequence number, in `_duckdb_sync.changes_<id>` on the
 * remote (never synced as a user table). Its newest sequence number dates a snapshot: a reader that
 * saw a higher one reads a lagging replica (compare/staleSnapshot.ts).
 *
 * Readers find remote changes through the cursor (updated_at ≥ watermark − lag). A row that
 * another machine wrote offline and pushes hours later carries an old cursor value, so the cursor
 * alone would never show it; the log does: readers also read the rows whose keys were logged since
 * the sequence number they last saw. Entries older than 30 days are dropped by full syncs
 * (pruneChangeLog): a no-change or one-row push pays no round trip for it.
 */

/** Days a change log entry is kept. */
const KEEP_DAYS = 30;

function changeLogName(pair: TablePair): string {
  return `changes_${createHash('sha1').update(`${pair.remote.schema}.${pair.remote.table}`).digest('hex').slice(0, 16)}`;
}

function changeLogTable(db: Database, pair: TablePair): string {
  return remoteStateTable(db, changeLogName(pair));
}

/**
 * Inside the push's remote transaction: logs the keys pushed, read from the push's stage on the
 * remote (pushStage.ts), under the log's next sequence number (the newest this transaction sees,
 * plus one; 1 for a new log), which it returns (`RETURNING`: no further round trip). A table without
 * a key logs the push itself, one entry under its id (`keylessPushId`): the entry is also the mark
 * that the push committed (keylessPushJournal.ts).
 */
export async function logPushedKeys(db: Database, pair: TablePair, stage: string, keylessPushId?: string): Promise<number> {
  const next = (exists: boolean): string => (exists ? `coalesce(${changeLogSeqSql(db, pair)}, 0) + 1` : 'CAST(1 AS BIGINT)');
  const keyed = pair.key.length > 0;
  const rows = (exists: boolean): string =>
    keyed ? `SELECT ${kList(pair)}, ${next(exists)} AS seq, now() AS pushed_at FROM ${stage}` : `SELECT ${next(exists)} AS seq, now() AS pushed_at, CAST($1 AS VARCHAR) AS push_id`;
  const added = await appendToRemoteStateTable(db, changeLogName(pair), rows, keyed ? undefined : [keylessPushId ?? ''], 'seq');
  return added.reduce((max, r) => Math.max(max, Number(r.seq)), 1);
}

/** Whether the log of a table without a key holds the entry of the push of this id (it committed). */
export async function keylessPushLogged(db: Database, pair: TablePair, pushId: string): Promise<boolean> {
  if (!(await changeLogExists(db, pair))) return false;
  const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${changeLogTable(db, pair)} WHERE push_id = $1`, [pushId]);
  return (row?.n ?? 0n) > 0n;
}

/** Whether the table's log exists, as the last discovery listed the remote; undefined when unknown. */
export function changeLogListed(db: Database, pair: TablePair): boolean | undefined {
  return db.remoteTables.has(STATE_SCHEMA, changeLogName(pair));
}

/** A scalar subquery: the log's newest sequence number (the log must exist). */
export function changeLogSeqSql(db: Database, pair: TablePair): string {
  return `(SELECT max(seq) FROM ${changeLogTable(db, pair)})`;
}

/**
 * Drops entries older than 30 days, if the table has a log (a write to the remote), but never the
 * newest: its sequence number tells a reader whether a snapshot is older than one it saw (staleSnapshot.ts).
 */
export async function pruneChangeLog(db: Database, pair: TablePair): Promise<void> {
  if (!(await changeLogExists(db, pair))) return;
  const log = changeLogTable(db, pair);
  await db.run(`DELETE FROM ${log} WHERE pushed_at < now() - INTERVAL ${KEEP_DAYS} DAY AND seq < (SELECT max(seq) FROM ${log})`);
}

/** The log's newest sequence number; null when no push was ever logged. */
export async function currentLogSeq(db: Database, pair: TablePair): Promise<number | null> {
  if (!(await changeLogExists(db, pair))) return null;
  const [row] = await db.all<{ s: bigint | null }>(`SELECT ${changeLogSeqSql(db, pair)} AS s`);
  return row?.s === null || row?.s === undefined ? null : Number(row.s);
}

async function changeLogExists(db: Database, pair: TablePair): Promise<boolean> {
  return remoteStateTableExists(db, changeLogName(pair));
}

/**
 * Condition on remote rows (alias `alias`): logged at or after sequence number `param` (the last one
 * seen is read again, so a push committed late with the same number is not missed), leaving out the
 * entries this local's own pushes wrote (`ownLogged`, when it has any: their versions are the
 * baseline's, and reading them again cost a scan of the whole remote table; another client's later
 * write of such a key is a later entry). A semi join built on the few logged keys: never OR it with
 * the cursor filter, which would stop DuckDB pushing the cursor's range into the scan (issue 22:
 * 10.7 s instead of 0.3 s at 20M rows); read the logged rows in a statement of their own.
 */
export function changeLogFilter(db: Database, pair: TablePair, alias: string, param: string, ownLogged?: string): string {
  const others = ownLogged ? ` AND NOT EXISTS (SELECT 1 FROM ${ownLogged} o WHERE o.seq = p.seq AND ${kMatch(pair, 'o', 'p')})` : '';
  return keyInUser(pair, 'remote', alias, changeLogTable(db, pair), `p.seq >= coalesce(${param}, 0)${others}`);
}
