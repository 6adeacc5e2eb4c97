import type { Database } from '../db/database.js';
import type { FingerprintScheme } from '../remote/remote.js';
import { comparedBaseline, dropOutsideScope, usableBaseline, writeBaseline } from './state/baseline.js';
import { onlySchemeChanged } from './catalog/columnSignature.js';
import { adoptBaseline } from './state/hashes/engineUpgrade.js';
import { addColumnsLocally, addColumnsOnRemote, analyzeColumns, widenedPair, type ColumnChanges } from './catalog/columnChanges.js';
import type { TableInfo } from './catalog/catalog.js';
import { cursorState, type CursorState } from './catalog/cursor.js';
import { changeLogListed, currentLogSeq, pruneChangeLog } from './state/remote/changeLog.js';
import { assertNotStale } from './compare/staleSnapshot.js';
import { markersListed, prunePushMarkers } from './state/remote/pushMarkers.js';
import { planFullTable } from './full/planFullTable.js';
import { pullFullTable } from './full/pullFull.js';
import type { RemoteScope } from './compare/remoteDelta.js';
import type { ProbeOutcome } from './compare/remoteProbe.js';
import { changeSyncFor } from './merge/changeSync.js';
import type { ChangeSyncContext, ChangeSyncResult } from './merge/changeSyncContext.js';
import { syncKeyedTable } from './merge/syncKeyedTable.js';
import { type TablePair, localRef } from './catalog/tablePair.js';
import { readOneTableMetadata, recordBaselineColumns } from './state/tableMetadata.js';
import { pushNewTable, resumePushNewTable } from './full/pushNewTable.js';
import { readPartedPush, type PartedPush } from './state/partedPush.js';
import type { SyncContext, SyncedTable } from './syncContext.js';
import { planTable, type TableFacts, type TablePlan } from './tablePlan.js';
import { compileScope } from './catalog/scopeFilter.js';
import { type Direction, type TableResult, emptyTableResult } from './api.js';

/** What one table's sync is told beyond the run's context. */
export interface TableInputs {
  /** The fingerprint scheme the table is compared with this run (chooseSchemes.ts). */
  scheme: FingerprintScheme;
  /** What the probe before the tables found of the table's remote side (remoteProbe.ts); incremental syncs only. */
  probe?: ProbeOutcome | undefined;
}

/** What syncTable gathers before deciding, and what doing the plan needs of it. */
interface Gathered {
  facts: TableFacts;
  parted: PartedPush | undefined;
  baselineTable: string | undefined;
  cursor: CursorState | undefined;
  columns: ColumnChanges | undefined;
  /** With columns only added: the baseline, good for the columns it was computed over. */
  narrowedBaseline: string | undefined;
  /** A partial replica's filter the baseline was taken with (null: the whole table). */
  recordedScope: string | null;
  /** The newest remote change-log sequence number the table's last sync saw (staleSnapshot.ts). */
  seenLogSeq: number | null;
}

/**
 * Syncs one table pair in three steps: what is known of it is gathered (its metadata, its baseline,
 * a baseline written by another DuckDB release adopted first, engineUpgrade.ts), planTable decides
 * what to do (tablePlan.ts: a pure function), and the plan is done here, one case each.
 */
export async function syncTable(db: Database, ctx: SyncContext, pair: TablePair, localInfo: TableInfo | undefined, inputs: TableInputs): Promise<SyncedTable> {
  const gathered = await gather(db, ctx, pair, localInfo, inputs.scheme);
  const plan = planTable(gathered.facts, ctx);
  db.logger.debug(`${pair.name}: ${plan.kind === 'report' ? `${plan.status}${plan.errorCode ? ` (${plan.errorCode})` : ''}` : plan.kind}`);
  const done = await doPlan(db, ctx, pair, localInfo, inputs, gathered, plan);
  return pair.scope && plan.kind !== 'rescope' ? leaveScope(db, pair, inputs.scheme, done) : done;
}

/**
 * A partial replica whose sync pushed rows: those outside the scope (an insert or an update the
 * filter does not keep: still the user's write, now on the cloud) leave the local copy, and the
 * result says so. Only a settled table: every local change is on the cloud by then.
 */
async function leaveScope(db: Database, pair: TablePair, scheme: FingerprintScheme, done: SyncedTable): Promise<SyncedTable> {
  const scope = pair.scope;
  if (!scope || !done.settled || done.result.rowsPushed + done.result.conflicts === 0) return done;
  const baselineTable = (await readOneTableMetadata(db, pair.name))?.baselineTable;
  if (!baselineTable) return done;
  const left = await dropOutsideScope(db, pair, scheme, baselineTable, scope.local);
  if (!left) return done;
  return { ...done, result: { ...done.result, warnings: [...(done.result.warnings ?? []), `${left} row(s) outside the scope (where ${scope.where}) were pushed and left the local copy`] } };
}

async function gather(db: Database, ctx: SyncContext, pair: TablePair, localInfo: TableInfo | undefined, scheme: FingerprintScheme): Promise<Gathered> {
  const meta = localInfo ? await readOneTableMetadata(db, pair.name) : undefined;
  const base = { keyed: pair.key.length > 0, localOnly: pair.localOnly === true, local: localInfo !== undefined, synced: Boolean(meta?.baselineTable) };
  const none = { parted: undefined, baselineTable: undefined, cursor: undefined, columns: undefined, narrowedBaseline: undefined, recordedScope: meta?.scopeFilter ?? null, seenLogSeq: meta?.logSeq ?? null };
  if (pair.localOnly) return { ...none, facts: { ...base, firstPushCut: false, baseline: false } };
  // Only a table without a baseline yet can have a first push in parts cut short (partedPush.ts).
  const parted = localInfo && !meta?.baselineTable ? await readPartedPush(db, pair) : undefined;
  if (parted) return { ...none, parted, facts: { ...base, firstPushCut: true, baseline: false } };
  // A baseline written by another DuckDB release (an upgrade) is adopted when its hashes still hold.
  const adoption = localInfo ? await adoptBaseline(db, pair, scheme, meta, ctx.engineVersion, ctx.dryRun) : undefined;
  const baselineTable = await comparedBaseline(db, pair, localInfo, scheme, meta, ctx.engineVersion);
  const cursor = cursorState(pair, meta);
  // No baseline to compare with because the columns changed since the last sync. A baseline of the
  // other fingerprint scheme (the local file was synced with another kind of remote) is not a schema
  // change: the table is compared in full, as without a baseline.
  const schemeOnly = meta?.columnSignature ? onlySchemeChanged(pair, scheme, meta.columnSignature) : false;
  let columns: ColumnChanges | undefined;
  let narrowedBaseline: string | undefined;
  if (!baselineTable && !schemeOnly && localInfo && meta?.baselineTable && meta.columnSignature && meta.engineVersion === ctx.engineVersion) {
    columns = analyzeColumns(pair, localInfo, meta.columnSignature);
    if (columns.narrowed) narrowedBaseline = await usableBaseline(db, columns.narrowed, scheme, meta, ctx.engineVersion);
  }
  const added = columns ? [...columns.addedRemote, ...columns.addedLocal, ...columns.addedBoth].map((c) => c.local) : [];
  return {
    parted: undefined,
    baselineTable,
    cursor,
    columns,
    narrowedBaseline,
    recordedScope: meta?.scopeFilter ?? null,
    seenLogSeq: meta?.logSeq ?? null,
    facts: {
      ...base,
      firstPushCut: false,
      adoption: adoption?.kind === 'rehashed' || adoption?.kind === 'unusable' ? adoption : undefined,
      baseline: baselineTable !== undefined,
      columns: columns ? { destructive: columns.destructive, added, narrowedBaseline: narrowedBaseline !== undefined } : undefined,
      scopeChanged: baselineTable !== undefined && (meta?.scopeFilter ?? null) !== (pair.scope?.where ?? null),
    },
  };
}

async function doPlan(db: Database, ctx: SyncContext, pairIn: TablePair, localInfo: TableInfo | undefined, inputs: TableInputs, gathered: Gathered, plan: TablePlan): Promise<SyncedTable> {
  let pair = pairIn;
  const { scheme } = inputs;
  const policy = pair.settings.onConflict ?? ctx.policy;
  const settled = (result: TableResult): SyncedTable => ({ result, settled: !ctx.dryRun });
  const unsettled = (result: TableResult): SyncedTable => ({ result, settled: false });
  const noted = (note: string | undefined, r: TableResult): TableResult => (note ? { ...r, warnings: [note, ...(r.warnings ?? [])] } : r);

  const fullPull = async (note: string | undefined, cursor: CursorState | undefined): Promise<SyncedTable> => {
    const result = await db.withRemote(true, async () => {
      // A snapshot older than the one the baseline came from (a lagging replica) would replace newer rows.
      const logSeq = await currentLogSeq(db, pair);
      assertNotStale(pair, gathered.seenLogSeq, logSeq);
      return pullFullTable(db, pair, localInfo, { engineVersion: ctx.engineVersion, scheme, runId: ctx.runId, onProgress: ctx.onProgress, policy, cursor, logSeq });
    });
    // The local content and its baseline were both replaced with the remote's.
    return settled(noted(note, result));
  };
  const merge = (baselineTable: string, cursor: CursorState | undefined): Omit<ChangeSyncContext, 'direction'> => ({
    baselineTable,
    scheme,
    cursor,
    policy,
    engineVersion: ctx.engineVersion,
    runId: ctx.runId,
    dryRun: ctx.dryRun,
    localColumns: localInfo?.columns.map((c) => c.name) ?? [],
    localUnchanged: ctx.local.unchanged.has(pair.name),
    localChangedAt: ctx.local.changedKeys.get(pair.name.toLowerCase()),
    transactionRows: ctx.transactionRows,
    seenLogSeq: gathered.seenLogSeq,
  });
  const syncChanges = async (baselineTable: string, direction: Direction, remoteScope: RemoteScope, probe: boolean, p: TablePair = pair): Promise<SyncedTable> => {
    const cursor = gathered.cursor;
    let synced = await changeSyncFor(p)(db, p, { ...merge(baselineTable, cursor), direction, remoteScope, remoteProbe: probe && remoteScope === 'all' ? inputs.probe : undefined });
    // A push of more than one remote transaction may write goes in passes, each pass its own remote
    // transaction and local transaction: a run cut short leaves every pass before it complete.
    for (let pass = 2; synced.pushesLeft > 0 && !ctx.dryRun; pass++) {
      db.logger.debug(`${pair.name}: ${synced.pushesLeft} change(s) left for pass ${pass} of the push`);
      const recorded = await readOneTableMetadata(db, p.name);
      const again = await changeSyncFor(p)(db, p, { ...merge(baselineTable, cursorState(p, recorded)), seenLogSeq: recorded?.logSeq ?? null, direction, remoteScope });
      if (again.rowsPushed + again.rowsDeleted === 0 && again.pushesLeft >= synced.pushesLeft) break;
      synced = addPass(synced, again, pass);
    }
    return { result: reported(synced), settled: synced.localLeft === 0 && !ctx.dryRun };
  };
  /** A push and the full pull after it, as one result. */
  const combined = (pushed: SyncedTable, pulled: SyncedTable): SyncedTable => ({
    ...pulled,
    result: { ...pulled.result, rowsPushed: pushed.result.rowsPushed, rowsDeleted: pulled.result.rowsDeleted + pushed.result.rowsDeleted, conflicts: pulled.result.conflicts + pushed.result.conflicts },
  });
  const pushThenPull = async (baselineTable: string, pull: boolean, note: string | undefined): Promise<SyncedTable> => {
    // Conflicts checked against the remote versions of the local changes only, since the whole local
    // content is replaced right after.
    const pushed = await syncChanges(baselineTable, 'push', 'localChanges', false);
    await pruneRemoteLogs(db, pair);
    if (!pull) return { ...pushed, result: noted(note, pushed.result) };
    return combined(pushed, await fullPull(note, gathered.cursor));
  };

  switch (plan.kind) {
    case 'report': {
      const { kind, status, warnings, ...error } = plan;
      return unsettled({ ...emptyTableResult(pair.name, status), ...error, ...(warnings.length ? { warnings } : {}) });
    }
    case 'createRemote':
      return settled(await pushNewTable(db, pair, scheme, ctx.engineVersion, ctx.transactionRows));
    // Not settled: its baseline holds only the rows both sides hold alike.
    case 'resumeFirstPush':
      return unsettled(await resumePushNewTable(db, pair, gathered.parted as PartedPush, scheme, ctx.engineVersion));
    case 'fullPull':
      return fullPull(plan.note, gathered.cursor);
    case 'changes': {
      const outcome = await syncChanges(gathered.baselineTable as string, plan.direction, plan.scope, plan.probe);
      return { ...outcome, result: noted(plan.note, outcome.result) };
    }
    case 'pushThenPull':
      return pushThenPull(gathered.baselineTable as string, plan.pull, plan.note);
    case 'addColumns': {
      const changes = gathered.columns as ColumnChanges;
      const synced = await syncKeyedTable(db, changes.narrowed as TablePair, { ...merge(gathered.narrowedBaseline as string, gathered.cursor), direction: 'both', dryRun: false, localChangedAt: undefined, transactionRows: undefined });
      await addColumnsOnRemote(db, pair, changes.addedLocal);
      const widened = widenedPair(pair, changes);
      await db.withRemote(true, () =>
        db.transaction(async () => {
          await addColumnsLocally(db, pair, changes.addedRemote, changes.addedBoth);
          const table = await writeBaseline(db, widened, scheme);
          await recordBaselineColumns(db, widened, scheme, table);
        }),
      );
      const rehashed = gathered.facts.adoption?.kind === 'rehashed' ? gathered.facts.adoption.note : undefined;
      const note = [rehashed, `columns added and filled on both sides: ${plan.added.join(', ')}`].filter(Boolean).join('; ');
      // The baseline was just rebuilt from the local content.
      if (plan.then === 'done') return settled({ ...reported(synced), warnings: [note] });
      pair = widened;
      const widenedBaseline = await usableBaseline(db, pair, scheme, await readOneTableMetadata(db, pair.name), ctx.engineVersion);
      return widenedBaseline ? pushThenPull(widenedBaseline, true, note) : fullPull(note, gathered.cursor);
    }
    case 'rescope': {
      const recorded = gathered.recordedScope;
      const note = `re-scoped: the filter changed (${recorded ?? 'the whole table'} → ${pair.scope?.where ?? 'the whole table'}); rows outside the new scope left the local copy, the cloud is unchanged`;
      db.logger.info(`${pair.name}: ${note}`);
      // The local changes are pushed within the scope the baseline was taken with.
      const before: TablePair = { ...pair, scope: recorded ? await compileScope(db, pair, recorded) : undefined };
      const pushed = plan.push ? await syncChanges(gathered.baselineTable as string, 'push', 'localChanges', false, before) : undefined;
      if (!plan.pull) return pushed ? { ...pushed, result: noted(`the filter changed (${recorded ?? 'none'} → ${pair.scope?.where ?? 'none'}): a sync that pulls re-scopes the table`, pushed.result) } : unsettled(emptyTableResult(pair.name, 'ok'));
      const pulled = await fullPull(note, gathered.cursor);
      return pushed ? combined(pushed, pulled) : pulled;
    }
    case 'planOnly': {
      if (plan.of === 'createRemote') {
        const [count] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${localRef(db, pair)}`);
        return unsettled({ ...emptyTableResult(pair.name, 'planned'), rowsPushed: Number(count?.n ?? 0), warnings: ['creates the table on the remote'] });
      }
      const pushed = plan.push ? await syncChanges(gathered.baselineTable as string, 'push', 'localChanges', false) : undefined;
      const pulled = await db.withRemote(true, () => planFullTable(db, pair, localInfo, scheme));
      return unsettled({ ...pulled, rowsPushed: pushed?.result.rowsPushed ?? 0, conflicts: pushed?.result.conflicts ?? 0 });
    }
  }
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

/**
 * Full syncs that may write the remote drop the table's change-log entries (the newest kept) and
 * keyless push markers of earlier releases older than 30 days, so that incremental pushes pay no
 * round trip for it.
 */
async function pruneRemoteLogs(db: Database, pair: TablePair): Promise<void> {
  if (db.remote.readOnly) return;
  // Known to have none (the last discovery's listing): the remote is not attached for it.
  const markers = pair.key.length === 0 && markersListed(db) !== false;
  const log = changeLogListed(db, pair) !== false;
  if (!markers && !log) return;
  await db.withRemote(false, async () => {
    if (markers) await prunePushMarkers(db, pair);
    if (log) await pruneChangeLog(db, pair);
  });
}

/** The reported part of a keyed table's outcome. */
function reported(result: ChangeSyncResult): TableResult {
  const { localLeft, pushesLeft, ...rest } = result;
  return rest;
}
