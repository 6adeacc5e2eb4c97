import type { Database } from '../../db/database.js';
import type { TablePair } from '../catalog/tablePair.js';
import { recordTableSuccess } from '../state/tableMetadata.js';
import type { ChangeSyncContext, ChangeSyncResult } from './changeSyncContext.js';

/** What an incremental table sync changed, keyed or not. */
export interface ChangeCounts {
  pull: number;
  push: number;
  deleteLocal: number;
  deleteRemote: number;
  conflicts: number;
  /** Local changes left unapplied (direction pull): the local table still differs from its baseline. */
  localLeft: number;
  /** Of those, the ones left for another pass of this sync (a push in parts). */
  pushesLeft?: number;
}

/** Nothing changed. */
export const NO_CHANGES: ChangeCounts = { pull: 0, push: 0, deleteLocal: 0, deleteRemote: 0, conflicts: 0, localLeft: 0 };

/** The table's result from its counts. */
export function changeResult(pair: TablePair, ctx: ChangeSyncContext, c: ChangeCounts, rowsRead: number): ChangeSyncResult {
  return {
    name: pair.name,
    status: ctx.dryRun ? 'planned' : 'ok',
    rowsPulled: c.pull,
    rowsPushed: c.push,
    rowsDeleted: c.deleteLocal + c.deleteRemote,
    conflicts: c.conflicts,
    rowsRead,
    localLeft: c.localLeft,
    pushesLeft: c.pushesLeft ?? 0,
  };
}

/** Records the incremental sync in the table's metadata (inside the caller's local transaction). */
export async function recordChanges(
  db: Database,
  pair: TablePair,
  ctx: ChangeSyncContext,
  c: ChangeCounts,
  cursor: { cursorColumn: string | null; watermark: string | null; logSeq?: number | null },
): Promise<void> {
  await recordTableSuccess(db, pair, ctx.scheme, ctx.engineVersion, {
    mode: 'incremental',
    direction: ctx.direction,
    rowsPulled: c.pull,
    rowsPushed: c.push,
    rowsDeleted: c.deleteLocal + c.deleteRemote,
    conflicts: c.conflicts,
    baselineTable: ctx.baselineTable,
    ...cursor,
  });
}
