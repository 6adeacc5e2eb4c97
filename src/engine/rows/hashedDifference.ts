import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
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
  /**
   * A table, or `(SELECT …)` when the sides are joined at once (comparedByBuckets says when not), or
   * rows hashed as they are read (HashedRows): never materialized, read once for the bucket summaries
   * and once more, filtered, only when buckets differ.
   */
  a: string | HashedRows;
  b: string;
  names: [string, string];
}

/** A user table's keys and row hashes (k…, h), computed as the table is read. */
export interface HashedRows {
  /** The key columns as the source's rows name them (`t."id"`), in key order. */
  keys: string;
  /** `SELECT k…, h FROM <table> t [WHERE where]`: the filter runs before any row is hashed. */
  select(where?: string): string;
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
 * of 7–8 s, the join spilling under the memory limit). Each side is then read twice: a table, or
 * rows hashed as read (HashedRows), whose second read hashes only the rows of the differing buckets.
 * `rows`: the size of `b`, which sets the number of buckets.
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
  const source = (side: string | HashedRows): string => (typeof side === 'string' ? side : `(${side.select()})`);
  const whole = (side: string | HashedRows): string => `SELECT * FROM ${source(side)}`;
  if (!comparedByBuckets(pair, rows, bucketedFromRows)) return join(whole(sides.a), whole(sides.b));

  const bits = bucketBits(rows);
  const bucketOf = (keys: string): string => `(hash(${keys}) >> ${64 - bits})`;
  const bucket = (alias: string): string => bucketOf(kList(pair, alias));
  const summary = (side: string | HashedRows, alias: string): string =>
    `SELECT ${bucket(alias)} AS bucket, count(*) AS n, bit_xor(hash(${alias}.h)) AS x FROM ${source(side)} ${alias} GROUP BY ALL`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.buckets} AS
       WITH a AS (${summary(sides.a, 'a')}), b AS (${summary(sides.b, 'b')})
       SELECT coalesce(a.bucket, b.bucket) AS bucket FROM a FULL JOIN b ON a.bucket = b.bucket
        WHERE a.n IS DISTINCT FROM b.n OR a.x IS DISTINCT FROM b.x`,
  );
  try {
    const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.buckets}`);
    const differing = Number(row?.n ?? 0);
    // No bucket differs: no row is read again (the output keeps its columns' types).
    if (differing === 0) return await join(`${whole(sides.a)} WHERE false`, `${whole(sides.b)} WHERE false`);
    // Changes spread over many buckets: one join of everything costs less than filtering first.
    if (differing > 2 ** bits / 2) return await join(whole(sides.a), whole(sides.b));
    const inBuckets = (side: string | HashedRows, alias: string): string =>
      typeof side === 'string'
        ? `SELECT * FROM ${side} ${alias} WHERE ${bucket(alias)} IN (SELECT bucket FROM ${TEMP.buckets})`
        : side.select(`${bucketOf(side.keys)} IN (SELECT bucket FROM ${TEMP.buckets})`);
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
  return localHashedRows(db, pair).select();
}

/** The local table's keys and row hashes, as HashedRows (hashed as read, filtered first). */
export function localHashedRows(db: Database, pair: TablePair): HashedRows {
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  const from = `SELECT ${kSelect(pair, 'local', 't')}, ${h} AS h FROM ${localRef(db, pair)} t`;
  return {
    keys: pair.key.map((k) => `t.${quoteIdent(k)}`).join(', '),
    select: (where) => (where ? `${from} WHERE ${where}` : from),
  };
}

/** `TEMP.lh`: the local table's keys and row hashes (k…, h), hashed once for the steps that compare them. */
export async function hashLocalRows(db: Database, pair: TablePair): Promise<string> {
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.lh} AS ${localHashesSql(db, pair)}`);
  return TEMP.lh;
}
