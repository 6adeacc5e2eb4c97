import type { SyncMode } from '../config/schema.js';
import type { RemoteScope } from './compare/remoteDelta.js';
import type { Direction, TableStatus } from './api.js';

/**
 * What is known of one table pair before its sync decides anything (gathered by syncTable.ts from
 * the catalog, the table's metadata and its baseline; a baseline of another DuckDB release is
 * adopted before, engineUpgrade.ts).
 */
export interface TableFacts {
  /** The table has a key (a primary key, or one the config names). */
  keyed: boolean;
  /** The table exists only locally. */
  localOnly: boolean;
  /** The table exists locally. */
  local: boolean;
  /** The table was synced before (its metadata names a baseline). */
  synced: boolean;
  /** A first push in parts was cut short (state/partedPush.ts). */
  firstPushCut: boolean;
  /** A baseline of another DuckDB release that was rehashed, or could not be used (engineUpgrade.ts). */
  adoption?: { kind: 'rehashed' | 'unusable'; note: string } | undefined;
  /** A baseline to compare with exists (computed over today's columns by this release). */
  baseline: boolean;
  /**
   * The columns changed since the last sync (catalog/columnChanges.ts), when that is why there is no
   * baseline to compare with: what cannot be applied, what was added, and whether the baseline
   * still holds for the columns it was computed over (then the additions can be applied).
   */
  columns?: { destructive: string[]; added: string[]; narrowedBaseline: boolean } | undefined;
  /** A partial replica's filter differs from the one its baseline was taken with (or one was added or removed). */
  scopeChanged?: boolean | undefined;
}

/** The run's settings one table's plan depends on. */
export interface PlanSettings {
  mode: SyncMode;
  direction: Direction;
  dryRun: boolean;
}

/** What a sync does with one table pair: decided by planTable, done by syncTable.ts. */
export type TablePlan =
  /** Nothing is done; the table's result says why (a warning, or an error with its code). */
  | { kind: 'report'; status: TableStatus; error?: string; errorCode?: string; warnings: string[] }
  /** A table only the local side has: created on the remote and filled. */
  | { kind: 'createRemote' }
  /** A first push in parts cut short: its remaining parts are pushed. */
  | { kind: 'resumeFirstPush' }
  /** Columns added on either side since the last sync: the baseline's columns synced, then the new ones added and filled; then, in full mode, `then`. */
  | { kind: 'addColumns'; added: string[]; then: 'done' | 'full' }
  /** The local content replaced with the remote's (versions it replaces are kept as conflicts). */
  | { kind: 'fullPull'; note?: string | undefined }
  /** Changes since the baseline merged per row; `probe`: what the probe before the tables found may be used. */
  | { kind: 'changes'; direction: Direction; scope: RemoteScope; probe: boolean; note?: string | undefined }
  /** Full mode: the local changes pushed first, then (unless direction push) the local content replaced with the remote's. */
  | { kind: 'pushThenPull'; pull: boolean; note?: string | undefined }
  /**
   * A partial replica whose filter changed: the local changes pushed first within the scope the
   * baseline was taken with (`push`), then the local content replaced by the cloud's rows in the new
   * scope (`pull`); the cloud is never touched by the change of scope itself.
   */
  | { kind: 'rescope'; push: boolean; pull: boolean }
  /** A dry run of a step that cannot run without writing: only its plan is read. */
  | { kind: 'planOnly'; of: 'createRemote' | 'fullPull' | 'pushThenPull'; push: boolean };

/**
 * Decides what a sync does with one table pair, from what is known of it and the run's settings.
 * A pure function (no DuckDB): every branch is unit-tested (test/unit/tablePlan.test.ts).
 */
export function planTable(facts: TableFacts, settings: PlanSettings): TablePlan {
  const { mode, direction, dryRun } = settings;
  if (facts.localOnly) {
    if (facts.synced) {
      return {
        kind: 'report',
        status: 'error',
        error: 'the table was dropped on the remote; duckdb-sync does not drop it locally',
        errorCode: 'E_DROPPED',
        warnings: ['drop the local table yourself, or exclude it (--exclude or "exclude" in the config)'],
      };
    }
    if (direction === 'pull') return { kind: 'report', status: 'ok', warnings: ['exists only locally; not pushed (direction pull)'] };
    return dryRun ? { kind: 'planOnly', of: 'createRemote', push: true } : { kind: 'createRemote' };
  }
  // A first push in parts that a run cut short is finished before anything else; a sync that does
  // not push leaves the table alone meanwhile (a pull would take the remote's part for all).
  if (facts.firstPushCut) {
    if (dryRun || direction === 'pull') return { kind: 'report', status: dryRun ? 'planned' : 'ok', warnings: ['its first push was cut short: a sync that pushes finishes it; left alone until then'] };
    return { kind: 'resumeFirstPush' };
  }
  // A dry run cannot rehash without writing: it says so and plans nothing else for the table.
  if (facts.adoption?.kind === 'rehashed' && dryRun) return { kind: 'report', status: 'planned', warnings: [facts.adoption.note] };
  const note = facts.adoption?.kind === 'rehashed' ? facts.adoption.note : undefined;
  // A full pull replaces the local content and adds the remote's new columns itself.
  const fullPullOnly = mode === 'full' && direction === 'pull';
  if (!facts.baseline && !fullPullOnly && facts.columns) {
    const { destructive, added } = facts.columns;
    if (destructive.length) {
      return {
        kind: 'report',
        status: 'error',
        error: `schema change not applied: ${destructive.join('; ')}`,
        errorCode: 'E_SCHEMA',
        warnings: ['make the change on both sides by hand (duckdb-sync never drops or narrows columns), then sync again'],
      };
    }
    if (!facts.keyed || direction !== 'both' || dryRun) {
      const why = dryRun ? 'a sync would add them' : !facts.keyed ? 'tables without a key take added columns through a full pull (--mode full --direction pull)' : 'added columns are applied by a sync in both directions';
      const report: TablePlan = { kind: 'report', status: dryRun ? 'planned' : 'error', errorCode: 'E_SCHEMA', warnings: [`columns added: ${added.join(', ')}`] };
      return dryRun ? report : { ...report, error: `columns added since the last sync: ${added.join(', ')}; ${why}` };
    }
    if (facts.columns.narrowedBaseline) return { kind: 'addColumns', added, then: mode === 'incremental' ? 'done' : 'full' };
  }
  if (!facts.baseline) {
    if (direction === 'push') {
      return { kind: 'report', status: 'error', error: facts.local ? 'no baseline yet to find local changes with' : 'the table does not exist locally', errorCode: 'E_NO_BASELINE', warnings: [] };
    }
    if (dryRun) return { kind: 'planOnly', of: 'fullPull', push: false };
    if (facts.adoption?.kind === 'unusable') return { kind: 'fullPull', note: facts.adoption.note };
    return { kind: 'fullPull', note: facts.local && mode === 'incremental' ? 'no usable baseline (first sync, or a schema change): pulled in full' : undefined };
  }
  if (facts.scopeChanged) {
    if (dryRun) return { kind: 'planOnly', of: 'pushThenPull', push: direction !== 'pull' };
    return { kind: 'rescope', push: direction !== 'pull', pull: direction !== 'push' };
  }
  // Pushing only needs the remote versions of the rows changed locally (to find conflicts).
  if (mode === 'incremental') return { kind: 'changes', direction, scope: direction === 'push' ? 'localChanges' : 'all', probe: note === undefined, note };
  if (dryRun) return { kind: 'planOnly', of: 'pushThenPull', push: direction !== 'pull' };
  if (direction === 'pull') return { kind: 'fullPull', note };
  return { kind: 'pushThenPull', pull: direction === 'both', note };
}
