import type { ConflictPolicy, SyncMode } from '../config/schema.js';
import type { Database } from '../db/database.js';
import { comparedBaseline, usableBaseline, writeBaseline } from './state/baseline.js';
import { onlySchemeChanged } from './catalog/columnSignature.js';
import { adoptBaseline } from './state/hashes/engineUpgrade.js';
import { addColumnsLocally, addColumnsOnRemote, analyzeColumns, widenedPair } from './catalog/columnChanges.js';
import type { TableInfo } from './catalog/catalog.js';
import { cursorState, findCursorColumn } from './catalog/cursor.js';
import { changeLogListed, currentLogSeq, pruneChangeLog } from './state/remoteChangeLog.js';
import { assertNotStale } from './compare/staleSnapshot.js';
import { markersListed, pruneKeylessMarkers } from './state/keylessPushJournal.js';
import type { FingerprintScheme } from '../remote/remote.js';
import { planFullTable } from './full/planFullTable.js';
import { pullFullTable, type PullProgress } from './full/pullFull.js';
import { emptyTableResult, type Direction, type TableResult } from './result.js';
import type { RemoteScope } from './compare/remoteDelta.js';
import type { ProbeOutcome } from './compare/remoteProbe.js';
import { changeSyncFor } from './merge/changeSync.js';
import type { ChangeSyncResult } from './merge/changeSyncContext.js';
import { syncKeyedTable } from './merge/syncKeyedTable.js';
import { type TablePair, localRef } from './catalog/tablePair.js';
import { readOneTableMetadata, recordBaselineColumns, type TableMetadata } from './state/tableMetadata.js';
import { pushNewTable, resumePushNewTable } from './full/pushNewTable.js';
import { readPartedPush } from './state/partedPush.js';
import type { WrittenKeys } from './compare/localDelta.js';

export interface TableSyncContext {
  mode: SyncMode;
  direction: Direction;
  policy: ConflictPolicy;
  scheme: FingerprintScheme;
  engineVersion: string;
  runId: string | undefined;
  dryRun: boolean;
  onProgress?: ((p: PullProgress) => void) | undefined;
  /** Tables known to equal their baselines since the last sync (settledStore.ts): not compared. */
  localUnchanged?: ReadonlySet<string> | undefined;
  /** Receives the tables whose local content equals their baseline after this sync. */
  settled?: Set<string> | undefined;
  /** Tables known to equal their baselines but at the keys of rows written through duckdb-sync, by lower-case name (tracking/keyedWrites.ts). */
  localChangedKeys?: ReadonlyMap<string, WrittenKeys> | undefined;
  /** What the probe before the tables found of each one's remote side (remoteProbe.ts); incremental syncs only. */
  remoteProbes?: ReadonlyMap<string, ProbeOutcome> | undefined;
  /** Rows one remote transaction may write; a push of more goes in parts. Undefined: no limit. */
  transactionRows?: number | undefined;
}

/**
 * Syncs one table pair according to mode and direction:
 * - incremental: local and remote changes since the baseline, merged per row;
 * - full: local changes are pushed first (same merge rules), then the local content is replaced
 *   with the remote's; whatever local version is still replaced goes to dewey_sync_conflicts.
 * A baseline written by another DuckDB release is adopted first (engineUpgrade.ts). A table
 * without a usable baseline (never synced, or its baseline cannot be read by this release) starts
 * with a full pull.
 */
export async function syncTable(db: Database, pairIn: TablePair, localInfo: TableInfo | undefined, ctx: TableSyncContext): Promise<TableResult> {
  let pair = pairIn;
  const meta = localInfo ? await readOneTableMetadata(db, pair.name) : undefined;
  if (pair.localOnly) return syncLocalOnlyTable(db, pair, meta, ctx);
  // A first push in parts that a run cut short (partedPush.ts; only a table without a baseline yet
  // can have one) is finished before anything else; a sync that does not push leaves the table alone
  // meanwhile (a pull would take the remote's part for all).
  const parted = localInfo && !meta?.baselineTable ? await readPartedPush(db, pair) : undefined;
  if (parted) {
    if (ctx.dryRun || ctx.direction === 'pull') {
      return { ...emptyTableResult(pair.name, ctx.dryRun ? 'planned' : 'ok'), warnings: ['its first push was cut short: a sync that pushes finishes it; left alone until then'] };
    }
    // Not settled: its baseline holds only the rows both sides hold alike.
    return resumePushNewTable(db, pair, parted, ctx.scheme, ctx.engineVersion);
  }
  // A baseline written by another DuckDB release (an upgrade) is adopted when its hashes still hold.
  const adoption = localInfo ? await adoptBaseline(db, pair, ctx.scheme, meta, ctx.engineVersion, ctx.dryRun) : undefined;
  let baselineTable = await comparedBaseline(db, pair, localInfo, ctx.scheme, meta, ctx.engineVersion);
  const cursor = cursorState(pair, meta);
  const policy = pair.settings.onConflict ?? ctx.policy;
  // A dry run cannot rehash without writing: it says so and plans nothing else for the table.
  if (adoption?.kind === 'rehashed' && ctx.dryRun) return { ...emptyTableResult(pair.name, 'planned'), warnings: [adoption.note] };
  let schemaNote: string | undefined = adoption?.kind === 'rehashed' ? adoption.note : undefined;

  // A full pull replaces the local content and adds the remote's new columns itself (ensureLocalTable).
  const fullPullOnly = ctx.mode === 'full' && ctx.direction === 'pull';
  // A baseline of the other fingerprint scheme (the local file was synced with another kind of remote)
  // is not a schema change: the table is compared in full, as without a baseline.
  const schemeOnly = meta?.columnSignature ? onlySchemeChanged(pair, ctx.scheme, meta.columnSignature) : false;
  if (!baselineTable && !fullPullOnly && !schemeOnly && localInfo && meta?.baselineTable && meta.columnSignature && meta.engineVersion === ctx.engineVersion) {
    // The columns changed since the last sync: additions are propagated, anything else is reported.
    const changes = analyzeColumns(pair, localInfo, meta.columnSignature);
    if (changes.destructive.length) {
      return {
        ...emptyTableResult(pair.name, 'error'),
        error: `schema change not applied: ${changes.destructive.join('; ')}`,
        errorCode: 'E_SCHEMA',
        warnings: ['make the change on both sides by hand (duckdb-sync never drops or narrows columns), then sync again'],
      };
    }
    const added = [...changes.addedRemote, ...changes.addedLocal, ...changes.addedBoth].map((c) => c.local);
    if (!pair.key.length || ctx.direction !== 'both' || ctx.dryRun) {
      const why = ctx.dryRun ? 'a sync would add them' : !pair.key.length ? 'tables without a key take added columns through a full pull (--mode full --direction pull)' : 'added columns are applied by a sync in both directions';
      return { ...emptyTableResult(pair.name, ctx.dryRun ? 'planned' : 'error'), error: ctx.dryRun ? undefined : `columns added since the last sync: ${added.join(', ')}; ${why}`, errorCode: 'E_SCHEMA', warnings: [`columns added: ${added.join(', ')}`] };
    }
    const narrowed = changes.narrowed as TablePair;
    const narrowedBaseline = await usableBaseline(db, narrowed, ctx.scheme, meta, ctx.engineVersion);
    if (narrowedBaseline) {
      const synced = await syncKeyedTable(db, narrowed, {
        baselineTable: narrowedBaseline,
        scheme: ctx.scheme,
        cursor,
        policy,
        direction: 'both',
        engineVersion: ctx.engineVersion,
        runId: ctx.runId,
        dryRun: false,
        localColumns: localInfo.columns.map((c) => c.name),
        localUnchanged: ctx.localUnchanged?.has(pair.name),
      });
      await addColumnsOnRemote(db, pair, changes.addedLocal);
      const widened = widenedPair(pair, changes);
      await db.withRemote(true, () =>
        db.transaction(async () => {
          await addColumnsLocally(db, pair, changes.addedRemote, changes.addedBoth);
          const table = await writeBaseline(db, widened, ctx.scheme);
          await recordBaselineColumns(db, widened, ctx.scheme, table);
        }),
      );
      schemaNote = [schemaNote, `columns added and filled on both sides: ${added.join(', ')}`].filter(Boolean).join('; ');
      // The baseline was just rebuilt from the local content.
      settle(ctx, pair);
      if (ctx.mode === 'incremental') return { ...reported(synced), warnings: [schemaNote] };
      pair = widened;
      baselineTable = await usableBaseline(db, pair, ctx.scheme, await readOneTableMetadata(db, pair.name), ctx.engineVersion);
    }
  }

  const fullPull = async (note?: string): Promise<TableResult> => {
    const result = await db.withRemote(true, async () => {
      // A snapshot older than the one the baseline came from (a lagging replica) would replace newer rows.
      if (cursor && cursor.logSeq !== null) assertNotStale(pair, cursor, await currentLogSeq(db, pair));
      return pullFullTable(db, pair, localInfo, { engineVersion: ctx.engineVersion, scheme: ctx.scheme, runId: ctx.runId, onProgress: ctx.onProgress, policy, cursor });
    });
    // The local content and its baseline were both replaced with the remote's.
    settle(ctx, pair);
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
    if (ctx.dryRun) return db.withRemote(true, () => planFullTable(db, pair, localInfo, ctx.scheme));
    if (adoption?.kind === 'unusable') return fullPull(adoption.note);
    return fullPull(localInfo && ctx.mode === 'incremental' ? 'no usable baseline (first sync, or a schema change): pulled in full' : undefined);
  }

  const localColumns = localInfo?.columns.map((c) => c.name) ?? [];
  const localUnchanged = ctx.localUnchanged?.has(pair.name);
  const localChangedAt = ctx.localChangedKeys?.get(pair.name.toLowerCase());
  const merge = { baselineTable, scheme: ctx.scheme, cursor, policy, engineVersion: ctx.engineVersion, runId: ctx.runId, dryRun: ctx.dryRun, localColumns, localUnchanged, localChangedAt, transactionRows: ctx.transactionRows };
  const syncChanges = async (direction: Direction, remoteScope: RemoteScope = 'all'): Promise<TableResult> => {
    const remoteProbe = remoteScope === 'all' && !schemaNote ? ctx.remoteProbes?.get(pair.name) : undefined;
    let synced = await changeSyncFor(pair)(db, pair, { ...merge, direction, remoteScope, remoteProbe });
    // A push of more than one remote transaction may write goes in passes, each pass its own remote
    // transaction and local transaction: a run cut short leaves every pass before it complete.
    for (let pass = 2; synced.pushesLeft > 0 && !ctx.dryRun; pass++) {
      db.logger.debug(`${pair.name}: ${synced.pushesLeft} change(s) left for pass ${pass} of the push`);
      const again = await changeSyncFor(pair)(db, pair, { ...merge, cursor: cursorState(pair, await readOneTableMetadata(db, pair.name)), direction, remoteScope });
      if (again.rowsPushed + again.rowsDeleted === 0 && again.pushesLeft >= synced.pushesLeft) break;
      synced = addPass(synced, again, pass);
    }
    if (synced.localLeft === 0) settle(ctx, pair);
    return reported(synced);
  };

  const noted = (r: TableResult): TableResult => (schemaNote ? { ...r, warnings: [schemaNote, ...(r.warnings ?? [])] } : r);
  // Pushing only needs the remote versions of the rows changed locally (to find conflicts).
  if (ctx.mode === 'incremental') return noted(await syncChanges(ctx.direction, ctx.direction === 'push' ? 'localChanges' : 'all'));
  if (ctx.dryRun) {
    const pushed = ctx.direction === 'pull' ? undefined : await syncChanges('push', 'localChanges');
    const pulled = await db.withRemote(true, () => planFullTable(db, pair, localInfo, ctx.scheme));
    return { ...pulled, rowsPushed: pushed?.rowsPushed ?? 0, conflicts: pushed?.conflicts ?? 0 };
  }
  if (ctx.direction === 'pull') return noted(await fullPull());
  // Full mode: local changes are pushed first (conflicts checked against their remote versions only,
  // since the whole local content is replaced right after).
  const pushed = await syncChanges('push', 'localChanges');
  await pruneRemoteLogs(db, pair);
  if (ctx.direction === 'push') return noted(pushed);
  const pulled = noted(await fullPull());
  return { ...pulled, rowsPushed: pushed.rowsPushed, rowsDeleted: pulled.rowsDeleted + pushed.rowsDeleted, conflicts: pulled.conflicts + pushed.conflicts };
}

/** Two passes of one table's sync as one result (a push in parts). */
function addPass(before: ChangeSyncResult, pass: ChangeSyncResult, n: number): ChangeSyncResult {
  const others = (before.warnings ?? []).filter((w) => !w.startsWith('pushed in '));
  return {
    ...pass,
    rowsPulled: before.rowsPulled + pass.rowsPulled,
    rowsPushed: before.rowsPushed + pass.rowsPushed,
    rowsDeleted: before.rowsDeleted + pass.rowsDeleted,
    conflicts: before.conflicts + pass.conflicts,
    rowsRead: before.rowsRead + pass.rowsRead,
    warnings: [...new Set([...others, ...(pass.warnings ?? []), `pushed in ${n} parts, each its own remote transaction (maxTransactionRows)`])],
  };
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
    const [count] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${localRef(db, pair)}`);
    return { ...emptyTableResult(pair.name, 'planned'), rowsPushed: Number(count?.n ?? 0), warnings: ['creates the table on the remote'] };
  }
  const pushed = await pushNewTable(db, pair, ctx.scheme, ctx.engineVersion, ctx.transactionRows);
  settle(ctx, pair);
  return pushed;
}

/**
 * Full syncs that may write the remote drop the table's change-log entries and keyless push
 * markers older than 30 days, so that incremental pushes pay no round trip for it.
 */
async function pruneRemoteLogs(db: Database, pair: TablePair): Promise<void> {
  if (db.remote.readOnly) return;
  // Known to have none (the last discovery's listing): the remote is not attached for it.
  if (pair.key.length === 0) {
    if (markersListed(db) !== false) await db.withRemote(false, () => pruneKeylessMarkers(db, pair));
  } else if (findCursorColumn(pair) && changeLogListed(db, pair) !== false) {
    await db.withRemote(false, () => pruneChangeLog(db, pair));
  }
}

/** Notes that the table's local content equals its baseline now. Dry runs change nothing and note nothing. */
function settle(ctx: TableSyncContext, pair: TablePair): void {
  if (!ctx.dryRun) ctx.settled?.add(pair.name);
}

/** The reported part of a keyed table's outcome. */
function reported(result: ChangeSyncResult): TableResult {
  const { localLeft, ...rest } = result;
  return rest;
}
