import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import type { TableInfo } from '../catalog/catalog.js';
import { type TablePair, localRef, remoteRows } from '../catalog/tablePair.js';
import { engineRowHash } from '../rows/fingerprint.js';
import { kMatchUser, keyInUser, kSelect } from '../rows/keySql.js';
import { hashedDifference } from '../rows/hashedDifference.js';
import { TEMP } from '../rows/tempTables.js';
import type { FingerprintScheme } from '../../remote/remote.js';

/**
 * A full pull into a keyed table that already holds rows, written as the difference: the local
 * rows and the remote rows are hashed by key (DuckDB's hash(), in this process or, on MotherDuck,
 * by a server found to hash alike), and only the keys whose rows differ are deleted and inserted.
 * The outcome is the replace's (the local content equals the remote's), but a primary key index
 * sees only the changed keys: deleting and inserting every row of a 20M-row keyed table held its
 * index three times in memory (past the default limit) and took ~50 s for a table that had not
 * changed. Rows that hash alike are equal but for a 64-bit collision, the baseline's own bet.
 *
 * For tables whose columns are typed alike on both sides (else every row would differ): see
 * `replacesByDifference`.
 */

export interface Difference {
  /** Rows inserted (new on the remote, or different). */
  rowsPulled: number;
  /** Local rows whose key the remote does not have. */
  rowsDeleted: number;
  /** Rows the table holds now (the remote's). */
  rowCount: number;
  /** The new baseline. */
  baselineTable: string;
}

/** Whether a full pull into this existing local table is written as the difference. */
export function replacesByDifference(pair: TablePair, localInfo: TableInfo, scheme: FingerprintScheme): boolean {
  if (!pair.key.length || scheme !== 'engine') return false;
  return pair.columns.every((c) => localInfo.columns.find((l) => l.name === c.local)?.type === c.type);
}

/**
 * Replaces the local table's content with the remote's by difference (in the caller's local
 * transaction, the remote attached). `localHashes`: the local keys and row hashes (k…, h), made by
 * rows/hashedDifference.ts hashLocalRows (dropped here). `extra`: quoted local-only columns, kept
 * by key for the rows rewritten. `insert` runs the INSERT (with progress). `baseline` writes the new
 * baseline while the remote's keys and row hashes are in `TEMP.fr` (k…, h), its rows exactly.
 */
export async function replaceByDifference(
  db: Database,
  pair: TablePair,
  localHashes: string,
  extra: string[],
  insert: (sql: string) => Promise<number>,
  baseline: () => Promise<string>,
): Promise<Difference> {
  const local = localRef(db, pair);
  const remote = remoteRows(db, pair);
  const rh = engineRowHash(
    pair.columns.map((c) => c.remote),
    't',
  );
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.fr} AS SELECT ${kSelect(pair, 'remote', 't')}, ${rh} AS h FROM ${remote} t`);
  const [size] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${TEMP.fr}`);
  const rowCount = Number(size?.n ?? 0);
  await hashedDifference(db, pair, { a: localHashes, b: TEMP.fr, names: ['lh', 'rh'] }, TEMP.fd, rowCount);
  const [counts] = await db.all<{ gone: bigint; changed: bigint }>(
    `SELECT count(*) FILTER (WHERE rh IS NULL) AS gone, count(*) FILTER (WHERE lh IS NOT NULL AND rh IS NOT NULL) AS changed FROM ${TEMP.fd}`,
  );
  const changed = Number(counts?.changed ?? 0);
  const keepExtra = extra.length > 0 && changed > 0;
  if (keepExtra) await saveExtraColumns(db, pair, extra, keyInUser(pair, 'local', 't', TEMP.fd, 'p.lh IS NOT NULL AND p.rh IS NOT NULL'));
  await db.run(`DELETE FROM ${local} t WHERE ${keyInUser(pair, 'local', 't', TEMP.fd, 'p.lh IS NOT NULL')}`);
  const cols = (side: 'local' | 'remote'): string => pair.columns.map((c) => quoteIdent(side === 'local' ? c.local : c.remote)).join(', ');
  const rowsPulled = await insert(
    `INSERT INTO ${local} (${cols('local')}) SELECT ${cols('remote')} FROM ${remote} t WHERE ${keyInUser(pair, 'remote', 't', TEMP.fd, 'p.rh IS NOT NULL')}`,
  );
  if (keepExtra) await restoreExtraColumns(db, pair, extra);
  await db.run(`DROP TABLE ${TEMP.fd}`);
  await db.run(`DROP TABLE ${localHashes}`);
  const baselineTable = await baseline();
  await db.run(`DROP TABLE ${TEMP.fr}`);
  return { rowsPulled, rowsDeleted: Number(counts?.gone ?? 0), rowCount, baselineTable };
}

/** Keeps the values of the local-only columns `extra` (quoted) of the local rows `where` selects (alias `t`), by key. */
export async function saveExtraColumns(db: Database, pair: TablePair, extra: string[], where = 'true'): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.extra} AS SELECT ${kSelect(pair, 'local', 't')}, ${extra.map((c, i) => `t.${c} AS x${i}`).join(', ')} FROM ${localRef(db, pair)} t WHERE ${where}`,
  );
}

/** Gives the rows saveExtraColumns kept their values back, by key. */
export async function restoreExtraColumns(db: Database, pair: TablePair, extra: string[]): Promise<void> {
  await db.run(`UPDATE ${localRef(db, pair)} AS t SET ${extra.map((c, i) => `${c} = e.x${i}`).join(', ')} FROM ${TEMP.extra} e WHERE ${kMatchUser(pair, 'local', 't', 'e')}`);
  await db.run(`DROP TABLE ${TEMP.extra}`);
}
