import type { Database } from '../../db/database.js';
import { engineRowHash } from '../rows/fingerprint.js';
import { keysNeverNull, kList, kMatch, kMatchUser, kSelect } from '../rows/keySql.js';
import { combineFps } from '../rows/fingerprintScheme.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';
import { TEMP } from '../rows/tempTables.js';
import { baselineRef } from '../state/baseline.js';

/** Below this many baseline rows, the local rows are joined with the baseline at once. */
const BUCKETED_FROM_ROWS = 1_000_000;
/** Rows per key bucket aimed at (buckets are numbered by the top bits of the key's hash). */
const ROWS_PER_BUCKET = 512;

/**
 * Local changes since the baseline, whoever made them (ARCHITECTURE.md decision 3): compares every local
 * row's hash with the baseline. Creates `TEMP.ld(k…, lh, bh)`: lh NULL = deleted locally,
 * bh NULL = inserted locally. Returns the number of changed keys.
 *
 * Large tables with a primary key are compared in two steps. The local keys and row hashes are
 * computed once (hashing every row is unavoidable); then per key bucket (~512 rows each, by the top
 * bits of the key's hash) the row count and the XOR of the rehashed row hashes are compared with
 * the baseline's (rehashed: DuckDB combines column hashes by multiply-and-XOR, so a plain XOR of
 * row hashes cancels out when two rows of a bucket get the same new value in the same column),
 * and rows are joined only in the buckets that differ, unless they are more than half: a table
 * with few changes is not joined with its whole baseline (5M rows, 16,384 buckets, after hashing:
 * one change 0.10 s instead of 0.35 s for the whole join, 5,000 scattered changes 0.23 s instead
 * of 0.33 s; the number of buckets itself barely matters).
 */
export async function computeLocalDelta(db: Database, pair: TablePair, baselineTable: string, bucketedFromRows = BUCKETED_FROM_ROWS): Promise<number> {
  const local = localRef(db, pair);
  const baseline = baselineRef(baselineTable);
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  const k = pair.key.map((_k, i) => `coalesce(l.k${i}, b.k${i}) AS k${i}`).join(', ');
  const delta = async (localRows: string, baselineRows: string): Promise<number> => {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${TEMP.ld} AS
         WITH l AS (${localRows}), b AS (${baselineRows})
         SELECT ${k}, l.h AS lh, b.h AS bh FROM l FULL JOIN b ON ${kMatch(pair, 'l', 'b')}
          WHERE l.h IS DISTINCT FROM b.h`,
    );
    const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.ld}`);
    return Number(row?.n ?? 0);
  };
  const localRows = `SELECT ${kSelect(pair, 'local', 't')}, ${h} AS h FROM ${local} t`;
  const [size] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${baseline}`);
  const rows = Number(size?.n ?? 0);
  if (!comparedByBuckets(pair, rows, bucketedFromRows)) return delta(localRows, `SELECT * FROM ${baseline}`);

  const bits = bucketBits(rows);
  const bucket = (alias: string): string => `(hash(${kList(pair, alias)}) >> ${64 - bits})`;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.lh} AS ${localRows}`);
  try {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${TEMP.ldb} AS
         WITH l AS (SELECT ${bucket('l')} AS bucket, count(*) AS n, bit_xor(hash(l.h)) AS x FROM ${TEMP.lh} l GROUP BY ALL),
              b AS (SELECT ${bucket('b')} AS bucket, count(*) AS n, bit_xor(hash(b.h)) AS x FROM ${baseline} b GROUP BY ALL)
         SELECT coalesce(l.bucket, b.bucket) AS bucket FROM l FULL JOIN b ON l.bucket = b.bucket
          WHERE l.n IS DISTINCT FROM b.n OR l.x IS DISTINCT FROM b.x`,
    );
    const [differing] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.ldb}`);
    // Changes spread over many buckets: one join of everything costs less than filtering first.
    if (Number(differing?.n ?? 0) > 2 ** bits / 2) return await delta(`SELECT * FROM ${TEMP.lh}`, `SELECT * FROM ${baseline}`);
    const inBuckets = (alias: string): string => `${bucket(alias)} IN (SELECT bucket FROM ${TEMP.ldb})`;
    return await delta(`SELECT * FROM ${TEMP.lh} l WHERE ${inBuckets('l')}`, `SELECT * FROM ${baseline} b WHERE ${inBuckets('b')}`);
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${TEMP.lh}`);
  }
}

/**
 * Whether a keyed table of `rows` baseline rows is compared by key buckets first (computeLocalDelta).
 * Keys that may repeat (named in the config) could cancel out in a bucket's XOR: joined directly.
 */
export function comparedByBuckets(pair: TablePair, rows: number, bucketedFromRows = BUCKETED_FROM_ROWS): boolean {
  return pair.key.length > 0 && rows >= bucketedFromRows && keysNeverNull(pair);
}

/** Bits of the bucket number: about ROWS_PER_BUCKET rows per bucket (2^12 … 2^24 buckets). */
export function bucketBits(rows: number): number {
  return Math.min(24, Math.max(12, Math.ceil(Math.log2(Math.max(1, rows) / ROWS_PER_BUCKET))));
}

/**
 * `TEMP.ld` with no rows, for a table known to equal its baseline (settledStore.ts): the local
 * file was not written since the sync that left it so.
 */
export async function noLocalDelta(db: Database, pair: TablePair, baselineTable: string): Promise<number> {
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.ld} AS SELECT ${kList(pair)}, h AS lh, h AS bh FROM ${baselineRef(baselineTable)} WHERE false`);
  return 0;
}

/**
 * Copies the local rows changed since the baseline (inserted or updated, per `TEMP.ld`) into
 * `TEMP.lrows`, in the transaction that compared them: the push sends these versions even if
 * the table is written again before the push (which then finds those writes as new changes).
 */
export async function snapshotChangedRows(db: Database, pair: TablePair): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.lrows} AS
       SELECT t.* FROM ${localRef(db, pair)} t
         JOIN (SELECT ${kList(pair)} FROM ${TEMP.ld} WHERE lh IS NOT NULL) d ON ${kMatchUser(pair, 'local', 't', 'd')}`,
  );
}

/**
 * Whether the local table holds exactly the baseline's rows (each as many times, for a table
 * without a key): its row count and a summary of its rows' hashes (combineFps) against the
 * baseline's, in one scan without joining or grouping. Used to skip tables with no local change.
 */
export async function localMatchesBaseline(db: Database, pair: TablePair, baselineTable: string): Promise<boolean> {
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  const keyless = pair.key.length === 0;
  const [row] = await db.all<{ same: boolean }>(
    `SELECT l.n = b.n AND l.s IS NOT DISTINCT FROM b.s AS same
       FROM (SELECT count(*) AS n, CAST(${combineFps(pair, 'engine', h)} AS HUGEINT) AS s FROM ${localRef(db, pair)} t) l,
            (SELECT ${keyless ? 'coalesce(sum(n), 0)' : 'count(*)'} AS n, CAST(${combineFps(pair, 'engine', 'h', keyless ? 'n' : undefined)} AS HUGEINT) AS s
               FROM ${baselineRef(baselineTable)}) b`,
  );
  return row?.same === true;
}
