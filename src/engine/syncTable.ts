import type { ConflictPolicy, SyncMode } from '../config/schema.js';
import type { Database } from '../db/database.js';
import { usableBaseline } from './baseline.js';
import type { TableInfo } from './catalog.js';
import { findCursorColumn, type CursorState } from './cursor.js';
import type { FingerprintScheme } from './fingerprintScheme.js';
import { planFullTable } from './planFullTable.js';
import { pullFullTable, type PullProgress } from './pullFull.js';
import { emptyTableResult, type Direction, type TableResult } from './result.js';
import { syncKeyedTable } from './syncKeyedTable.js';
import { syncKeylessTable } from './syncKeylessTable.js';
import type { TablePair } from './tablePair.js';
import { readOneTableMetadata, type TableMetadata } from './tableMetadata.js';
import { pushNewTable } from './pushNewTable.js';
import { qualify } from '../db/quote.js';

export interface TableSyncContext {
  mode: SyncMode;
  direction: Direction;
  policy: ConflictPolicy;
  scheme: FingerprintScheme;
  engineVersion: string;
  runId: string | undefined;
  dryRun: boolean;
  onProgress?: ((p: PullProgress) => void) | undefined;
}

/**
 * Syncs one table pair according to mode and direction:
 * - incremental: local and remote changes since the baseline, merged per row;
 * - full: local changes are pushed first (same merge rules), then the local content is replaced
 *   with the remote's; whatever local version is still replaced goes to dewey_sync_conflicts.
 * A table without a usable baseline (never synced, or synced by another DuckDB version) starts
 * with a full pull.
 */
export async function syncTable(db: Database, pair: TablePair, localInfo: TableInfo | undefined, ctx: TableSyncContext): Promise<TableResult> {
  const meta = localInfo ? await readOneTableMetadata(db, pair.name) : undefined;
  if (pair.localOnly) return syncLocalOnlyTable(db, pair, meta, ctx);
  const baselineTable = localInfo ? await usableBaseline(db, pair, ctx.scheme, meta, ctx.engineVersion) : undefined;
  const found = findCursorColumn(pair);
  const cursor: CursorState | undefined = found ? { ...found, watermark: meta?.cursorColumn === found.column ? meta.watermark : null } : undefined;
  const policy = pair.settings.onConflict ?? ctx.policy;

  const fullPull = async (note?: string): Promise<TableResult> => {
    const result = await db.withRemote(true, () =>
      pullFullTable(db, pair, localInfo, { engineVersion: ctx.engineVersion, scheme: ctx.scheme, runId: ctx.runId, onProgress: ctx.onProgress, policy, cursor }),
    );
    return note ? { ...result, warnings: [note, ...(result.warnings ?? [])] } : result;
  };

  if (!baselineTable) {
    if (ctx.direction === 'push') {
      return {
        ...emptyTableResult(pair.name, 'error'),
        error: localInfo ? 'no baseline yet to find local changes with' : 'the table does not exist locally',
        errorCode: 'E_NO_BASELINE',
      };
    }
    if (ctx.dryRun) return db.withRemote(true, () => planFullTable(db, pair, localInfo));
    return fullPull(localInfo && ctx.mode === 'incremental' ? 'no usable baseline (first sync, or a schema or DuckDB version change): pulled in full' : undefined);
  }

  const merge = { baselineTable, scheme: ctx.scheme, cursor, policy, engineVersion: ctx.engineVersion, runId: ctx.runId, dryRun: ctx.dryRun };
  const syncChanges = (direction: Direction): Promise<TableResult> =>
    pair.key.length ? syncKeyedTable(db, pair, { ...merge, direction }) : syncKeylessTable(db, pair, { ...merge, direction });

  if (ctx.mode === 'incremental') return syncChanges(ctx.direction);
  if (ctx.dryRun) {
    const pushed = ctx.direction === 'pull' ? undefined : await syncChanges('push');
    const pulled = await db.withRemote(true, () => planFullTable(db, pair, localInfo));
    return { ...pulled, rowsPushed: pushed?.rowsPushed ?? 0, conflicts: pushed?.conflicts ?? 0 };
  }
  if (ctx.direction === 'pull') return fullPull();
  const pushed = await syncChanges('push');
  if (ctx.direction === 'push') return pushed;
  const pulled = await fullPull();
  return { ...pulled, rowsPushed: pushed.rowsPushed, rowsDeleted: pulled.rowsDeleted + pushed.rowsDeleted, conflicts: pulled.conflicts + pushed.conflicts };
}

/** A table only the local side has: created on the remote, unless the remote dropped it. */
async function syncLocalOnlyTable(db: Database, pair: TablePair, meta: TableMetadata | undefined, ctx: TableSyncContext): Promise<TableResult> {
  if (meta?.baselineTable) {
    return {
      ...emptyTableResult(pair.name, 'error'),
      error: 'the table was dropped on the remote; duckdb-sync does not drop it locally',
      errorCode: 'E_DROPPED',
      warnings: ['drop the local table yourself, or exclude it (--exclude or "exclude" in the config)'],
    };
  }
  if (ctx.direction === 'pull') return { ...emptyTableResult(pair.name, 'ok'), warnings: ['exists only locally; not pushed (direction pull)'] };
  if (ctx.dryRun) {
    const [count] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${qualify(pair.local.schema, pair.local.table)}`);
    return { ...emptyTableResult(pair.name, 'planned'), rowsPushed: Number(count?.n ?? 0), warnings: ['creates the table on the remote'] };
  }
  return pushNewTable(db, pair, ctx.scheme, ctx.engineVersion);
}
