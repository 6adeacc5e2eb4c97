import type { Database } from '../db/database.js';
import { toSyncError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { qualify, quoteIdent } from '../db/quote.js';
import { canonicalRowFingerprint } from './fingerprint.js';
import type { TablePair } from './tablePair.js';
import { REMOTE_ALIAS } from '../db/remoteSpec.js';
import type { Discovery } from './discoverTables.js';
import { pullFullTable, type PullProgress } from './pullFull.js';
import { emptyTableResult, type TableResult } from './result.js';
import { writeTableFailure } from './tableMetadata.js';

export interface FullSyncOptions {
  engineVersion: string;
  runId?: string | undefined;
  logger: Logger;
  onProgress?: ((p: PullProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Full sync, remote → local: each table replaced in its own local transaction. A failing table is
 * recorded and the others go on; an abort stops before the next table.
 */
export async function fullSync(db: Database, discovery: Discovery, options: FullSyncOptions): Promise<TableResult[]> {
  const results: TableResult[] = [];
  for (const pair of discovery.pairs) {
    if (options.signal?.aborted) {
      results.push({ ...emptyTableResult(pair.name, 'error'), error: 'not started: the sync was stopped', errorCode: 'E_ABORTED' });
      continue;
    }
    const started = performance.now();
    try {
      const result = await db.withRemote(true, () =>
        pullFullTable(db, pair, discovery.localTables.get(pair.name), { engineVersion: options.engineVersion, runId: options.runId, onProgress: options.onProgress }),
      );
      for (const w of result.warnings ?? []) options.logger.warn(`${pair.name}: ${w}`);
      const seconds = (performance.now() - started) / 1000;
      options.logger.info(`${pair.name}: pulled ${result.rowsPulled} rows in ${seconds.toFixed(1)} s`, { deleted: result.rowsDeleted || undefined });
      results.push(result);
    } catch (error) {
      const e = toSyncError(error);
      options.logger.error(`${pair.name}: ${e.message}`);
      await writeTableFailure(db, pair.name, `${pair.remote.schema}.${pair.remote.table}`, 'full', 'pull', e.message).catch((w: unknown) =>
        options.logger.warn(`${pair.name}: could not record the failure: ${toSyncError(w).message}`),
      );
      results.push({ ...emptyTableResult(pair.name, 'error'), error: e.message, errorCode: e.code });
    }
  }
  return results;
}

/** What a full sync would do, without changing anything: rows to copy, local rows the remote lacks. */
export async function planFullSync(db: Database, discovery: Discovery): Promise<TableResult[]> {
  return db.withRemote(true, async () => {
    const results: TableResult[] = [];
    for (const pair of discovery.pairs) {
      const remote = qualify(REMOTE_ALIAS, pair.remote.schema, pair.remote.table);
      const [count] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${remote}`);
      const localInfo = discovery.localTables.get(pair.name);
      const removed = localInfo ? await countLocalRowsNotOnRemote(db, pair) : 0;
      results.push({
        ...emptyTableResult(pair.name, 'planned'),
        rowsPulled: Number(count?.n ?? 0),
        rowsDeleted: removed,
        warnings: [localInfo ? 'replaces the local content' : 'creates the local table'],
      });
    }
    return results;
  });
}

/** Local rows with no equal on the remote: by key, or by canonical fingerprint as a multiset. */
async function countLocalRowsNotOnRemote(db: Database, pair: TablePair): Promise<number> {
  const local = qualify(pair.local.schema, pair.local.table);
  const remote = qualify(REMOTE_ALIAS, pair.remote.schema, pair.remote.table);
  let sql: string;
  if (pair.key.length) {
    const remoteOf = new Map(pair.columns.map((c) => [c.local, c.remote]));
    const match = pair.key.map((k) => `r.${quoteIdent(remoteOf.get(k) ?? k)} = l.${quoteIdent(k)}`).join(' AND ');
    sql = `SELECT count(*) AS n FROM ${local} l WHERE NOT EXISTS (SELECT 1 FROM ${remote} r WHERE ${match})`;
  } else {
    const fp = (side: 'local' | 'remote'): string =>
      canonicalRowFingerprint(pair.columns.map((c) => ({ name: side === 'local' ? c.local : c.remote, type: c.type })));
    sql = `SELECT coalesce(sum(greatest(l.n - coalesce(r.n, 0), 0)), 0) AS n
             FROM (SELECT ${fp('local')} AS f, count(*) AS n FROM ${local} GROUP BY f) l
             LEFT JOIN (SELECT ${fp('remote')} AS f, count(*) AS n FROM ${remote} GROUP BY f) r USING (f)`;
  }
  const [row] = await db.all<{ n: bigint }>(sql);
  return Number(row?.n ?? 0);
}
