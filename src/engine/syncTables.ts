import type { Database } from '../db/database.js';
import { StaleRemoteError, toSyncError } from '../errors.js';
import type { Discovery } from './catalog/discoverTables.js';
import { syncTable } from './syncTable.js';
import type { SyncContext } from './syncContext.js';
import { recordUnchangedTables, writeTableFailure } from './state/tableMetadata.js';
import { probeTables } from './probeTables.js';
import { chooseSchemes } from './chooseSchemes.js';
import { countRowsInScope } from './catalog/scopeFilter.js';
import { type TableResult, emptyTableResult } from './api.js';
import { clearStaleMarkOf, readStaleMarks, withStaleGrace } from './state/staleMarks.js';

/**
 * Syncs each table pair in turn. An incremental sync that pulls probes every table's remote side
 * first (probeTables.ts): tables unchanged on both sides are recorded together and cost no further
 * work; the others are told what the probe found. A failing table is recorded (metadata status
 * 'error') and the others go on; an abort stops before the next table (the one in progress
 * finishes or rolls back). A table whose remote shows an older snapshot than its last sync saw is
 * left as it is, with a warning (a lagging replica); one that still does after STALE_GRACE_MS is
 * synced with the remote taken as it is (state/staleMarks.ts). Returns each table's result, and the
 * tables whose local content equals their baselines afterwards (settled).
 */
export async function syncTables(db: Database, discovery: Discovery, ctx: SyncContext): Promise<{ results: TableResult[]; settled: string[] }> {
  const results: TableResult[] = [];
  const settled: string[] = [];
  const schemes = await chooseSchemes(db, discovery, ctx);
  const { probes, unchanged } = await probeTables(db, discovery, ctx, schemes);
  // Tables unchanged on both sides: recorded together, no per-table work.
  if (unchanged.length && !ctx.dryRun) await db.transaction(() => recordUnchangedTables(db, unchanged, ctx.direction));
  const quiet = new Set(unchanged.map((u) => u.pair.name));
  if (quiet.size) ctx.logger.info(`${quiet.size} table(s) unchanged on both sides since the last sync`);
  const staleMarks = await readStaleMarks(db);
  for (const pair of discovery.pairs) {
    if (ctx.local.unchanged.has(pair.name)) ctx.logger.debug(`${pair.name}: not compared with its baseline (the local file is as the last sync left it)`);
    if (quiet.has(pair.name)) {
      ctx.logger.debug(`${pair.name}: unchanged on both sides`);
      if (!ctx.dryRun) settled.push(pair.name);
      await clearStaleMarkOf(db, pair.name, staleMarks, ctx.dryRun);
      results.push({ ...emptyTableResult(pair.name, ctx.dryRun ? 'planned' : 'ok'), rowsRead: 0, remoteRoundTrips: 0 });
      continue;
    }
    if (ctx.signal?.aborted) {
      results.push({ ...emptyTableResult(pair.name, 'error'), error: 'not started: the sync was stopped', errorCode: 'E_ABORTED' });
      continue;
    }
    const chosen = schemes.get(pair.name) ?? { scheme: 'engine' };
    if (chosen.blocked) {
      ctx.logger.warn(`${pair.name}: ${chosen.blocked}`);
      results.push({ ...emptyTableResult(pair.name, 'planned'), warnings: [chosen.blocked] });
      continue;
    }
    const started = performance.now();
    const roundTrips = db.remoteStatements;
    try {
      // Its baseline could not be given the fingerprints the server's hashes call for (chooseSchemes.ts).
      if (chosen.failed) throw chosen.failed;
      // Every step is idempotent, so a table whose remote could not be reached (a network error) is
      // synced again from the start, the remote attached anew.
      // A table that runs out of an `auto` memory limit is synced again with DuckDB's own (memoryLimit.ts).
      // A table that finds an older snapshot than its last sync saw waits, then is taken as reset (staleMarks.ts).
      const { value: outcome, reset } = await withStaleGrace(db, pair.name, staleMarks, ctx.dryRun, () =>
        db.memory.withHeadroom(pair.name, () =>
          db.retryingRemote(pair.name, () => syncTable(db, ctx, pair, discovery.localTables.get(pair.name), { scheme: chosen.scheme, probe: probes.get(pair.name) })),
        ),
      );
      if (outcome.settled) settled.push(pair.name);
      const synced = outcome.result;
      const notes = [...(chosen.note ? [chosen.note] : []), ...(reset ? [reset] : [])];
      const result = notes.length ? { ...synced, warnings: [...notes, ...(synced.warnings ?? [])] } : synced;
      for (const w of result.warnings ?? []) ctx.logger.warn(`${pair.name}: ${w}`);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      ctx.logger.info(
        `${pair.name}: ${result.status === 'planned' ? 'would pull' : 'pulled'} ${result.rowsPulled}, pushed ${result.rowsPushed}, deleted ${result.rowsDeleted}, conflicts ${result.conflicts} in ${seconds} s`,
        { rowsRead: result.rowsRead, remoteRoundTrips: db.remoteStatements - roundTrips },
      );
      results.push({ ...result, remoteRoundTrips: db.remoteStatements - roundTrips });
    } catch (error) {
      if (error instanceof StaleRemoteError) {
        // Left as it is, not failed: a later sync reads a fresher snapshot.
        ctx.logger.warn(`${error.message} (${error.hint})`);
        results.push({ ...emptyTableResult(pair.name, ctx.dryRun ? 'planned' : 'ok'), warnings: [`${error.message}; ${error.hint}`], remoteRoundTrips: db.remoteStatements - roundTrips });
        continue;
      }
      const e = toSyncError(error);
      ctx.logger.error(`${pair.name}: ${e.message}`);
      if (!ctx.dryRun) {
        await writeTableFailure(db, pair.name, `${pair.remote.schema}.${pair.remote.table}`, ctx.mode, ctx.direction, e.message).catch((w: unknown) =>
          ctx.logger.warn(`${pair.name}: could not record the failure: ${toSyncError(w).message}`),
        );
      }
      results.push({ ...emptyTableResult(pair.name, 'error'), error: e.message, errorCode: e.code, remoteRoundTrips: db.remoteStatements - roundTrips });
    }
  }
  // Partial replicas: their filter, and the local rows in its scope now.
  for (const [i, r] of results.entries()) {
    const pair = discovery.pairs.find((p) => p.name === r.name);
    if (!pair?.scope || r.status === 'error' || !(await db.localTableExists(pair.local.schema, pair.local.table))) continue;
    results[i] = { ...r, where: pair.scope.where, rowsInScope: await countRowsInScope(db, pair, pair.scope) };
  }
  return { results, settled };
}
