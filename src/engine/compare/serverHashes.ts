import type { Database } from '../../db/database.js';
import { cursorBefore, type CursorState } from '../catalog/cursor.js';
import { type TablePair, remoteRows } from '../catalog/tablePair.js';
import { engineRowHash } from '../rows/fingerprint.js';
import { TEMP } from '../rows/tempTables.js';
import { baselineRef } from '../state/baseline.js';

/** Rows of each table whose hashes the server is asked for. */
export const SAMPLE_ROWS = 16;

/**
 * What a table's sample says about the remote's server: it hashes the table's rows as this client
 * does (`agree`), it does not (`differ`), or there is nothing to tell by (`unknown`: no rows on one
 * side).
 */
export type ServerHashes = 'agree' | 'differ' | 'unknown';

export interface HashCheckTarget {
  pair: TablePair;
  baselineTable: string;
  /** The table's cursor: the sample is taken among rows it says did not move since the last sync. */
  cursor: CursorState | undefined;
}

/**
 * Whether the remote's server hashes each table's rows as this client does, for every table in one
 * statement on the remote (one round trip) and one local statement. The server hashes up to
 * SAMPLE_ROWS of the table's rows, in the shape every remote fingerprint is computed in (a query of
 * the remote table alone), and the sample's hashes are looked up among the baseline's, which this
 * client computed. A row unchanged since the last sync hashes to its baseline entry only when both
 * releases hash alike (64-bit hashes do not meet by chance), so one found is `agree`. None found
 * among a sample, with rows in the baseline, is `differ`: another hash function, or every sampled
 * row changed on the remote since the last sync; either way canonical fingerprints are correct. A
 * table with a cursor is sampled among the rows its cursor says did not move, so that a cloud that
 * rewrote the table's first rows is not taken for another hash function. The remote must be attached.
 */
export async function checkServerHashes(db: Database, targets: HashCheckTarget[]): Promise<Map<string, ServerHashes>> {
  const found = new Map<string, ServerHashes>();
  if (!targets.length) return found;
  const params: string[] = [];
  const sampled = targets.map(({ pair, cursor }, i) => {
    const remote = remoteRows(db, pair);
    const h = engineRowHash(
      pair.columns.map((c) => c.remote),
      'r',
    );
    const unmoved = cursor?.watermark ? cursorBefore(cursor, 'r', `$${params.push(cursor.watermark)}`) : null;
    return `SELECT ${i} AS t, h FROM (SELECT ${h} AS h FROM ${remote} r${unmoved ? ` WHERE ${unmoved}` : ''} LIMIT ${SAMPLE_ROWS})`;
  });
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.hash_sample} AS ${sampled.join('\nUNION ALL\n')}`, params);
  const counted = targets.map(({ baselineTable }, i) => {
    const baseline = baselineRef(baselineTable);
    return `SELECT ${i} AS t, (SELECT count(*) FROM ${TEMP.hash_sample} WHERE t = ${i}) AS n,
                   (SELECT count(*) FROM ${baseline} WHERE h IN (SELECT h FROM ${TEMP.hash_sample} WHERE t = ${i})) AS m,
                   EXISTS (SELECT 1 FROM ${baseline}) AS b`;
  });
  const rows = await db.all<{ t: number; n: bigint; m: bigint; b: boolean }>(counted.join('\nUNION ALL\n'));
  await db.run(`DROP TABLE ${TEMP.hash_sample}`);
  for (const row of rows) {
    const target = targets[row.t];
    if (!target) continue;
    found.set(target.pair.name, row.m > 0n ? 'agree' : row.n > 0n && row.b ? 'differ' : 'unknown');
  }
  return found;
}
