import { ReadOnlyRemoteError } from '../errors.js';
import { configExcluded, type ResolvedConfig } from '../config/resolvedConfig.js';
import type { SyncMode } from '../config/schema.js';
import type { Database } from '../db/database.js';
import { discoverTables } from '../engine/catalog/discoverTables.js';
import { syncObjects, type ObjectSyncOptions } from '../engine/objects/syncObjects.js';
import { clearDirtyMarks, markedPairs, readDirtyMarks, settledMarks, type DirtyMark } from '../engine/state/dirtyMarks.js';
import { syncTables } from '../engine/syncTables.js';
import { NOTHING_KNOWN, type LocalKnowledge, type SyncContext } from '../engine/syncContext.js';
import { finishRun, startRun } from '../engine/state/runHistory.js';
import { purgeResolvedConflicts } from '../engine/state/conflictLog.js';
import { SettledStore } from '../engine/state/settledStore.js';
import { StampReader } from '../db/fileStamp.js';
import { ensureStateTables } from '../engine/state/stateTables.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { WrittenKeys } from '../engine/compare/localDelta.js';
import { resolveConfig, withDatabase, type CommonOptions } from './session.js';
import type { PullProgress, Direction, SyncResult } from '../engine/api.js';

/** What to sync and how, once the databases are open. */
export interface SyncRunOptions {
  /** Only these tables (local names). */
  tables?: string[] | undefined;
  /** Not these tables. */
  excludeTables?: string[] | undefined;
  mode?: SyncMode | undefined;
  /** both (default): pull and push; pull: never writes the remote; push: never writes local user tables. */
  direction?: Direction | undefined;
  /** Report what would happen; change nothing on either side. */
  dryRun?: boolean | undefined;
  onProgress?: ((p: PullProgress) => void) | undefined;
  /** Stops before the next table when aborted (the table in progress finishes or rolls back). */
  signal?: AbortSignal | undefined;
  /** Only the tables marked dirty by writes through the library or `exec` (none marked: nothing to do). */
  onlyDirty?: boolean | undefined;
}

export interface SyncOptions extends CommonOptions, SyncRunOptions {
  /**
   * Fail at once with a LockError (`E_LOCKED`) when another process holds the local file, instead
   * of retrying `maxRetries` times (a caller that waits for the file itself: `daemon --watch`). A
   * held file remote is still retried.
   */
  failIfLocalHeld?: boolean | undefined;
  /**
   * Compare every local table with its baseline, even when the local file is exactly as the last
   * sync left it (by default such tables are known to have no local change and are not compared).
   */
  compareAll?: boolean | undefined;
}

/** What a sync knows about local tables before comparing them. */
export interface LocalTracking {
  /** Tables known to equal their baselines (the file is as the last sync left it). */
  localUnchanged: ReadonlySet<string>;
  /**
   * Called once, right after the dirty marks are read (before anything is compared); returns the
   * tables known to equal their baselines but at the keys given, by lower-case name
   * (tracking/keyedWrites.ts). Every write whose mark this sync reads has told its keys by then
   * (a write tells them before its mark commits).
   */
  marksRead?: () => ReadonlyMap<string, WrittenKeys>;
}

/** A sync's result, and what it learnt of the local tables for the next one. */
export interface SyncRun {
  result: SyncResult;
  /** Tables whose local content equals their baselines after this sync (none after a dry run). */
  settled: ReadonlySet<string>;
}

/**
 * Syncs the local database with the remote. Returns a result per table; throws only for problems
 * found before any work (configuration, unknown tables, missing files, locks that did not clear).
 */
export async function sync(options: SyncOptions = {}): Promise<SyncResult> {
  const config = resolveConfig(options);
  const logger = options.logger ?? silentLogger;
  if (options.dryRun) {
    const run = await withDatabase(config, logger, { localMayBeAbsent: true, fingerprints: options.fingerprints }, (db) => runSync(db, config, logger, options));
    return run.result;
  }
  const store = new SettledStore(config.cacheDir, logger);
  // Read with the file open (no other process can write it until it is closed), and closed after it.
  const stamps = new StampReader(config.local);
  try {
    return await withDatabase(config, logger, { fingerprints: options.fingerprints, failIfLocalHeld: options.failIfLocalHeld }, (db) => syncAndRecord(db, config, logger, options, store, stamps));
  } finally {
    stamps.close();
  }
}

/** A sync on the open databases, then the settled tables recorded with the file's stamp. */
async function syncAndRecord(db: Database, config: ResolvedConfig, logger: Logger, options: SyncOptions, store: SettledStore, stamps: StampReader): Promise<SyncResult> {
  const localUnchanged = options.compareAll ? new Set<string>() : store.unchangedTables(config.local, stamps.read());
  const { result, settled } = await runSync(db, config, logger, options, { localUnchanged });
  // Tables this run did not sync are as they were: still settled if they were before.
  const synced = new Set(result.tables.map((t) => t.name));
  const stillSettled = [...settled, ...[...localUnchanged].filter((name) => !synced.has(name))];
  // Only a shortcut for the next sync: a checkpoint that cannot run now is left to the close.
  const checkpointed = await db.checkpoint().then(
    () => true,
    (error: unknown) => {
      logger.debug(`checkpoint before recording the local file's stamp failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
  );
  if (checkpointed) store.record(config.local, stillSettled, stamps.read());
  return result;
}

/** The settings of one run, resolved once from the options and the config. */
interface RunSettings {
  mode: SyncMode;
  direction: Direction;
  dryRun: boolean;
}

/** The sync itself, on databases opened by the caller (`sync()`, or a synced database's pusher). */
export async function runSync(db: Database, config: ResolvedConfig, logger: Logger, options: SyncRunOptions, tracking?: LocalTracking): Promise<SyncRun> {
  const settings: RunSettings = { mode: options.mode ?? config.mode, direction: options.direction ?? 'both', dryRun: options.dryRun === true };
  // A push to a remote that cannot be written (a share) is refused before anything is read; a
  // two-way sync pulls, and each table with something to push fails alone (Database refuses the write).
  const readOnly = db.remote.readOnly;
  if (readOnly && settings.direction === 'push' && !settings.dryRun) throw new ReadOnlyRemoteError(db.remote.uri, readOnly);
  // Marks are read before any table is compared: every write they stand for is seen by this sync.
  const marks = settings.dryRun ? [] : await readDirtyMarks(db);
  const local: LocalKnowledge = { unchanged: tracking?.localUnchanged ?? NOTHING_KNOWN.unchanged, changedKeys: tracking?.marksRead?.() ?? NOTHING_KNOWN.changedKeys };
  const roundTrips = db.remoteStatements;
  if (!options.onlyDirty) return syncWithMarks(db, config, logger, options, settings, marks, local, roundTrips);
  if (!marks.length) return { result: { ok: true, ...settings, dryRun: false, tables: [], objects: [], durationMs: 0, remoteRoundTrips: 0 }, settled: new Set() };
  // A push of the few marked tables attaches the remote once for all its steps.
  const run = await db.holdRemote(() => syncWithMarks(db, config, logger, options, settings, marks, local, roundTrips));
  // The push's round trips include releasing a file remote.
  return { ...run, result: { ...run.result, remoteRoundTrips: db.remoteStatements - roundTrips } };
}

async function syncWithMarks(
  db: Database,
  config: ResolvedConfig,
  logger: Logger,
  options: SyncRunOptions,
  { mode, direction, dryRun }: RunSettings,
  marks: DirtyMark[],
  local: LocalKnowledge,
  roundTripsBefore: number,
): Promise<SyncRun> {
  const started = performance.now();
  // Objects follow whole-database syncs; a library push or a sync of named tables is about rows.
  const withObjects = !options.onlyDirty && !options.tables?.length;
  const found = await db.retryingRemote('finding tables', () => discoverTables(db, config, { tables: options.tables, exclude: options.excludeTables }, { objects: withObjects }));
  const discovery = options.onlyDirty ? { ...found, pairs: markedPairs(found.pairs, marks) } : found;
  if (!dryRun) await ensureStateTables(db);
  const [version] = await db.all<{ v: string }>('SELECT version() AS v');
  // Library pushes (as often as every second) are not run records: their outcome is in the table metadata.
  const runId = dryRun || options.onlyDirty ? undefined : await startRun(db, mode, direction);
  logger.info(`${dryRun ? 'planning ' : ''}${mode} sync (${direction}) of ${discovery.pairs.length} table(s) with ${config.remote}`);
  const ctx: SyncContext = {
    mode,
    direction,
    policy: config.onConflict,
    dryRun,
    engineVersion: version?.v ?? 'unknown',
    runId,
    transactionRows: config.maxTransactionRows ?? db.remote.defaultTransactionRows,
    fingerprints: db.remote.fingerprints,
    logger,
    signal: options.signal,
    onProgress: options.onProgress,
    local,
  };
  const { tables: synced, objects } = withObjects
    ? await syncObjects(db, discovery, { rules: objectRules(config, options, direction, db.remote.readOnly !== undefined), dryRun, logger }, () => syncTables(db, discovery, ctx))
    : { tables: await syncTables(db, discovery, ctx), objects: [] };
  const tables = synced.results;
  const result: SyncResult = {
    ok: tables.every((t) => t.status !== 'error') && objects.every((o) => o.status !== 'error'),
    mode,
    direction,
    dryRun,
    tables,
    objects,
    durationMs: performance.now() - started,
    remoteRoundTrips: db.remoteStatements - roundTripsBefore,
  };
  if (runId) await finishRun(db, runId, result);
  const kept = tables.reduce((n, t) => n + t.conflicts, 0);
  if (kept && !dryRun) logger.info(`kept ${kept} conflict(s): the losing versions are listed by \`duckdb-sync conflicts\`, which can restore them`);
  // Records dealt with (restored, dismissed) are purged after the retention period.
  if (runId) await purgeResolvedConflicts(db, config.conflictRetentionDays);
  if (marks.length && direction !== 'pull') {
    const selected = Boolean(options.tables?.length || options.excludeTables?.length);
    const coveredAll = !selected && discovery.pairs.length === found.pairs.length;
    // Without a selection, marks of tables outside the configured set (excluded, temporary…) settle too.
    const known = [...found.pairs.map((p) => p.name), ...(selected ? found.localTables.keys() : [])];
    await clearDirtyMarks(db, settledMarks(marks, tables, known, coveredAll));
  }
  return { result, settled: new Set(synced.settled) };
}

/** Which objects a sync may write on each side, and which the config pushes or leaves out. */
function objectRules(config: ResolvedConfig, options: SyncRunOptions, direction: Direction, readOnlyRemote: boolean): ObjectSyncOptions['rules'] {
  const excluded = new Set([...configExcluded(config), ...(options.excludeTables ?? [])]);
  const pushed = config.pushObjects;
  return {
    pull: direction !== 'push',
    push: direction !== 'pull' && !readOnlyRemote,
    pushes: (name) => pushed === true || (Array.isArray(pushed) && pushed.includes(name)),
    excluded: (name) => excluded.has(name),
  };
}
