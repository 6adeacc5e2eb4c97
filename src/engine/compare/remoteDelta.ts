import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import type { CursorState } from '../catalog/cursor.js';
import { cursorFilter } from '../catalog/cursor.js';
import { journalExists, journalRef } from '../state/pushJournal.js';
import { changeLogFilter, currentLogSeq } from '../state/remote/changeLog.js';
import { ownLoggedRef } from '../state/ownLogged.js';
import { engineRowHash } from '../rows/fingerprint.js';
import { baselineRowFp, combineFps, internalKeyFp, rowFp, userKeyFp } from '../rows/fingerprintScheme.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import { keyInInternal, keyInUser, kList, kMatch, kMatchUser, kSelect, rowsSelect } from '../rows/keySql.js';
import { type TablePair, remoteRows } from '../catalog/tablePair.js';
import { TEMP } from '../rows/tempTables.js';
import { baselineRef } from '../state/baseline.js';
import type { ProbeOutcome } from './remoteProbe.js';
import { assertNotStale, newestSeq } from './staleSnapshot.js';

/** Rows per bucket aimed at when tables are compared by bucket summaries. */
const ROWS_PER_BUCKET = 64;

export interface RemoteDeltaResult {
  /** Rows read from the remote (fetched rows, not summaries). */
  rowsRead: number;
  /** Keys whose remote version differs from the baseline. */
  changed: number;
  /** Largest cursor value among the rows read (text), when a cursor is used. */
  maxCursor: string | null;
  /** The remote change log's newest sequence number when it was read. */
  logSeq: number | null;
}

/**
 * Remote changes since the baseline. Creates `TEMP.rrows` (changed remote rows, local column
 * names) and `TEMP.rd(k…, rh, bh)` (rh: local hash of the remote row, NULL = deleted remotely).
 *
 * With a cursor column only rows at or after the watermark (minus a lag window) are read; deletes
 * (and rows the cursor missed) are found by comparing the row count, then key-bucket summaries,
 * then keys in differing buckets. Without a cursor, row-fingerprint bucket summaries find the
 * buckets that changed and only their rows are read. The remote must be attached.
 *
 * A cursor chooses which rows are read for the pull, never which rows are compared before a push:
 * the remote versions of every key changed locally (`TEMP.ld`, and the push journal) are read by
 * key too, so a remote edit that did not move the cursor (or moved it back) meets the local edit
 * of the same row as a conflict instead of being overwritten. The cost grows with the local
 * changes, not with the table. `probe`: what the probe before the tables read of this one
 * (its count and change-log position are not read again). `seen`: the newest change-log sequence
 * number the table's last sync saw, when a snapshot older than it must be refused (a pull:
 * staleSnapshot.ts); null: not checked, but with a cursor against the cursor's own.
 */
export async function computeRemoteDelta(
  db: Database,
  pair: TablePair,
  baselineTable: string,
  scheme: FingerprintScheme,
  cursor: CursorState | undefined,
  scope: RemoteScope = 'all',
  probe?: ProbeOutcome,
  seen: number | null = null,
): Promise<RemoteDeltaResult> {
  const remote = remoteRows(db, pair);
  const baseline = baselineRef(baselineTable);
  if (scope === 'localChanges') return remoteVersionsOfLocalChanges(db, pair, remote, baseline, baselineTable);
  // The probe before the tables (remoteProbe.ts) read the count and the log's position already.
  const remoteCount = probe ? probe.remoteCount : Number((await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${remote}`))[0]?.n ?? 0);
  const buckets = Math.max(1, Math.ceil(remoteCount / ROWS_PER_BUCKET));
  const fetchRows = async (where: string, params: string[] = []): Promise<void> => {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.rrows} AS SELECT ${rowsSelect(pair)} FROM ${remote} r WHERE ${where}`, params);
  };

  let logSeq: number | null = null;
  /** Whether the rows of `TEMP.lkeys` were read into `TEMP.rrows` (whatever their cursor). */
  let lkeysRead = false;
  if (cursor) {
    // Rows whose cursor moved, and rows other duckdb-sync clients pushed since the last sync.
    const filter = cursorFilter(cursor, 'r');
    logSeq = probe ? probe.logSeq : await currentLogSeq(db, pair);
    assertNotStale(pair, newestSeq(seen, cursor.logSeq), logSeq);
    await fetchRows(filter.sql, filter.params);
    // Logged rows in a statement of their own (changeLogFilter): the cursor's range stays pushed into the scan.
    if (logSeq !== null && filter.sql !== 'true') {
      await db.run(
        `INSERT INTO ${TEMP.rrows} SELECT ${rowsSelect(pair)} FROM ${remote} r
          WHERE ${changeLogFilter(db, pair, 'r', 'CAST($1 AS BIGINT)', await ownLoggedRef(db, baselineTable))} AND NOT ${keyInUser(pair, 'remote', 'r', `(SELECT ${kSelect(pair, 'local', 'x')} FROM ${TEMP.rrows} x)`)}`,
        [String(cursor.logSeq ?? 0)],
      );
    }
    // The remote versions of the rows about to be pushed, whatever their cursor says.
    if (filter.sql !== 'true' && (await collectLocalChangeKeys(db, pair, baselineTable))) {
      await db.run(
        `INSERT INTO ${TEMP.rrows} SELECT ${rowsSelect(pair)} FROM ${remote} r
          WHERE ${keyInUser(pair, 'remote', 'r', TEMP.lkeys)} AND NOT ${keyInUser(pair, 'remote', 'r', `(SELECT ${kSelect(pair, 'local', 'x')} FROM ${TEMP.rrows} x)`)}`,
      );
      lkeysRead = true;
    }
  } else {
    // Without a cursor the log only dates the snapshot: read with the probe, or on its own when it must be checked.
    if (probe || seen !== null) {
      logSeq = probe ? probe.logSeq : await currentLogSeq(db, pair);
      assertNotStale(pair, seen, logSeq);
    }
    // Per bucket, the rows' fingerprints are combined (combineFps).
    const combine = (fp: string): string => combineFps(pair, scheme, fp);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${TEMP.rsum} AS
         SELECT ${userKeyFp(pair, 'remote', scheme, 'r')} % ${buckets} AS b, count(*) AS n, ${combine(rowFp(pair, 'remote', scheme, 'r'))} AS s
           FROM ${remote} r GROUP BY 1`,
    );
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${TEMP.bsum} AS
         SELECT ${internalKeyFp(pair, scheme, 'x')} % ${buckets} AS b, count(*) AS n, ${combine(`x.${baselineRowFp(scheme)}`)} AS s
           FROM ${baseline} x GROUP BY 1`,
    );
    await differingBuckets(TEMP.rsum, TEMP.bsum);
    await fetchRows(`${userKeyFp(pair, 'remote', scheme, 'r')} % ${buckets} IN (SELECT b FROM ${TEMP.diff})`);
  }
  const [read] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.rrows}`);
  let rowsRead = Number(read?.n ?? 0);

  const h = await rowsReadAgainstBaseline(db, pair, baseline);

  if (cursor) {
    // Rows that vanished (or that the cursor did not show): the count tells whether to look.
    const [expected] = await db.all<{ n: bigint }>(
      `SELECT (SELECT count(*) FROM ${baseline}) + (SELECT count(*) FROM ${TEMP.rd} WHERE bh IS NULL) AS n`,
    );
    if (Number(expected?.n ?? 0) !== remoteCount) {
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ${TEMP.rsum} AS
           SELECT kf % ${buckets} AS b, count(*) AS n, sum(kf) AS s FROM (SELECT ${userKeyFp(pair, 'remote', scheme, 'r')} AS kf FROM ${remote} r) GROUP BY 1`,
      );
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ${TEMP.expected} AS
           SELECT ${kList(pair)} FROM ${baseline} UNION ALL SELECT ${kList(pair)} FROM ${TEMP.rd} WHERE bh IS NULL`,
      );
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ${TEMP.bsum} AS
           SELECT kf % ${buckets} AS b, count(*) AS n, sum(kf) AS s FROM (SELECT ${internalKeyFp(pair, scheme, 'x')} AS kf FROM ${TEMP.expected} x) GROUP BY 1`,
      );
      await differingBuckets(TEMP.rsum, TEMP.bsum);
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ${TEMP.rkeys} AS
           SELECT ${kSelect(pair, 'remote', 'r')} FROM ${remote} r WHERE ${userKeyFp(pair, 'remote', scheme, 'r')} % ${buckets} IN (SELECT b FROM ${TEMP.diff})`,
      );
      rowsRead += Number((await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.rkeys}`))[0]?.n ?? 0);
      // Expected keys the remote no longer has: deleted there.
      await db.run(
        `INSERT INTO ${TEMP.rd} SELECT ${kList(pair, 'b')}, NULL, b.h FROM ${baseline} b
          WHERE ${internalKeyFp(pair, scheme, 'b')} % ${buckets} IN (SELECT b FROM ${TEMP.diff})
            AND NOT EXISTS (SELECT 1 FROM ${TEMP.rkeys} k WHERE ${kMatch(pair, 'k', 'b')})`,
      );
      // Remote keys neither in the baseline nor read through the cursor: fetch those rows too.
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ${TEMP.missed} AS SELECT * FROM ${TEMP.rkeys} k
          WHERE NOT EXISTS (SELECT 1 FROM ${TEMP.expected} e WHERE ${kMatch(pair, 'k', 'e')})`,
      );
      const missed = await db.run(
        `INSERT INTO ${TEMP.rrows} SELECT ${rowsSelect(pair)} FROM ${remote} r
          WHERE ${keyInUser(pair, 'remote', 'r', TEMP.missed)}`,
      );
      if (missed) {
        rowsRead += missed;
        await db.run(
          `INSERT INTO ${TEMP.rd} SELECT ${kSelect(pair, 'local', 't')}, ${h}, NULL FROM ${TEMP.rrows} t
            WHERE ${keyInUser(pair, 'local', 't', TEMP.missed)}`,
        );
      }
    }
    // Keys changed locally that the remote no longer has: deleted there, even if the count hid it.
    if (lkeysRead) await remoteDeletesOfLocalChanges(db, pair, baseline);
  } else {
    // Baseline keys in differing buckets that the remote no longer has: deleted there.
    await db.run(
      `INSERT INTO ${TEMP.rd} SELECT ${kList(pair, 'b')}, NULL, b.h FROM ${baseline} b
        WHERE ${internalKeyFp(pair, scheme, 'b')} % ${buckets} IN (SELECT b FROM ${TEMP.diff})
          AND NOT EXISTS (SELECT 1 FROM ${TEMP.rrows} t WHERE ${kMatchUser(pair, 'local', 't', 'b')})`,
    );
  }
  const [changed] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.rd}`);
  const maxCursor = cursor ? await maxCursorRead(db, cursor) : null;
  return { rowsRead, changed: Number(changed?.n ?? 0), maxCursor, logSeq };

  async function differingBuckets(a: string, b: string): Promise<void> {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${TEMP.diff} AS
         SELECT coalesce(x.b, y.b) AS b FROM ${a} x FULL JOIN ${b} y ON x.b = y.b
          WHERE x.n IS DISTINCT FROM y.n OR x.s IS DISTINCT FROM y.s`,
    );
  }
}

/**
 * `all`: every remote change. `localChanges`: only the remote versions of the keys changed locally
 * (`TEMP.ld`) — enough to push local changes with conflict detection when the local content is
 * replaced right after (full mode).
 */
export type RemoteScope = 'all' | 'localChanges';

async function remoteVersionsOfLocalChanges(db: Database, pair: TablePair, remote: string, baseline: string, baselineTable: string): Promise<RemoteDeltaResult> {
  await collectLocalChangeKeys(db, pair, baselineTable);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.rrows} AS SELECT ${rowsSelect(pair)} FROM ${remote} r
      WHERE ${keyInUser(pair, 'remote', 'r', TEMP.lkeys)}`,
  );
  await rowsReadAgainstBaseline(db, pair, baseline);
  await remoteDeletesOfLocalChanges(db, pair, baseline);
  const [read] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.rrows}`);
  const [changed] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.rd}`);
  return { rowsRead: Number(read?.n ?? 0), changed: Number(changed?.n ?? 0), maxCursor: null, logSeq: null };
}

/**
 * `TEMP.lkeys`: the keys changed locally (`TEMP.ld`), and those a push that was cut short
 * may have written (pushJournal.ts): a row deleted locally after such a push is in neither the
 * local table nor the baseline. Returns whether there is any.
 */
async function collectLocalChangeKeys(db: Database, pair: TablePair, baselineTable: string): Promise<boolean> {
  const journaled = (await journalExists(db, baselineTable)) ? ` UNION SELECT ${kList(pair)} FROM ${journalRef(baselineTable)}` : '';
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.lkeys} AS SELECT ${kList(pair)} FROM ${TEMP.ld}${journaled}`);
  const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.lkeys}`);
  return Number(row?.n ?? 0) > 0;
}

/**
 * Keys of `TEMP.lkeys` that the baseline has and the remote no longer has (every remote row of
 * those keys was read into `TEMP.rrows`): deleted there. Adds them to `TEMP.rd` once.
 */
async function remoteDeletesOfLocalChanges(db: Database, pair: TablePair, baseline: string): Promise<void> {
  await db.run(
    `INSERT INTO ${TEMP.rd} SELECT ${kList(pair, 'b')}, NULL, b.h FROM ${baseline} b
      WHERE ${keyInInternal(pair, 'b', TEMP.lkeys)}
        AND NOT EXISTS (SELECT 1 FROM ${TEMP.rrows} t WHERE ${kMatchUser(pair, 'local', 't', 'b')})
        AND NOT EXISTS (SELECT 1 FROM ${TEMP.rd} d WHERE ${kMatch(pair, 'd', 'b')})`,
  );
}

/**
 * `TEMP.rd` from the rows read (`TEMP.rrows`): keys whose remote version differs from the
 * baseline, or that the baseline lacks. Returns the row-hash expression over alias `t`.
 */
async function rowsReadAgainstBaseline(db: Database, pair: TablePair, baseline: string): Promise<string> {
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.rd} AS
       WITH r AS (SELECT ${kSelect(pair, 'local', 't')}, ${h} AS rh FROM ${TEMP.rrows} t)
       SELECT r.*, b.h AS bh FROM r LEFT JOIN ${baseline} b ON ${kMatch(pair, 'r', 'b')} WHERE r.rh IS DISTINCT FROM b.h`,
  );
  return h;
}

async function maxCursorRead(db: Database, cursor: CursorState): Promise<string | null> {
  const [row] = await db.all<{ m: string | null }>(`SELECT CAST(max(${quoteIdent(cursor.column)}) AS VARCHAR) AS m FROM ${TEMP.rrows}`);
  return row?.m ?? null;
}
