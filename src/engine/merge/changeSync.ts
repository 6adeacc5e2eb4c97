import type { Database } from '../../db/database.js';
import type { TablePair } from '../catalog/tablePair.js';
import type { ChangeSyncContext, ChangeSyncResult } from './changeSyncContext.js';
import { syncKeyedTable } from './syncKeyedTable.js';
import { syncKeylessTable } from './syncKeylessTable.js';

/**
 * The one shape of an incremental sync of a table pair since its baseline, whatever the table: a
 * three-way merge per key for tables with a key (syncKeyedTable.ts), a merge of row counts for
 * tables without one (syncKeylessTable.ts).
 */
export type ChangeSync = (db: Database, pair: TablePair, ctx: ChangeSyncContext) => Promise<ChangeSyncResult>;

/** How this pair's changes are synced. */
export function changeSyncFor(pair: TablePair): ChangeSync {
  return pair.key.length ? syncKeyedTable : syncKeylessTable;
}
