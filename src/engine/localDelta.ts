import type { Database } from '../db/database.js';
import { qualify } from '../db/quote.js';
import { engineRowHash } from './fingerprint.js';
import { STATE_SCHEMA } from './internalNames.js';
import { kList, kMatch, kMatchUser, kSelect } from './keySql.js';
import type { TablePair } from './tablePair.js';

/**
 * Local changes since the baseline, whoever made them (design decision 3): compares every local
 * row's hash with the baseline. Creates `temp.sync_ld(k…, lh, bh)`: lh NULL = deleted locally,
 * bh NULL = inserted locally. Returns the number of changed keys.
 */
export async function computeLocalDelta(db: Database, pair: TablePair, baselineTable: string): Promise<number> {
  const local = qualify(pair.local.schema, pair.local.table);
  const baseline = qualify(STATE_SCHEMA, baselineTable);
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  const k = pair.key.map((_k, i) => `coalesce(l.k${i}, b.k${i}) AS k${i}`).join(', ');
  await db.run(
    `CREATE OR REPLACE TEMP TABLE sync_ld AS
       WITH l AS (SELECT ${kSelect(pair, 'local', 't')}, ${h} AS h FROM ${local} t)
       SELECT ${k}, l.h AS lh, b.h AS bh FROM l FULL JOIN ${baseline} b ON ${kMatch(pair, 'l', 'b')}
        WHERE l.h IS DISTINCT FROM b.h`,
  );
  const [row] = await db.all<{ n: bigint }>('SELECT count(*) AS n FROM temp.sync_ld');
  return Number(row?.n ?? 0);
}

/**
 * Copies the local rows changed since the baseline (inserted or updated, per temp.sync_ld) into
 * `temp.sync_lrows`, in the transaction that compared them: the push sends these versions even if
 * the table is written again before the push (which then finds those writes as new changes).
 */
export async function snapshotChangedRows(db: Database, pair: TablePair): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE sync_lrows AS
       SELECT t.* FROM ${qualify(pair.local.schema, pair.local.table)} t
         JOIN (SELECT ${kList(pair)} FROM temp.sync_ld WHERE lh IS NOT NULL) d ON ${kMatchUser(pair, 'local', 't', 'd')}`,
  );
}
