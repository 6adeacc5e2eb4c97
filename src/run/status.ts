import { readDirtyMarks } from '../engine/state/dirtyMarks.js';
import { openConflictCounts } from '../engine/state/conflictLog.js';
import { recentRuns, type RunRecord } from '../engine/state/runHistory.js';
import { readStateVersion } from '../engine/state/stateTables.js';
import { readTableMetadata, type TableMetadata } from '../engine/state/tableMetadata.js';
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/loadConfig.js';
import { Database } from '../db/database.js';
import { DatabaseNotFoundError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import type { CommonOptions } from './session.js';

export interface StatusResult {
  local: string;
  tables: TableMetadata[];
  runs: RunRecord[];
  /** Tables written through the library or `exec` and not pushed yet (`*`: every table). */
  pending: string[];
  /** Open conflict records per table (`duckdb-sync conflicts` lists them). */
  openConflicts: Record<string, number>;
}

/** What the local database records about past syncs. Reads only the local file; the remote is not needed. */
export async function status(options: CommonOptions & { runs?: number } = {}): Promise<StatusResult> {
  const config = loadConfig({ configPath: options.config, cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env, overrides: options, requireDatabases: false });
  if (!config.local) throw new DatabaseNotFoundError('no local database given', 'pass --local <path> or set it in the config');
  if (!existsSync(config.local)) throw new DatabaseNotFoundError(`local database file does not exist: ${config.local}`, 'run `duckdb-sync sync` first');
  const db = await Database.open({
    local: config.local,
    remote: undefined,
    motherduckToken: undefined,
    readOnly: true,
    maxRetries: config.maxRetries,
    retryDelayMs: config.retryDelayMs,
    logger: options.logger ?? silentLogger,
  });
  try {
    if ((await readStateVersion(db)) === 0) return { local: config.local, tables: [], runs: [], pending: [], openConflicts: {} };
    const pending = [...new Set((await readDirtyMarks(db)).map((m) => m.table))];
    const openConflicts = Object.fromEntries(await openConflictCounts(db));
    return { local: config.local, tables: await readTableMetadata(db), runs: await recentRuns(db, options.runs ?? 5), pending, openConflicts };
  } finally {
    await db.close();
  }
}
