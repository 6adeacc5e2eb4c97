import { createHash } from 'node:crypto';
import type { Database } from '../db/database.js';
import { qualify, quoteIdent } from '../db/quote.js';
import { engineRowHash } from './fingerprint.js';
import { STATE_SCHEMA } from './internalNames.js';
import type { TablePair } from './tablePair.js';
import type { TableMetadata } from './tableMetadata.js';

/**
 * The baseline of a table pair: what it looked like at its last successful sync, one fingerprint
 * per row. Tables with a key keep (k0…kn, h); tables without one keep (h, n): each distinct row's
 * hash with its count, so duplicates are compared as a multiset.
 */

export function baselineTableName(pair: TablePair): string {
  return `baseline_${createHash('sha1').update(pair.name).digest('hex').slice(0, 16)}`;
}

/** Identifies the column layout the baseline hashes were computed over. */
export function columnSignature(pair: TablePair): string {
  return JSON.stringify(pair.columns.map((c) => [c.local, c.type]));
}

/** Rebuilds the baseline from the local table's current content (inside the caller's transaction). */
export async function writeBaseline(db: Database, pair: TablePair): Promise<string> {
  const name = baselineTableName(pair);
  const target = qualify(STATE_SCHEMA, name);
  const source = qualify(pair.local.schema, pair.local.table);
  const h = engineRowHash(pair.columns.map((c) => c.local));
  if (pair.key.length) {
    const keys = pair.key.map((k, i) => `${quoteIdent(k)} AS ${quoteIdent(`k${i}`)}`).join(', ');
    await db.run(`CREATE OR REPLACE TABLE ${target} AS SELECT ${keys}, ${h} AS h FROM ${source}`);
  } else {
    await db.run(`CREATE OR REPLACE TABLE ${target} AS SELECT ${h} AS h, count(*) AS n FROM ${source} GROUP BY ALL`);
  }
  return name;
}

/**
 * The baseline table to compare the local table with, when one exists and was computed over the
 * same columns by the same DuckDB version (hash() is only stable within a version).
 */
export async function usableBaseline(db: Database, pair: TablePair, meta: TableMetadata | undefined, engineVersion: string): Promise<string | undefined> {
  if (!meta?.baselineTable || meta.columnSignature !== columnSignature(pair) || meta.engineVersion !== engineVersion) return undefined;
  const [row] = await db.all<{ n: bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2`,
    [STATE_SCHEMA, meta.baselineTable],
  );
  return row && row.n > 0n ? meta.baselineTable : undefined;
}
