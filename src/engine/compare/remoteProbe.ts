import type { Database } from '../../db/database.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import { cursorProbe, type CursorState } from '../catalog/cursor.js';
import { type TablePair, remoteRows } from '../catalog/tablePair.js';
import { baselineRowFp, combineFps, rowFp } from '../rows/fingerprintScheme.js';
import { TEMP } from '../rows/tempTables.js';
import { baselineRef } from '../state/baseline.js';
import { changeLogFilter, changeLogListed, changeLogSeqSql } from '../state/remote/changeLog.js';
import { ownLoggedRef } from '../state/ownLogged.js';
import { isStale } from './staleSnapshot.js';

/** A table an incremental sync is about to compare with its baseline. */
export interface ProbeTarget {
  pair: TablePair;
  baselineTable: string;
  cursor: CursorState | undefined;
  /** How the table's fingerprints compare across the sides this run (chooseSchemes.ts). */
  scheme: FingerprintScheme;
  /** The newest change-log sequence number the table's last sync saw (null: none). */
  seenLogSeq: number | null;
}

/** What one probe found out about a table's remote side. */
export interface ProbeOutcome {
  /** The remote equals the baseline, as far as the table's incremental sync would look. */
  unchanged: boolean;
  /** The remote's row count when probed. */
  remoteCount: number;
  /** The remote change log's newest sequence number (null: no log). */
  logSeq: number | null;
}

/**
 * Whether each table's remote side changed since its baseline, for every table at once: one
 * statement (one round trip) whatever the number of tables, so that a sync where nothing changed
 * costs a few round trips in all instead of several per table (issue 14). Per table it reads
 * - the row count, and the newest change-log sequence number (state/remote/changeLog.ts);
 * - with a cursor column: how many rows moved past the watermark (counted in the scan of the cursor
 *   column alone: issue 22), and the fingerprints of the rows a sync would read again though they
 *   may be unchanged (the lag window before the watermark, NULL cursors, rows logged since the last
 *   sequence number seen); unchanged when no row moved past, each fingerprint is a baseline row's
 *   and the count is the baseline's;
 * - without one: one summary of every row's fingerprint (combineFps), compared with the baseline's.
 * A table whose change log is behind the sequence number its last sync saw is an older snapshot
 * (staleSnapshot.ts): never unchanged, so that its own sync refuses it.
 * The remote must be attached. Tables whose cursor has no watermark yet are not probed (absent from
 * the result): their sync reads everything anyway. The answer is a snapshot: a table found
 * unchanged is not read again in this run (a later remote change is found by the next run), and
 * the rows a push sends are always compared with their remote versions in the push's transaction.
 */
export async function probeRemote(db: Database, targets: ProbeTarget[]): Promise<Map<string, ProbeOutcome>> {
  // A cursor table needs to know whether its change log exists (the last discovery's listing).
  const probed = targets.filter((t) => !t.cursor || (t.cursor.watermark !== null && changeLogListed(db, t.pair) !== undefined));
  const outcomes = new Map<string, ProbeOutcome>();
  if (!probed.length) return outcomes;
  const params: string[] = [];
  const param = (value: string): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const parts: string[] = [];
  // Tables whose change log exists; with a cursor, this local's own entries in it (state/ownLogged.ts).
  const hasLog = probed.map(({ pair }) => changeLogListed(db, pair) === true);
  const ownLogged = await Promise.all(probed.map(({ baselineTable, cursor }, i) => (hasLog[i] && cursor ? ownLoggedRef(db, baselineTable) : undefined)));
  probed.forEach(({ pair, cursor, scheme }, i) => {
    const remote = remoteRows(db, pair);
    const fp = rowFp(pair, 'remote', scheme, 'r');
    const summary = cursor ? 'CAST(NULL AS HUGEINT)' : `CAST(${combineFps(pair, scheme, fp)} AS HUGEINT)`;
    const seq = hasLog[i] ? changeLogSeqSql(db, pair) : 'CAST(NULL AS BIGINT)';
    const probe = cursor ? cursorProbe(cursor, 'r', param(cursor.watermark ?? '')) : null;
    // Rows whose cursor moved past the watermark are counted, not read: one of them is enough to sync the table.
    const past = probe ? `(SELECT count(*) FROM ${remote} r WHERE ${probe.past})` : 'CAST(0 AS BIGINT)';
    parts.push(`SELECT ${i} AS t, (SELECT count(*) FROM ${remote}) AS n, ${summary} AS s, ${seq} AS seq, ${past} AS m, CAST(NULL AS UBIGINT) AS fp${cursor ? '' : ` FROM ${remote} r`}`);
    if (probe && cursor) {
      // The rows a sync would read again though they may be unchanged (the lag window, NULL cursors),
      // and, in a statement of their own so that the cursor's range stays pushed into the scan, the
      // rows other clients' pushes logged since the last sequence number seen.
      parts.push(`SELECT ${i}, NULL, NULL, NULL, NULL, ${fp} FROM ${remote} r WHERE ${probe.window}`);
      if (hasLog[i] && cursor) parts.push(`SELECT ${i}, NULL, NULL, NULL, NULL, ${fp} FROM ${remote} r WHERE ${changeLogFilter(db, pair, 'r', `CAST(${param(String(cursor.logSeq ?? 0))} AS BIGINT)`, ownLogged[i])}`);
    }
  });
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.probe} AS ${parts.join('\nUNION ALL\n')}`, params);

  // Locally, all tables in one statement: per table the count and summary against the baseline's;
  // every fingerprint the cursor showed must be a baseline row's (looked up from the few rows shown:
  // the baseline is scanned, not joined).
  const compared = probed.map(({ pair, baselineTable, cursor, scheme }, i) => {
    const baseline = baselineRef(baselineTable);
    const f = baselineRowFp(scheme);
    const keyless = pair.key.length === 0;
    const baselineSummary = cursor ? 'NULL' : keyless ? combineFps(pair, scheme, f, 'n') : combineFps(pair, scheme, f);
    return `SELECT ${i} AS t, s.n = coalesce(b.n, 0) AND s.m = 0 AND s.s IS NOT DISTINCT FROM b.s
                 AND (SELECT count(DISTINCT fp) FROM ${TEMP.probe} WHERE t = ${i})
                   = (SELECT count(DISTINCT ${f}) FROM ${baseline} WHERE ${f} IN (SELECT fp FROM ${TEMP.probe} WHERE t = ${i} AND fp IS NOT NULL)) AS same,
                 s.n, s.seq
              FROM (SELECT * FROM ${TEMP.probe} WHERE t = ${i} AND fp IS NULL) s,
                   (SELECT ${keyless ? 'sum(n)' : 'count(*)'} AS n, CAST(${baselineSummary} AS HUGEINT) AS s FROM ${baseline}) b`;
  });
  const rows = await db.all<{ t: number; same: boolean; n: bigint; seq: bigint | null }>(compared.join('\nUNION ALL\n'));
  for (const row of rows) {
    const target = probed[row.t];
    if (!target) continue;
    const logSeq = row.seq === null ? null : Number(row.seq);
    outcomes.set(target.pair.name, { unchanged: row.same === true && !isStale(target.seenLogSeq, logSeq), remoteCount: Number(row.n), logSeq });
  }
  return outcomes;
}
