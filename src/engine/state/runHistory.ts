import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import { STATUS_TABLE } from './internalNames.js';
import type { RunRecord, SyncResult } from '../api.js';

const T = quoteIdent(STATUS_TABLE);

/** Records the start of a run in dewey_sync_status; a run left 'running' was interrupted. */
export async function startRun(db: Database, mode: string, direction: string): Promise<string> {
  const runId = randomUUID();
  await db.run(`INSERT INTO ${T} (run_id, started_at, mode, direction, status, pid) VALUES ($1, now(), $2, $3, 'running', $4)`, [
    runId,
    mode,
    direction,
    process.pid,
  ]);
  return runId;
}

export async function finishRun(db: Database, runId: string, result: SyncResult, error?: string): Promise<void> {
  const sum = (f: 'rowsPulled' | 'rowsPushed' | 'rowsDeleted' | 'conflicts'): number => result.tables.reduce((n, t) => n + t[f], 0);
  const failed = result.tables.filter((t) => t.status === 'error');
  await db.run(
    `UPDATE ${T} SET finished_at = now(), status = $2, tables_total = $3, tables_failed = $4, rows_pulled = $5, rows_pushed = $6,
       rows_deleted = $7, conflicts = $8, error_message = $9, remote_round_trips = $10 WHERE run_id = $1`,
    [
      runId,
      result.ok ? 'ok' : 'error',
      result.tables.length,
      failed.length,
      sum('rowsPulled'),
      sum('rowsPushed'),
      sum('rowsDeleted'),
      sum('conflicts'),
      error ?? (failed.length ? failed.map((t) => `${t.name}: ${t.error ?? 'failed'}`).join('; ') : null),
      result.remoteRoundTrips,
    ],
  );
}

/** The most recent runs, newest first. A 'running' run whose process is gone shows as 'interrupted'. */
export async function recentRuns(db: Database, limit: number): Promise<RunRecord[]> {
  const rows = await db.all(`SELECT * FROM ${T} ORDER BY started_at DESC LIMIT $1`, [limit]);
  return rows.map((r) => ({
    runId: r.run_id as string,
    startedAt: r.started_at as Date,
    finishedAt: (r.finished_at as Date | null) ?? null,
    mode: r.mode as string,
    direction: r.direction as string,
    status: r.status === 'running' && !processAlive(Number(r.pid)) ? 'interrupted' : (r.status as string),
    tablesTotal: r.tables_total === null ? null : Number(r.tables_total),
    tablesFailed: r.tables_failed === null ? null : Number(r.tables_failed),
    rowsPulled: r.rows_pulled === null ? null : Number(r.rows_pulled),
    remoteRoundTrips: r.remote_round_trips === null || r.remote_round_trips === undefined ? null : Number(r.remote_round_trips),
    errorMessage: (r.error_message as string | null) ?? null,
  }));
}

function processAlive(pid: number): boolean {
  if (!pid || pid === process.pid) return pid === process.pid;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
