import type { Database } from '../db/database.js';
import { quoteIdent } from '../duckdb/quote.js';
import { toSyncError } from '../errors.js';
import type { TableInfo } from './catalog/catalog.js';
import { canonicalRowFingerprint } from './rows/fingerprint.js';
import { type TablePair, localRef, remoteRows, localRowsInScope } from './catalog/tablePair.js';
import type { VerifyTableResult } from './api.js';

const BUCKETS = 256;
const SAMPLE = 5;

/**
 * Compares one table pair's content: row counts and canonical fingerprints (comparable across
 * DuckDB versions), bucketed by key so that only rows in differing buckets are compared one by one.
 * The remote must be attached; only temporary tables are written.
 */
export async function verifyTable(db: Database, pair: TablePair, localInfo: TableInfo | undefined): Promise<VerifyTableResult> {
  const result: VerifyTableResult = { name: pair.name, status: 'identical', localRows: 0, remoteRows: 0, onlyLocal: 0, onlyRemote: 0, changed: 0, sample: [] };
  try {
    if (pair.localOnly) return { ...result, status: 'missing', localRows: await count(db, localRef(db, pair)), detail: 'the table does not exist on the remote' };
    const remote = remoteRows(db, pair);
    result.remoteRows = await count(db, remote);
    if (!localInfo) return { ...result, status: 'missing', detail: 'the table does not exist locally' };
    // A partial replica: the rows in its scope on both sides (the local table may hold more: local writes not pushed).
    const local = localRowsInScope(db, pair);
    result.localRows = await count(db, local);
    const localCols = new Set(localInfo.columns.map((c) => c.name));
    const missing = pair.columns.filter((c) => !localCols.has(c.local)).map((c) => c.local);
    if (missing.length) return { ...result, status: 'different', detail: `local table lacks columns: ${missing.join(', ')}` };

    await summarize(db, pair, 'local', local);
    await summarize(db, pair, 'remote', remote);
    const [diff] = await db.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM verify_local_sum l FULL JOIN verify_remote_sum r USING (b) WHERE l.n IS DISTINCT FROM r.n OR l.s IS DISTINCT FROM r.s`,
    );
    const scoped = pair.scope ? `compared the rows in scope (where ${pair.scope.where})` : undefined;
    if (!diff || diff.n === 0n) return scoped ? { ...result, detail: scoped } : result;
    await compareRows(db, pair, result);
    result.status = 'different';
    result.detail = [scoped, describe(result)].filter(Boolean).join('; ');
    return result;
  } catch (error) {
    return { ...result, status: 'error', error: toSyncError(error).message };
  } finally {
    for (const t of ['verify_local_sum', 'verify_remote_sum', 'verify_local_rows', 'verify_remote_rows']) {
      await db.run(`DROP TABLE IF EXISTS temp.${t}`).catch(() => undefined);
    }
  }
}

async function count(db: Database, table: string): Promise<number> {
  const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(row?.n ?? 0);
}

/** Per row: bucket, key fingerprint (or row fingerprint for keyless tables), row fingerprint, key JSON. */
function rowsQuery(pair: TablePair, side: 'local' | 'remote', table: string): string {
  const col = (c: { local: string; remote: string }): string => (side === 'local' ? c.local : c.remote);
  const fp = canonicalRowFingerprint(pair.columns.map((c) => ({ name: col(c), type: c.type })));
  if (!pair.key.length) return `SELECT ${fp} AS f, ${fp} AS kf, NULL::VARCHAR AS k FROM ${table}`;
  const keyCols = pair.key.map((k) => pair.columns.find((c) => c.local === k) ?? { local: k, remote: k, type: 'VARCHAR' });
  const kf = canonicalRowFingerprint(keyCols.map((c) => ({ name: col(c), type: c.type })));
  const keyJson = `CAST(to_json(struct_pack(${keyCols.map((c) => `${quoteIdent(c.local)} := ${quoteIdent(col(c))}`).join(', ')})) AS VARCHAR)`;
  return `SELECT ${fp} AS f, ${kf} AS kf, ${keyJson} AS k FROM ${table}`;
}

async function summarize(db: Database, pair: TablePair, side: 'local' | 'remote', table: string): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE verify_${side}_sum AS
       SELECT kf % ${BUCKETS} AS b, count(*) AS n, sum(f) AS s FROM (${rowsQuery(pair, side, table)}) GROUP BY b`,
  );
}

async function compareRows(db: Database, pair: TablePair, result: VerifyTableResult): Promise<void> {
  const differing = `SELECT b FROM verify_local_sum l FULL JOIN verify_remote_sum r USING (b) WHERE l.n IS DISTINCT FROM r.n OR l.s IS DISTINCT FROM r.s`;
  for (const side of ['local', 'remote'] as const) {
    const table = side === 'local' ? localRowsInScope(db, pair) : remoteRows(db, pair);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE verify_${side}_rows AS
         SELECT kf, f, k, count(*) AS n FROM (${rowsQuery(pair, side, table)}) WHERE kf % ${BUCKETS} IN (${differing}) GROUP BY ALL`,
    );
  }
  if (pair.key.length) {
    const [row] = await db.all<{ only_local: bigint; only_remote: bigint; changed: bigint }>(
      `SELECT count(*) FILTER (WHERE r.kf IS NULL) AS only_local, count(*) FILTER (WHERE l.kf IS NULL) AS only_remote,
              count(*) FILTER (WHERE l.kf IS NOT NULL AND r.kf IS NOT NULL AND l.f <> r.f) AS changed
         FROM verify_local_rows l FULL JOIN verify_remote_rows r ON l.kf = r.kf AND l.k = r.k`,
    );
    result.onlyLocal = Number(row?.only_local ?? 0);
    result.onlyRemote = Number(row?.only_remote ?? 0);
    result.changed = Number(row?.changed ?? 0);
    const sample = await db.all<{ k: string }>(
      `SELECT coalesce(l.k, r.k) AS k FROM verify_local_rows l FULL JOIN verify_remote_rows r ON l.kf = r.kf AND l.k = r.k
        WHERE l.kf IS NULL OR r.kf IS NULL OR l.f <> r.f ORDER BY k LIMIT ${SAMPLE}`,
    );
    result.sample = sample.map((s) => s.k);
  } else {
    const [row] = await db.all<{ only_local: bigint; only_remote: bigint }>(
      `SELECT coalesce(sum(greatest(coalesce(l.n, 0) - coalesce(r.n, 0), 0)), 0) AS only_local,
              coalesce(sum(greatest(coalesce(r.n, 0) - coalesce(l.n, 0), 0)), 0) AS only_remote
         FROM verify_local_rows l FULL JOIN verify_remote_rows r USING (f)`,
    );
    result.onlyLocal = Number(row?.only_local ?? 0);
    result.onlyRemote = Number(row?.only_remote ?? 0);
  }
}

function describe(r: VerifyTableResult): string {
  const parts: string[] = [];
  if (r.localRows !== r.remoteRows) parts.push(`${r.localRows} local rows vs ${r.remoteRows} remote rows`);
  if (r.changed) parts.push(`${r.changed} changed`);
  if (r.onlyLocal) parts.push(`${r.onlyLocal} only local`);
  if (r.onlyRemote) parts.push(`${r.onlyRemote} only remote`);
  return parts.join(', ') || 'content differs';
}
