import type { Database } from '../../db/database.js';
import { qualify, quoteIdent } from '../../duckdb/quote.js';
import { engineRowHash } from '../rows/fingerprint.js';
import { CONFLICTS_TABLE, STATE_SCHEMA } from './internalNames.js';
import { NEXT_CONFLICT_ID } from './conflictLog.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';
import { TEMP } from '../rows/tempTables.js';
import { keyInUser } from '../rows/keySql.js';
import { hashedDifference, hashLocalRows } from '../rows/hashedDifference.js';

/**
 * A full sync replaces the local content with the remote's. Local changes made since the last
 * sync (found by comparing with the baseline, whoever made them) would vanish with it, so before
 * the replace they are snapshotted, and after it every local version that the new content does not
 * contain is written to dewey_sync_conflicts. Nothing is lost silently.
 */

const SNAPSHOT = TEMP.local_changes;
const ROW_HASH = '__duckdb_sync_h';

/**
 * Local rows that differ from the baseline; without a usable baseline, every local row.
 * `localHashes`: for keyed tables, a table of the local keys and row hashes (k…, h) when the caller
 * made one already (rows/hashedDifference.ts hashLocalRows), else it is made here.
 */
export async function snapshotLocalChanges(db: Database, pair: TablePair, baselineTable: string | undefined, localHashes?: string): Promise<void> {
  const local = localRef(db, pair);
  const cols = pair.columns.map((c) => c.local);
  const h = engineRowHash(cols);
  const rowJson = jsonOf(cols);
  const baseline = baselineTable ? qualify(STATE_SCHEMA, baselineTable) : undefined;
  if (pair.key.length) {
    const hashed = localHashes ?? (await hashLocalRows(db, pair));
    if (baseline) {
      const [size] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${baseline}`);
      // (k…, h, bh): h NULL = deleted locally.
      await hashedDifference(db, pair, { a: hashed, b: baseline, names: ['h', 'bh'] }, TEMP.changed_keys, Number(size?.n ?? 0));
    } else {
      await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.changed_keys} AS SELECT * FROM ${hashed}`);
    }
    if (!localHashes) await db.run(`DROP TABLE ${hashed}`);
    // Keys deleted locally (h NULL) find no local row. The join is on the key alone: one more
    // condition made DuckDB plan a nested-loop join (minutes at 250k rows instead of 0.1 s).
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${TEMP.local_changes} AS
         SELECT c.*, CASE WHEN c.h IS NULL THEN NULL ELSE ${rowJson('t')} END AS v, ${keyJson(pair, 'c')} AS key_json
           FROM ${TEMP.changed_keys} c LEFT JOIN ${local} t ON ${pair.key.map((k, i) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM c.k${i}`).join(' AND ')}`,
    );
    await db.run(`DROP TABLE ${TEMP.changed_keys}`);
  } else {
    const counts = `SELECT ${h} AS h, count(*) AS n, any_value(${rowJson('t')}) AS v FROM ${local} t GROUP BY 1`;
    await db.run(
      baseline
        ? `CREATE OR REPLACE TEMP TABLE ${TEMP.local_changes} AS
             SELECT coalesce(l.h, b.h) AS h, coalesce(l.n, 0) AS local_n, coalesce(b.n, 0) AS base_n, l.v
               FROM (${counts}) l FULL JOIN ${baseline} b ON l.h = b.h WHERE coalesce(l.n, 0) <> coalesce(b.n, 0)`
        : `CREATE OR REPLACE TEMP TABLE ${TEMP.local_changes} AS SELECT h, n AS local_n, 0 AS base_n, v FROM (${counts})`,
    );
  }
}

/**
 * After the replace (same transaction): records the snapshotted local versions the new content
 * lacks. Returns the number of conflict rows written.
 */
export async function recordDiscardedChanges(db: Database, pair: TablePair, policy: string, runId: string | undefined): Promise<number> {
  const local = localRef(db, pair);
  const cols = pair.columns.map((c) => c.local);
  const h = engineRowHash(cols);
  let written: number;
  if (pair.key.length) {
    const match = pair.key.map((k, i) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM c.k${i}`).join(' AND ');
    written = await db.run(
      `INSERT INTO ${quoteIdent(CONFLICTS_TABLE)} (id, table_name, key_json, local_version, remote_version, copies, policy, winner, run_id)
       SELECT ${NEXT_CONFLICT_ID}, $1, c.key_json, c.v, CASE WHEN t.${ROW_HASH} IS NULL THEN NULL ELSE ${jsonOf(cols)('t')} END, 1, $3, 'remote', $2
         FROM ${SNAPSHOT} c LEFT JOIN (SELECT *, ${h} AS ${ROW_HASH} FROM ${local} x WHERE ${keyInUser(pair, 'local', 'x', SNAPSHOT)}) t ON ${match}
        WHERE t.${ROW_HASH} IS DISTINCT FROM c.h`,
      [pair.name, runId ?? null, policy],
    );
  } else {
    // Copies the local side added that the new content lacks, and copies it deleted that came back.
    written = await db.run(
      `INSERT INTO ${quoteIdent(CONFLICTS_TABLE)} (id, table_name, key_json, local_version, remote_version, copies, policy, winner, run_id)
       SELECT ${NEXT_CONFLICT_ID}, $1, NULL, CASE WHEN lost > 0 THEN local_v END, CASE WHEN back > 0 THEN new_v END, greatest(lost, back), $3, 'remote', $2
         FROM (SELECT c.v AS local_v, t.v AS new_v,
                      least(greatest(c.local_n - c.base_n, 0), greatest(c.local_n - coalesce(t.n, 0), 0)) AS lost,
                      least(greatest(c.base_n - c.local_n, 0), greatest(coalesce(t.n, 0) - c.local_n, 0)) AS back
                 FROM ${SNAPSHOT} c
                 LEFT JOIN (SELECT ${h} AS h, count(*) AS n, any_value(${jsonOf(cols)('x')}) AS v FROM ${local} x GROUP BY 1) t ON t.h = c.h)
        WHERE lost > 0 OR back > 0`,
      [pair.name, runId ?? null, policy],
    );
  }
  await db.run(`DROP TABLE IF EXISTS ${SNAPSHOT}`);
  return written;
}

function jsonOf(cols: string[]): (alias: string) => string {
  return (alias) => `CAST(to_json(struct_pack(${cols.map((c) => `${quoteIdent(c)} := ${alias}.${quoteIdent(c)}`).join(', ')})) AS VARCHAR)`;
}

function keyJson(pair: TablePair, alias: string): string {
  return `CAST(to_json(struct_pack(${pair.key.map((k, i) => `${quoteIdent(k)} := ${alias}.k${i}`).join(', ')})) AS VARCHAR)`;
}
