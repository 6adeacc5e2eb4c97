import type { Database } from '../../../db/database.js';
import { STATE_SCHEMA } from '../internalNames.js';
import type { TablePair } from '../../catalog/tablePair.js';
import { appendToRemoteStateTable, remoteStateTable, remoteStateTableExists } from './remoteStateTables.js';

/**
 * The remote's marker table of committed pushes (`_duckdb_sync.pushes`): a push that must be known
 * to have committed or not after a crash (a part of a first push in parts, partedPush.ts; a keyless
 * push by an earlier release, keylessPushJournal.ts) writes its id here in its own remote transaction.
 */
const MARKERS = 'pushes';

/** Inside the push's remote transaction: records the push id. */
export async function markPush(db: Database, pair: TablePair, pushId: string): Promise<void> {
  await appendToRemoteStateTable(db, MARKERS, () => 'SELECT CAST($1 AS VARCHAR) AS push_id, CAST($2 AS VARCHAR) AS table_name, now() AS pushed_at', [pushId, pair.name]);
}

/** Whether the marker table exists, as the last discovery listed the remote; undefined when unknown. */
export function markersListed(db: Database): boolean | undefined {
  return db.remoteTables.has(STATE_SCHEMA, MARKERS);
}

/** Whether the push of this id committed on the remote. */
export async function pushCommitted(db: Database, pushId: string): Promise<boolean> {
  if (!(await remoteStateTableExists(db, MARKERS))) return false;
  const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${remoteStateTable(db, MARKERS)} WHERE push_id = $1`, [pushId]);
  return (row?.n ?? 0n) > 0n;
}

/** The ids of the committed pushes that start with `prefix`. */
export async function committedPushes(db: Database, prefix: string): Promise<string[]> {
  if (!(await remoteStateTableExists(db, MARKERS))) return [];
  const rows = await db.all<{ push_id: string }>(`SELECT push_id FROM ${remoteStateTable(db, MARKERS)} WHERE starts_with(push_id, $1)`, [prefix]);
  return rows.map((r) => r.push_id);
}

/** Drops this table's markers older than 30 days (full syncs: pushes pay no round trip for it). */
export async function prunePushMarkers(db: Database, pair: TablePair): Promise<void> {
  if (!(await remoteStateTableExists(db, MARKERS))) return;
  await db.run(`DELETE FROM ${remoteStateTable(db, MARKERS)} WHERE table_name = $1 AND pushed_at < now() - INTERVAL 30 DAY`, [pair.name]);
}
