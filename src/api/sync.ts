import type { SyncMode } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { discoverTables } from '../engine/discoverTables.js';
import { fullSync, planFullSync } from '../engine/fullSync.js';
import type { PullProgress } from '../engine/pullFull.js';
import type { SyncResult } from '../engine/result.js';
import { finishRun, startRun } from '../engine/runHistory.js';
import { ensureStateTables } from '../engine/stateTables.js';
import { silentLogger } from '../log/logger.js';
import { resolveConfig, withDatabase, type CommonOptions } from './commonOptions.js';

export interface SyncOptions extends CommonOptions {
  /** Only these tables (local names). */
  tables?: string[] | undefined;
  /** Not these tables. */
  excludeTables?: string[] | undefined;
  mode?: SyncMode | undefined;
  /** Report what would happen; change nothing on either side. */
  dryRun?: boolean | undefined;
  onProgress?: ((p: PullProgress) => void) | undefined;
  /** Stops before the next table when aborted (the table in progress finishes or rolls back). */
  signal?: AbortSignal | undefined;
}

/**
 * Syncs the local database with the remote. Returns a result per table; throws only for problems
 * found before any work (configuration, unknown tables, missing files, locks that did not clear).
 */
export async function sync(options: SyncOptions = {}): Promise<SyncResult> {
  const config = resolveConfig(options);
  const logger = options.logger ?? silentLogger;
  const mode = options.mode ?? config.mode;
  if (mode === 'incremental') {
    throw new UsageError('incremental sync is not available yet in this version of duckdb-sync', 'use --mode full (the default)');
  }
  const started = performance.now();
  return withDatabase(config, logger, { localMayBeAbsent: options.dryRun === true }, async (db) => {
    const discovery = await discoverTables(db, config, { tables: options.tables, exclude: options.excludeTables });
    if (options.dryRun) {
      const tables = await planFullSync(db, discovery);
      return { ok: true, mode, direction: 'pull', dryRun: true, tables, durationMs: performance.now() - started };
    }
    await ensureStateTables(db);
    const [version] = await db.all<{ v: string }>('SELECT version() AS v');
    const runId = await startRun(db, mode, 'pull');
    logger.info(`full sync of ${discovery.pairs.length} table(s) from ${config.remote}`);
    const tables = await fullSync(db, discovery, { engineVersion: version?.v ?? 'unknown', runId, logger, onProgress: options.onProgress, signal: options.signal });
    const result: SyncResult = {
      ok: tables.every((t) => t.status !== 'error'),
      mode,
      direction: 'pull',
      dryRun: false,
      tables,
      durationMs: performance.now() - started,
    };
    await finishRun(db, runId, result);
    return result;
  });
}
