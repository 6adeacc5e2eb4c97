import type { Database } from '../../db/database.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';
import { engineRowHash } from './fingerprint.js';
import { keysNeverNull, kList, kMatch, kSelect } from './keySql.js';
import { TEMP } from './tempTables.js';

/** Below this many rows (of the `b` side), two hashed tables are joined at once. */
export const BUCKETED_FROM_ROWS = 1_000_000;
/** Rows per key bucket aimed at (buckets are numbered by the top bits of the key's hash). */
const ROWS_PER_BUCKET = 512;

/** Two sides of a comparison: relations of (k…, h), and the names their hashes take in the output. */
export interface HashedSides {
  /** A table, or `(SELECT …)` when the sides are joined at once (bucketedWhen says when not). */
  a: string;
  b: string;
  names: [string, string];
}

/**
 * The keys whose row hashes differ between two relations of keys and row hashes (k…, h), written
 * to `out` (k…, <a name>, <b name>): the `a` hash NULL = the key is only in `b`, and conversely.
 * Returns the number of such keys.
 *
 * Large keyed tables are compared in two steps: per key bucket (~512 rows each, by the top bits of
 * the key's hash), the row count and the XOR of the rehashed row hashes (rehashed: DuckDB combines
 * column hashes by multiply-and-XOR, so a plain XOR of row hashes cancels out when two rows of a
 * bucket get the same new value in the same column); rows are joined only in the buckets that
 * differ, unless they are more than half. A table with few changes is not joined whole (5M rows,
 * 16,384 buckets: one change 0.10 s instead of 0.35 s for the whole join; 20M rows: ~1 s instead
 * of 7–8 s, the join spilling under the memory limit). Both sides must then be tables (each is
 * read twice). `rows`: the size of `b`, which sets the number of buckets.
 */
export async function hashedDifference(db: Database, pair: TablePair, sides: HashedSides, out: string, rows: number, bucketedFromRows = BUCKETED_FROM_ROWS): Promise<number> {
  const [an, bn] = sides.names;
  const k = pair.key.map((_k, i) => `coalesce(a.k${i}, b.k${i}) AS k${i}`).join(', ');
  const join = async (a: string, b: string): Promise<number> => {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${out} AS
         WITH a AS (${a}), b AS (${b})
         SELECT ${k}, a.h AS ${an}, b.h AS ${bn} FROM a FULL JOIN b ON ${kMatch(pair, 'a', 'b')}
          WHERE a.h IS DISTINCT FROM b.h`,
    );
    const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${out}`);
    return Number(row?.n ?? 0);
  };
  const whole = (side: string): string => `SELECT * FROM ${side}`;
  if (!comparedByBuckets(pair, rows, bucketedFromRows)) return join(whole(sides.a), whole(sides.b));

  const bits = bucketBits(rows);
  const bucket = (alias: string): string => `(hash(${kList(pair, alias)}) >> ${64 - bits})`;
  const summary = (side: string, alias: string): string => `SELECT ${bucket(alias)} AS bucket, count(*) AS n, bit_xor(hash(${alias}.h)) AS x FROM ${side} ${alias} GROUP BY ALL`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.buckets} AS
       WITH a AS (${summary(sides.a, 'a')}), b AS (${summary(sides.b, 'b')})
       SELECT coalesce(a.bucket, b.bucket) AS bucket FROM a FULL JOIN b ON a.bucket = b.bucket
        WHERE a.n IS DISTINCT FROM b.n OR a.x IS DISTINCT FROM b.x`,
  );
  try {
    const [differing] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.buckets}`);
    // Changes spread over many buckets: one join of everything costs less than filtering first.
    if (Number(differing?.n ?? 0) > 2 ** bits / 2) return await join(whole(sides.a), whole(sides.b));
    const inBuckets = (side: string, alias: string): string => `SELECT * FROM ${side} ${alias} WHERE ${bucket(alias)} IN (SELECT bucket FROM ${TEMP.buckets})`;
    return await join(inBuckets(sides.a, 'x'), inBuckets(sides.b, 'y'));
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${TEMP.buckets}`);
  }
}

/**
 * Whether a keyed table of `rows` rows is compared by key buckets first (hashedDifference).
 * Keys that may repeat (named in the config) could cancel out in a bucket's XOR: joined directly.
 */
export function comparedByBuckets(pair: TablePair, rows: number, bucketedFromRows = BUCKETED_FROM_ROWS): boolean {
  return pair.key.length > 0 && rows >= bucketedFromRows && keysNeverNull(pair);
}

/** Bits of the bucket number: about ROWS_PER_BUCKET rows per bucket (2^12 … 2^24 buckets). */
export function bucketBits(rows: number): number {
  return Math.min(24, Math.max(12, Math.ceil(Math.log2(Math.max(1, rows) / ROWS_PER_BUCKET))));
}

/** The local table's keys and row hashes (k…, h). */
export function localHashesSql(db: Database, pair: TablePair): string {
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  return `SELECT ${kSelect(pair, 'local', 't')}, ${h} AS h FROM ${localRef(db, pair)} t`;
}

/** `TEMP.lh`: the local table's keys and row hashes (k…, h), hashed once for the steps that compare them. */
export async function hashLocalRows(db: Database, pair: TablePair): Promise<string> {
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.lh} AS ${localHashesSql(db, pair)}`);
  return TEMP.lh;
}
