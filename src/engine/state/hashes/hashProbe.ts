import type { Database } from '../../../db/database.js';
import { qualify, quoteIdent } from '../../../duckdb/quote.js';
import { engineRowHash } from '../../rows/fingerprint.js';
import { STATE_SCHEMA, tableExists } from '../internalNames.js';
import { kMatch, kSelect } from '../../rows/keySql.js';
import { type TablePair, localRef } from '../../catalog/tablePair.js';

/**
 * The hash probe of a baseline: a few of the table's rows, kept with their exact column types, and
 * the row hash (DuckDB's hash()) that the DuckDB release which wrote the baseline computed for them.
 *
 * Baselines hold hash() values, and hash() is only promised to be stable within one DuckDB release.
 * When duckdb-sync runs on another release than the one that wrote a baseline (an upgrade), the
 * probe's rows are hashed again: equal hashes mean the new release hashes this table's column types
 * as the old one did, so the baseline is used as it is (measured: DuckDB 1.4.4 and 1.5.6 hash alike).
 * Otherwise the baseline is rehashed through its version-stable fingerprints where it keeps them
 * (engineUpgrade.ts). The probe is a table of its own in the state schema, next to the baseline.
 */

/** Rows kept in a probe: enough to cover NULLs and short and long values of every column. */
export const PROBE_ROWS = 64;

export function probeTableName(baselineTable: string): string {
  return `probe_of_${baselineTable}`;
}

/** The probe's row value: the pair's local columns packed into one struct column (any names allowed). */
function packedRow(pair: TablePair, alias: string): string {
  return `struct_pack(${pair.columns.map((c, i) => `c${i} := ${alias}.${quoteIdent(c.local)}`).join(', ')})`;
}

/** Rewrites the probe from the local table's first rows (inside the caller's local transaction). */
export async function writeHashProbe(db: Database, pair: TablePair, baselineTable: string): Promise<void> {
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  await db.run(
    `CREATE OR REPLACE TABLE ${qualify(STATE_SCHEMA, probeTableName(baselineTable))} AS
       SELECT ${packedRow(pair, 't')} AS r, ${h} AS h FROM ${localRef(db, pair)} t LIMIT ${PROBE_ROWS}`,
  );
}

/**
 * Keeps the probe filled (inside the caller's local transaction, after a sync that kept the
 * baseline): written when it is missing (state from an older duckdb-sync) or when it holds fewer
 * rows than it could (the table was empty or small when the baseline was first written).
 */
export async function topUpHashProbe(db: Database, pair: TablePair, baselineTable: string, localRows: number): Promise<void> {
  if (await hashProbeWanting(db, baselineTable, localRows)) await writeHashProbe(db, pair, baselineTable);
}

/** Whether topUpHashProbe would write the probe: missing, or fewer rows than the table could give it. */
export async function hashProbeWanting(db: Database, baselineTable: string, localRows: number): Promise<boolean> {
  const have = await probeRows(db, baselineTable);
  return have === undefined || (have < PROBE_ROWS && localRows > have);
}

/** Rows in the probe, or undefined when there is none. */
async function probeRows(db: Database, baselineTable: string): Promise<number | undefined> {
  if (!(await tableExists(db, STATE_SCHEMA, probeTableName(baselineTable)))) return undefined;
  const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${qualify(STATE_SCHEMA, probeTableName(baselineTable))}`);
  return Number(row?.n ?? 0);
}

/**
 * Whether this DuckDB release hashes the baseline's rows as the release that wrote it did: every
 * probe row hashes to the value stored with it. An empty probe next to a non-empty baseline proves
 * nothing (false). Without a probe (state of a duckdb-sync that kept none) the table's own rows are
 * the evidence: of its first rows, at least half (and one) must hash to their baseline entry, which
 * under another hash function none would (rows edited locally since are why not all must).
 */
export async function probeHashesAgree(db: Database, pair: TablePair, baselineTable: string): Promise<boolean> {
  const rows = await probeRows(db, baselineTable);
  if (rows === undefined) return localRowsMatchBaseline(db, pair, baselineTable);
  if (rows === 0) return (await baselineRows(db, baselineTable)) === 0;
  const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${qualify(STATE_SCHEMA, probeTableName(baselineTable))} WHERE hash(r) IS DISTINCT FROM h`);
  return Number(row?.n ?? 0) === 0;
}

async function localRowsMatchBaseline(db: Database, pair: TablePair, baselineTable: string): Promise<boolean> {
  if ((await baselineRows(db, baselineTable)) === 0) return true;
  const baseline = qualify(STATE_SCHEMA, baselineTable);
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  const sample = `SELECT ${pair.key.length ? `${kSelect(pair, 'local', 't')}, ` : ''}${h} AS h FROM ${localRef(db, pair)} t LIMIT ${PROBE_ROWS}`;
  const matches = pair.key.length ? `EXISTS (SELECT 1 FROM ${baseline} b WHERE ${kMatch(pair, 'b', 's')} AND b.h = s.h)` : `s.h IN (SELECT h FROM ${baseline})`;
  const [row] = await db.all<{ n: bigint; m: bigint }>(`SELECT count(*) AS n, count(*) FILTER (WHERE ${matches}) AS m FROM (${sample}) s`);
  const sampled = Number(row?.n ?? 0);
  const matched = Number(row?.m ?? 0);
  return matched > 0 && matched * 2 >= sampled;
}

async function baselineRows(db: Database, baselineTable: string): Promise<number> {
  const [b] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${qualify(STATE_SCHEMA, baselineTable)}`);
  return Number(b?.n ?? 0);
}
