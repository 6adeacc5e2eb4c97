import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { Database } from '../../db/database.js';
import { engineRowHash } from '../rows/fingerprint.js';
import { keyInInternal, keyInUser, kList, kMatchUser } from '../rows/keySql.js';
import { BUCKETED_FROM_ROWS, comparedByBuckets, hashedDifference, hashLocalRows, localHashesSql } from '../rows/hashedDifference.js';
import { combineFps } from '../rows/fingerprintScheme.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';
import { TEMP } from '../rows/tempTables.js';
import { baselineRef } from '../state/baseline.js';

/** The primary key values of rows written through duckdb-sync, as DuckDB returned them (exact types): tracking/keyedWrites.ts. */
export interface WrittenKeys {
  /** The table's primary key columns (local names, in key order). */
  columns: string[];
  types: DuckDBType[];
  rows: DuckDBValue[][];
}

/**
 * Local changes since the baseline, whoever made them (ARCHITECTURE.md decision 3): compares every local
 * row's hash with the baseline. Creates `TEMP.ld(k…, lh, bh)`: lh NULL = deleted locally,
 * bh NULL = inserted locally. Returns the number of changed keys.
 *
 * Hashing every local row is unavoidable; large keyed tables hash them once into `TEMP.lh` and
 * compare key-bucket summaries with the baseline's before joining rows (hashedDifference.ts).
 */
export async function computeLocalDelta(db: Database, pair: TablePair, baselineTable: string, bucketedFromRows = BUCKETED_FROM_ROWS): Promise<number> {
  const baseline = baselineRef(baselineTable);
  const localRows = localHashesSql(db, pair);
  const [size] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${baseline}`);
  const rows = Number(size?.n ?? 0);
  const names: [string, string] = ['lh', 'bh'];
  if (!comparedByBuckets(pair, rows, bucketedFromRows)) return hashedDifference(db, pair, { a: `(${localRows})`, b: baseline, names }, TEMP.ld, rows, bucketedFromRows);
  await hashLocalRows(db, pair);
  try {
    return await hashedDifference(db, pair, { a: TEMP.lh, b: baseline, names }, TEMP.ld, rows, bucketedFromRows);
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${TEMP.lh}`);
  }
}

/**
 * `TEMP.ld` for a table known to equal its baseline but at the given keys (the rows written
 * through duckdb-sync since it was last settled, tracking/keyedWrites.ts): only those keys'
 * local rows and baseline entries are compared. False when the keys are not the pair's key
 * columns (then the table is compared whole).
 */
export async function computeLocalDeltaAt(db: Database, pair: TablePair, baselineTable: string, keys: WrittenKeys): Promise<number | false> {
  if (keys.rows.length && (keys.columns.length !== pair.key.length || keys.columns.some((c, i) => c.toLowerCase() !== pair.key[i]?.toLowerCase()))) return false;
  const columns = pair.key.map((_k, i) => `k${i} ${keys.types[i]?.toString() ?? 'VARCHAR'}`);
  if (!keys.rows.length) return noLocalDelta(db, pair, baselineTable);
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.known_keys} (${columns.join(', ')})`);
  // Appended with their exact types (a parameter list would need them spelled out).
  const appender = await db.connection.createAppender(TEMP.known_keys.replace(/^temp\./, ''), 'main', 'temp');
  try {
    for (const row of keys.rows) {
      row.forEach((value, i) => appender.appendValue(value, keys.types[i]));
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
  const local = `(${localHashesSql(db, pair)} WHERE ${keyInUser(pair, 'local', 't', TEMP.known_keys)})`;
  const baseline = `(SELECT * FROM ${baselineRef(baselineTable)} b WHERE ${keyInInternal(pair, 'b', TEMP.known_keys)})`;
  try {
    return await hashedDifference(db, pair, { a: local, b: baseline, names: ['lh', 'bh'] }, TEMP.ld, 0);
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${TEMP.known_keys}`);
  }
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
