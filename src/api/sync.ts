import type { SyncMode } from '../config/schema.js';
import { discoverTables } from '../engine/discoverTables.js';
import { schemeFor } from '../engine/fingerprintScheme.js';
import type { PullProgress } from '../engine/pullFull.js';
import type { Direction, SyncResult } from '../engine/result.js';
import { syncTables } from '../engine/syncTables.js';
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
  /** both (default): pull and push; pull: never writes the remote; push: never writes local user tables. */
  direction?: Direction | undefined;
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
  const direction = options.direction ?? 'both';
  const dryRun = options.dryRun === true;
  const started = performance.now();
  return withDatabase(config, logger, { localMayBeAbsent: dryRun }, async (db) => {
    const discovery = await discoverTables(db, config, { tables: options.tables, exclude: options.excludeTables });
    if (!dryRun) await ensureStateTables(db);
    const [version] = await db.all<{ v: string }>('SELECT version() AS v');
    const runId = dryRun ? undefined : await startRun(db, mode, direction);
    logger.info(`${dryRun ? 'planning ' : ''}${mode} sync (${direction}) of ${discovery.pairs.length} table(s) with ${config.remote}`);
    const tables = await syncTables(db, discovery, {
      mode,
      direction,
      policy: config.onConflict,
      scheme: schemeFor(db.remote),
      engineVersion: version?.v ?? 'unknown',
      runId,
      dryRun,
      logger,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    const result: SyncResult = { ok: tables.every((t) => t.status !== 'error'), mode, direction, dryRun, tables, durationMs: performance.now() - started };
    if (runId) await finishRun(db, runId, result);
    return result;
  });
}
