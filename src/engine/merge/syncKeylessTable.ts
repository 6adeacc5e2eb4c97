import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import { baselineRowFp, rowFp } from '../rows/fingerprintScheme.js';
import { localMatchesBaseline } from '../compare/localDelta.js';
import type { ChangeSyncContext, ChangeSyncResult } from './changeSyncContext.js';
import { type TablePair, localRef, remoteRows, remoteTable } from '../catalog/tablePair.js';
import { moveKeylessBaseline, baselineRef } from '../state/baseline.js';
import { changeResult, NO_CHANGES, recordChanges, type ChangeCounts } from './changeOutcome.js';
import { dropKeylessJournal, journalKeylessPush, keylessJournalExists, recoverKeylessPush } from '../state/keylessPushJournal.js';
import { currentLogSeq, logPushedKeys } from '../state/remote/changeLog.js';
import { assertNotStale, newestSeq } from '../compare/staleSnapshot.js';
import { TEMP } from '../rows/tempTables.js';
import { noRowsSelect, rowsSelect } from '../rows/keySql.js';
import { withPushStage } from '../state/remote/pushStage.js';
import type { Direction } from '../api.js';

/**
 * Two-way sync of a table without a key, as a multiset: each distinct row (by fingerprint f) has
 * a count on each side and in the baseline. Changes on both sides add up:
 * new count = local + remote − baseline (never below 0). There are no conflicts between copies;
 * nothing is lost because both sides' additions are kept. A push is journaled so that a crash
 * before the local transaction does not count it twice (keylessPushJournal.ts).
 */
export async function syncKeylessTable(db: Database, pair: TablePair, ctx: ChangeSyncContext): Promise<ChangeSyncResult> {
  const local = localRef(db, pair);
  const remote = remoteTable(db, pair);
  const remoteRead = remoteRows(db, pair);
  const baseline = baselineRef(ctx.baselineTable);
  const lf = rowFp(pair, 'local', ctx.scheme, 't');
  const rf = rowFp(pair, 'remote', ctx.scheme, 'r');
  const writesRemote = ctx.direction !== 'pull' && !ctx.dryRun;
  const localCols = pair.columns.map((c) => quoteIdent(c.local)).join(', ');
  let counts: ChangeCounts = NO_CHANGES;
  let rowsRead = 0;
  let pushesLeft = 0;
  /** The remote change log's newest sequence number as read, and the one this push wrote (staleSnapshot.ts). */
  let logSeq: number | null = null;
  let loggedSeq: number | undefined;

  // Nothing to push (full mode: the local content is replaced right after), or nothing changed on
  // either side (the probe found the remote as the baseline has it): no round trip.
  const remoteUnchanged = ctx.remoteProbe?.unchanged === true;
  if ((ctx.remoteScope === 'localChanges' || remoteUnchanged) && !(await keylessJournalExists(db, ctx.baselineTable))) {
    const localSame = ctx.localUnchanged || (await localMatchesBaseline(db, pair, ctx.baselineTable));
    if (localSame && !remoteUnchanged) return changeResult(pair, ctx, counts, rowsRead);
    if (localSame) {
      const seen = newestSeq(ctx.seenLogSeq, ctx.remoteProbe?.logSeq);
      if (!ctx.dryRun) await db.transaction(() => recordChanges(db, pair, ctx, counts, { cursorColumn: null, watermark: null, logSeq: seen }));
      return changeResult(pair, ctx, counts, rowsRead);
    }
  }
  // The local side's counts: the baseline's when the file is as the last sync left it.
  const localCounts = ctx.localUnchanged ? `SELECT ${baselineRowFp(ctx.scheme)} AS f, n FROM ${baseline}` : `SELECT ${lf} AS f, count(*) AS n FROM ${local} t GROUP BY 1`;

  await db.withRemote(!writesRemote, async () => {
    if (!ctx.dryRun) await recoverKeylessPush(db, pair, ctx.scheme, ctx.baselineTable);
    await db.transaction(async () => {
      // A snapshot older than the last sync saw is refused when rows are to be pulled from it.
      const seen = ctx.direction === 'push' ? null : (ctx.seenLogSeq ?? null);
      if (ctx.remoteProbe || seen !== null) {
        logSeq = ctx.remoteProbe ? ctx.remoteProbe.logSeq : await currentLogSeq(db, pair);
        assertNotStale(pair, seen, logSeq);
      }
      await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.kl} AS ${localCounts}`);
      await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.kr} AS SELECT ${rf} AS f, count(*) AS n FROM ${remoteRead} r GROUP BY 1`);
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ${TEMP.kplan} AS
           WITH j AS (
             SELECT coalesce(l.f, r.f, b.f) AS f, coalesce(l.n, 0) AS ln, coalesce(r.n, 0) AS rn, coalesce(b.n, 0) AS bn
               FROM ${TEMP.kl} l FULL JOIN ${TEMP.kr} r ON l.f = r.f
               FULL JOIN (SELECT ${baselineRowFp(ctx.scheme)} AS f, n FROM ${baseline}) b ON b.f = coalesce(l.f, r.f)
              WHERE coalesce(l.n, 0) <> coalesce(b.n, 0) OR coalesce(r.n, 0) <> coalesce(b.n, 0))
           SELECT *, ${targets(ctx.direction)} FROM j`,
      );
      if (writesRemote && ctx.transactionRows !== undefined) pushesLeft = await deferBeyond(db, ctx.transactionRows - 1);
      const [c] = await db.all<Record<string, bigint>>(
        `SELECT coalesce(sum(greatest(new_l - ln, 0)), 0) AS pull, coalesce(sum(greatest(ln - new_l, 0)), 0) AS delete_local,
                coalesce(sum(greatest(new_r - rn, 0)), 0) AS push, coalesce(sum(greatest(rn - new_r, 0)), 0) AS delete_remote,
                count(*) FILTER (WHERE new_l <> new_b) AS local_left, (SELECT count(*) FROM ${TEMP.kr}) AS summaries
           FROM ${TEMP.kplan}`,
      );
      counts = {
        pull: Number(c?.pull ?? 0),
        push: Number(c?.push ?? 0),
        deleteLocal: Number(c?.delete_local ?? 0),
        deleteRemote: Number(c?.delete_remote ?? 0),
        conflicts: 0,
        localLeft: Number(c?.local_left ?? 0),
        pushesLeft,
      };
      // One copy of each distinct row the local side must gain, or the push must write back but the
      // local side has none of, read from the remote (no round trip when there is none).
      const needed = `SELECT f FROM ${TEMP.kplan} WHERE new_l > ln OR (ln = 0 AND new_r > 0 AND new_r <> rn)`;
      const [wanted] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM (${needed})`);
      await db.run(
        wanted?.n
          ? `CREATE OR REPLACE TEMP TABLE ${TEMP.rrows} AS
               SELECT * FROM (SELECT ${rowsSelect(pair)}, ${rf} AS __f FROM ${remoteRead} r WHERE ${rf} IN (${needed}))
              QUALIFY row_number() OVER (PARTITION BY __f) = 1`
          : `CREATE OR REPLACE TEMP TABLE ${TEMP.rrows} AS SELECT ${noRowsSelect(pair)}, CAST(NULL AS UBIGINT) AS __f WHERE false`,
      );
      rowsRead = Number(c?.summaries ?? 0) + Number((await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.rrows}`))[0]?.n ?? 0);
    });
    if (!writesRemote || !(counts.push || counts.deleteRemote)) return;
    const pushId = await journalKeylessPush(db, pair, ctx.scheme, ctx.baselineTable, TEMP.kplan);
    // By count differences, through a stage (pushStage.ts): every copy of a changed row is deleted
    // and its new count of copies inserted; no rowid on the remote.
    await db.transaction(() =>
      withPushStage(db, keylessChangeSet(pair, local, lf), async (stage) => {
        await db.run(`DELETE FROM ${remote} AS r WHERE ${rf} IN (SELECT __f FROM ${stage} WHERE __n = 0 OR __found)`);
        await db.run(
          `INSERT INTO ${remote} (${pair.columns.map((c) => quoteIdent(c.remote)).join(', ')})
           SELECT ${pair.columns.map((_c, i) => `s.c${i}`).join(', ')} FROM ${stage} s, range(s.__n) WHERE s.__found`,
        );
        // The log's entry marks the push as committed too (recoverKeylessPush).
        loggedSeq = await logPushedKeys(db, pair, stage, pushId);
      }),
    );
  });
  const result = changeResult(pair, ctx, counts, rowsRead);
  if (ctx.dryRun) return result;

  await db.transaction(async () => {
    if (counts.pull || counts.deleteLocal) {
      await removeCopies(db, local, (a) => rowFp(pair, 'local', ctx.scheme, a), 'ln', 'new_l');
      await db.run(
        `INSERT INTO ${local} (${localCols}) SELECT ${pair.columns.map((c) => `x.${quoteIdent(c.local)}`).join(', ')}
           FROM ${TEMP.rrows} x JOIN ${TEMP.kplan} p ON p.f = x.__f, range(p.new_l - p.ln)`,
      );
    }
    await moveKeylessBaseline(db, pair, ctx.scheme, ctx.baselineTable, { plan: TEMP.kplan, remoteRows: TEMP.rrows });
    await dropKeylessJournal(db, ctx.baselineTable);
    await recordChanges(db, pair, ctx, counts, { cursorColumn: null, watermark: null, logSeq: newestSeq(ctx.seenLogSeq, logSeq, loggedSeq) });
  });
  return result;
}

/**
 * Leaves the rows whose push would take the remote transaction past `transactionRows` rows written
 * (every copy of a changed row deleted, its new copies inserted) as they are, on both sides and in
 * the baseline, for another pass; the first changed row goes whatever its size. Returns how many
 * distinct rows wait.
 */
async function deferBeyond(db: Database, transactionRows: number): Promise<number> {
  return db.run(
    `UPDATE ${TEMP.kplan} SET new_l = ln, new_r = rn, new_b = bn
      WHERE f IN (SELECT f FROM (SELECT f, rn + new_r AS w, sum(rn + new_r) OVER (ORDER BY f ROWS UNBOUNDED PRECEDING) AS total FROM ${TEMP.kplan} WHERE new_r <> rn)
                   WHERE total > CAST($1 AS BIGINT) AND total > w)`,
    [String(transactionRows)],
  );
}

/** Target counts per direction: new_l, new_r and the new baseline new_b. */
function targets(direction: Direction): string {
  const merged = 'greatest(ln + rn - bn, 0)';
  if (direction === 'both') return `${merged} AS new_l, ${merged} AS new_r, ${merged} AS new_b`;
  if (direction === 'pull') return 'greatest(ln + rn - bn, 0) AS new_l, rn AS new_r, rn AS new_b';
  return 'ln AS new_l, greatest(rn + ln - bn, 0) AS new_r, ln AS new_b';
}

/**
 * The rows whose remote count changes: fingerprint `__f`, new count `__n`, and one copy of the row
 * (columns c0…cm, `__found`) from the local table or, when it has none, from the remote rows read.
 */
function keylessChangeSet(pair: TablePair, local: string, lf: string): string {
  const cols = (alias: string): string => pair.columns.map((c, i) => `${alias}.${quoteIdent(c.local)} AS c${i}`).join(', ');
  const needed = `SELECT f FROM ${TEMP.kplan} WHERE new_r > 0 AND new_r <> rn`;
  return `SELECT p.f AS __f, p.new_r AS __n, x.* EXCLUDE (__f)
            FROM ${TEMP.kplan} p LEFT JOIN (
              SELECT *, true AS __found FROM (
                SELECT ${cols('t')}, ${lf} AS __f FROM ${local} t WHERE ${lf} IN (${needed})
                UNION ALL
                SELECT ${cols('x')}, x.__f FROM ${TEMP.rrows} x WHERE x.__f IN (${needed}))
              QUALIFY row_number() OVER (PARTITION BY __f) = 1) x ON x.__f = p.f
           WHERE p.new_r <> p.rn`;
}

/** Deletes surplus copies (plan count column `have` → target column `want`) from the local table, by rowid (never on the remote: see the push above). */
async function removeCopies(db: Database, table: string, fp: (alias: string) => string, have: string, want: string): Promise<void> {
  await db.run(
    `DELETE FROM ${table} WHERE rowid IN (
       SELECT x.rid FROM (SELECT t.rowid AS rid, ${fp('t')} AS f, row_number() OVER (PARTITION BY ${fp('t')}) AS i
                            FROM ${table} t WHERE ${fp('t')} IN (SELECT f FROM ${TEMP.kplan} WHERE ${want} < ${have})) x
         JOIN ${TEMP.kplan} p ON p.f = x.f WHERE x.i <= p.${have} - p.${want})`,
  );
}
