import type { Database } from '../db/database.js';
import { toSyncError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Discovery } from './catalog/discoverTables.js';
import { emptyTableResult, type TableResult } from './result.js';
import { syncTable, type TableSyncContext } from './syncTable.js';
import { readTableMetadata, writeTableFailure } from './state/tableMetadata.js';
import { usableBaseline } from './state/baseline.js';
import { cursorState } from './catalog/cursor.js';
import { probeRemote, type ProbeOutcome, type ProbeTarget } from './compare/remoteProbe.js';

export interface SyncTablesOptions extends TableSyncContext {
  logger: Logger;
  signal?: AbortSignal | undefined;
}

/**
 * Syncs each table pair in turn. A failing table is recorded (metadata status 'error') and the
 * others go on; an abort stops before the next table (the one in progress finishes or rolls back).
 */
export async function syncTables(db: Database, discovery: Discovery, options: SyncTablesOptions): Promise<TableResult[]> {
  const results: TableResult[] = [];
  const remoteProbes = await probeTables(db, discovery, options);
  options = { ...options, remoteProbes };
  for (const pair of discovery.pairs) {
    if (options.signal?.aborted) {
      results.push({ ...emptyTableResult(pair.name, 'error'), error: 'not started: the sync was stopped', errorCode: 'E_ABORTED' });
      continue;
    }
    const started = performance.now();
    const roundTrips = db.remoteStatements;
    if (options.localUnchanged?.has(pair.name)) options.logger.debug(`${pair.name}: not compared with its baseline (the local file is as the last sync left it)`);
    try {
      // Every step is idempotent, so a table whose remote could not be reached (a network error) is
      // synced again from the start, the remote attached anew.
      const result = await db.retryingRemote(pair.name, () => syncTable(db, pair, discovery.localTables.get(pair.name), options));
      for (const w of result.warnings ?? []) options.logger.warn(`${pair.name}: ${w}`);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      options.logger.info(
        `${pair.name}: ${result.status === 'planned' ? 'would pull' : 'pulled'} ${result.rowsPulled}, pushed ${result.rowsPushed}, deleted ${result.rowsDeleted}, conflicts ${result.conflicts} in ${seconds} s`,
        { rowsRead: result.rowsRead, remoteRoundTrips: db.remoteStatements - roundTrips },
      );
      results.push({ ...result, remoteRoundTrips: db.remoteStatements - roundTrips });
    } catch (error) {
      options.settled?.delete(pair.name);
      const e = toSyncError(error);
      options.logger.error(`${pair.name}: ${e.message}`);
      if (!options.dryRun) {
        await writeTableFailure(db, pair.name, `${pair.remote.schema}.${pair.remote.table}`, options.mode, options.direction, e.message).catch((w: unknown) =>
          options.logger.warn(`${pair.name}: could not record the failure: ${toSyncError(w).message}`),
        );
      }
      results.push({ ...emptyTableResult(pair.name, 'error'), error: e.message, errorCode: e.code, remoteRoundTrips: db.remoteStatements - roundTrips });
    }
  }
  return results;
}

/**
 * Before an incremental sync that pulls: which tables' remote side changed since their baselines,
 * all tables in one round trip (remoteProbe.ts). A probe that fails is not fatal: each table is
 * then compared on its own, as without it.
 */
async function probeTables(db: Database, discovery: Discovery, options: SyncTablesOptions): Promise<Map<string, ProbeOutcome>> {
  if (options.mode !== 'incremental' || options.direction === 'push') return new Map();
  const metadata = new Map((await readTableMetadata(db)).map((m) => [m.tableName, m]));
  const targets: ProbeTarget[] = [];
  for (const pair of discovery.pairs) {
    const meta = metadata.get(pair.name);
    if (pair.localOnly || !discovery.localTables.has(pair.name)) continue;
    const baselineTable = await usableBaseline(db, pair, options.scheme, meta, options.engineVersion);
    if (baselineTable) targets.push({ pair, baselineTable, cursor: cursorState(pair, meta) });
  }
  if (!targets.length) return new Map();
  try {
    const probes = await db.retryingRemote('comparing the remote with the baselines', () => db.withRemote(true, () => probeRemote(db, targets, options.scheme)));
    const changed = [...probes].filter(([, p]) => !p.unchanged).map(([name]) => name);
    options.logger.debug(`remote probe: ${probes.size} table(s) probed, changed on the remote: ${changed.length ? changed.join(', ') : 'none'}`);
    return probes;
  } catch (error) {
    options.logger.debug(`remote probe failed, each table is compared on its own: ${toSyncError(error).message}`);
    return new Map();
  }
}
