import type { Database } from '../../db/database.js';
import { ConflictPolicyError } from '../../errors.js';
import { applyPull, applyPush } from './applyChanges.js';
import { recordConflicts } from '../state/conflictLog.js';
import { moveBaselineKeys } from '../state/baseline.js';
import type { CursorState } from '../catalog/cursor.js';
import { kJson } from '../rows/keySql.js';
import { computeLocalDelta, computeLocalDeltaAt, noLocalDelta, snapshotChangedRows } from '../compare/localDelta.js';
import { buildMergePlan, type PlanCounts } from './mergePlan.js';
import { clearJournal, discountOwnPushes, journalLocalChanges, journalPending } from '../state/pushJournal.js';
import { logPushedKeys } from '../state/remote/changeLog.js';
import { recordOwnLogged } from '../state/ownLogged.js';
import { computeRemoteDelta } from '../compare/remoteDelta.js';
import { newestSeq } from '../compare/staleSnapshot.js';
import type { TablePair } from '../catalog/tablePair.js';
import { changeResult, NO_CHANGES, recordChanges } from './changeOutcome.js';
import { TEMP } from '../rows/tempTables.js';
import type { ChangeSyncContext, ChangeSyncResult } from './changeSyncContext.js';

/**
 * Incremental two-way sync of a table with a key (ARCHITECTURE.md decisions 2, 3, 6):
 * (1) one transaction that reads both sides, plans, and writes only the remote (the push);
 * (2) one local transaction applying the pull, the conflicts, the baseline and the metadata.
 * A crash between the two leaves pushed rows equal on both sides; the next run sees them as
 * changed identically on both sides and only moves the baseline. The local changes are journaled
 * before (1), so that a row changed again locally after such a crash is pushed, not taken for a
 * conflict with this local's own pushed version (pushJournal.ts).
 */
export async function syncKeyedTable(db: Database, pair: TablePair, ctx: ChangeSyncContext): Promise<ChangeSyncResult> {
  const writesRemote = ctx.direction !== 'pull' && !ctx.dryRun;
  let counts: PlanCounts | undefined;
  let rowsRead = 0;
  let maxCursor: string | null = null;
  let logSeq: number | null = null;
  let snapshot = false;
  /** The change-log sequence number the push wrote its keys under (state/remote/changeLog.ts). */
  let loggedSeq: number | undefined;
  // Local changes first; before they may reach the remote, they are journaled (see pushJournal.ts).
  const localChanges = await db.transaction(async () => {
    const changed = ctx.localUnchanged ? await noLocalDelta(db, pair, ctx.baselineTable) : await localDelta(db, pair, ctx);
    if (changed && writesRemote) {
      await journalLocalChanges(db, pair, ctx.baselineTable, TEMP.ld);
      // The versions pushed are those compared: writes made meanwhile (library) wait for the next push.
      await snapshotChangedRows(db, pair);
      snapshot = true;
    }
    return changed;
  });
  // The probe found the remote as the baseline has it: only the remote versions of local changes are read.
  const probe = ctx.remoteProbe?.unchanged ? ctx.remoteProbe : undefined;
  const scope = probe ? 'localChanges' : ctx.remoteScope;
  if (scope === 'localChanges' && localChanges === 0 && !(await journalPending(db, ctx.baselineTable))) {
    // Full mode with nothing changed locally (and no push cut short earlier) has nothing to push.
    if (!probe) return changeResult(pair, ctx, NO_CHANGES, 0);
    // Nothing changed on either side: no round trip; the metadata records the sync.
    const unchanged = changeResult(pair, ctx, NO_CHANGES, 0);
    if (ctx.dryRun) return unchanged;
    await db.transaction(() =>
      recordChanges(db, pair, ctx, NO_CHANGES, {
        cursorColumn: ctx.cursor?.column ?? null,
        watermark: ctx.cursor?.watermark ?? null,
        logSeq: ctx.cursor ? (probe.logSeq ?? ctx.cursor.logSeq) : newestSeq(probe.logSeq, ctx.seenLogSeq),
      }),
    );
    return unchanged;
  }
  await db.withRemote(!writesRemote, () =>
    db.transaction(async () => {
      // A snapshot older than the last sync saw is refused when rows are to be pulled from it.
      const seen = ctx.direction === 'push' ? null : (ctx.seenLogSeq ?? null);
      const remote = await computeRemoteDelta(db, pair, ctx.baselineTable, ctx.scheme, ctx.cursor, scope, ctx.remoteProbe, seen);
      rowsRead = remote.rowsRead;
      maxCursor = remote.maxCursor;
      logSeq = remote.logSeq ?? probe?.logSeq ?? null;
      if (remote.changed) await discountOwnPushes(db, pair, ctx.baselineTable, { local: TEMP.ld, remote: TEMP.rd });
      counts = await buildMergePlan(db, pair, ctx.policy, ctx.direction, ctx.cursor, writesRemote ? pushLimit(ctx.transactionRows) : undefined);
      if (counts.conflictsTotal && ctx.policy === 'fail') {
        const sample = await db.all<{ k: string }>(`SELECT ${kJson(pair, 'p')} AS k FROM ${TEMP.plan} p WHERE p.kind = 'conflict' LIMIT 3`);
        throw new ConflictPolicyError(pair.name, counts.conflictsTotal, sample.map((s) => s.k));
      }
      if (writesRemote && (counts.push || counts.deleteRemote)) {
        // Every push is logged: with a cursor, readers find rows whose cursor hides them there; with
        // or without one, the log's newest sequence number dates a snapshot (staleSnapshot.ts).
        const logKeys = async (stage: string): Promise<void> => {
          loggedSeq = await logPushedKeys(db, pair, stage);
        };
        await applyPush(db, pair, pair.columns.length === pair.remoteInfo.columns.length, snapshot ? TEMP.lrows : undefined, logKeys);
      }
    }),
  );
  const c = counts as PlanCounts;
  const changed = { ...c, localLeft: c.skippedLocal, pushesLeft: c.deferred };
  const result = changeResult(pair, ctx, changed, rowsRead);
  // A conflict the direction forbids resolving (remote-wins with --direction push, a library push):
  // neither side is written for that row, and the user hears of it now.
  const waiting = c.conflictsTotal - c.conflicts;
  if (waiting && !c.deferred) result.warnings = [`${waiting} row(s) changed on both sides left as they are until a two-way sync resolves them (${ctx.policy})`];
  if (ctx.dryRun) return result;

  await db.transaction(async () => {
    if (c.conflicts) await recordConflicts(db, pair, ctx.policy, ctx.runId, { plan: TEMP.plan, remoteRows: TEMP.rrows });
    if (ctx.direction !== 'push' && (c.pull || c.deleteLocal)) await applyPull(db, pair, ctx.localColumns.length === pair.columns.length && pair.columns.every((c) => ctx.localColumns.includes(c.local)));
    await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.moved} AS SELECT * FROM ${TEMP.plan} WHERE action IN ('push', 'pull', 'same')`);
    // New hashes: pulled rows are the remote's versions, pushed and agreed ones the local's as
    // compared, not as the local table holds them now: a library push runs while the application
    // writes, and a row written again meanwhile must still differ from the baseline next time.
    await moveBaselineKeys(db, pair, ctx.scheme, ctx.baselineTable, TEMP.moved, `CASE WHEN action = 'pull' THEN rh ELSE lh END`, ctx.direction === 'push' && snapshot ? TEMP.lrows : undefined);
    await clearJournal(db, pair, ctx.baselineTable, TEMP.moved);
    // The watermark moves only when every remote change up to it was applied locally.
    const caughtUp = ctx.cursor !== undefined && ctx.direction !== 'push' && c.skippedRemote === 0;
    const watermark = caughtUp && ctx.cursor ? await newerWatermark(db, ctx.cursor, maxCursor) : (ctx.cursor?.watermark ?? null);
    // With a cursor: where the next sync reads logged rows from (this push's own entries are recorded
    // so as not to be read again). Without one: the newest entry known, this push's included.
    const seen = !ctx.cursor ? newestSeq(ctx.seenLogSeq, logSeq, loggedSeq) : caughtUp ? (logSeq ?? ctx.cursor.logSeq) : ctx.cursor.logSeq;
    if (loggedSeq !== undefined && ctx.cursor) await recordOwnLogged(db, pair, ctx.baselineTable, loggedSeq, seen, TEMP.plan);
    await recordChanges(db, pair, ctx, changed, { cursorColumn: ctx.cursor?.column ?? null, watermark, logSeq: seen });
  });
  return result;
}

/**
 * Keys one remote transaction may push: each writes up to three rows there (deleted, inserted,
 * logged), the stage aside.
 */
function pushLimit(transactionRows: number | undefined): number | undefined {
  return transactionRows === undefined ? undefined : Math.max(1, Math.floor(transactionRows / 3));
}

async function newerWatermark(db: Database, cursor: CursorState, maxRead: string | null): Promise<string | null> {
  if (maxRead === null) return cursor.watermark;
  if (cursor.watermark === null) return maxRead;
  const [row] = await db.all<{ w: string }>(`SELECT CAST(greatest(CAST($1 AS ${cursor.type}), CAST($2 AS ${cursor.type})) AS VARCHAR) AS w`, [cursor.watermark, maxRead]);
  return row?.w ?? maxRead;
}

/** Local changes: at the keys written through duckdb-sync when only those can differ, else the whole table compared. */
async function localDelta(db: Database, pair: TablePair, ctx: ChangeSyncContext): Promise<number> {
  const known = ctx.localChangedAt ? await computeLocalDeltaAt(db, pair, ctx.baselineTable, ctx.localChangedAt) : false;
  if (known !== false) {
    db.logger.debug(`${pair.name}: compared at the ${ctx.localChangedAt?.rows.length ?? 0} key(s) written through duckdb-sync since it was last settled`);
    return known;
  }
  return computeLocalDelta(db, pair, ctx.baselineTable);
}
