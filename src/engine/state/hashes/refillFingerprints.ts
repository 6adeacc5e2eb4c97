import type { Database } from '../../../db/database.js';
import { qualify } from '../../../duckdb/quote.js';
import { type TablePair, remoteRows } from '../../catalog/tablePair.js';
import { localRef } from '../../catalog/tablePair.js';
import { engineRowHash } from '../../rows/fingerprint.js';
import { rowFp } from '../../rows/fingerprintScheme.js';
import { keyInUser, kList, kMatch, kSelect, rowsSelect } from '../../rows/keySql.js';
import { TEMP } from '../../rows/tempTables.js';
import { STATE_SCHEMA } from '../internalNames.js';
import { writeHashProbe } from './hashProbe.js';

/**
 * Gives a baseline's rows a fingerprint column computed anew from another one it keeps (`h`, this
 * DuckDB release's hash(); `f`, the canonical md5): `wanted` is filled for every baseline row whose
 * version is still known, matched by the `known` column. From the local row when the local side
 * still holds the baseline's version, else from the remote row when the remote still does (keyed:
 * read by key, only for rows changed locally; keyless, when `wanted` is `f`: every remote row, only
 * when some baseline row is no longer found locally). Remote rows are fingerprinted here, never
 * where they are stored (another release may run there). A row changed on both sides keeps its
 * old value (or none): it matches neither side, as a row changed on both sides should.
 *
 * Used when this client's DuckDB release hashes differently from the one that wrote the baseline
 * (engineUpgrade.ts: `h` from `f`), and when a MotherDuck server hashes differently from this
 * client (chooseSchemes.ts: `f` from `h`). Reads now (the remote must be attached); returns the
 * writes, to run inside the caller's local transaction.
 */
export async function refillFingerprints(db: Database, pair: TablePair, baselineTable: string, wanted: 'h' | 'f'): Promise<() => Promise<void>> {
  const known = wanted === 'h' ? 'f' : 'h';
  const baseline = qualify(STATE_SCHEMA, baselineTable);
  const local = localRef(db, pair);
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  const f = rowFp(pair, 'local', 'canonical', 't');
  const remote = remoteRows(db, pair);
  if (!pair.key.length) {
    const versions = (rows: string): string => `(SELECT DISTINCT ${h} AS h, ${f} AS f FROM ${rows} t)`;
    let fromRemote = false;
    if (wanted === 'f') {
      // Baseline rows no longer held locally: their fingerprints can only come from the remote's rows.
      await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.rehash_l} AS SELECT * FROM ${versions(local)}`);
      const [missing] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${baseline} b WHERE b.h NOT IN (SELECT h FROM ${TEMP.rehash_l})`);
      fromRemote = (missing?.n ?? 0n) > 0n;
      if (fromRemote) await db.withRemote(true, () => db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.rehash_rrows} AS SELECT ${rowsSelect(pair)} FROM ${remote} r`));
    }
    return async () => {
      if (wanted === 'f') {
        // Rebuilt rather than altered: a keyless baseline's columns are (h, f, n) in this order (rows are inserted by position).
        const found = fromRemote ? `(SELECT * FROM ${TEMP.rehash_l} UNION ALL SELECT * FROM ${versions(TEMP.rehash_rrows)})` : TEMP.rehash_l;
        await db.run(
          `CREATE OR REPLACE TABLE ${baseline} AS SELECT b.h, x.f, b.n FROM ${baseline} b LEFT JOIN (SELECT h, any_value(f) AS f FROM ${found} GROUP BY h) x ON x.h = b.h`,
        );
      } else {
        await db.run(`UPDATE ${baseline} b SET h = x.h FROM ${versions(local)} x WHERE b.f = x.f`);
      }
      await writeHashProbe(db, pair, baselineTable);
      for (const t of [TEMP.rehash_l, TEMP.rehash_rrows]) await db.run(`DROP TABLE IF EXISTS ${t}`);
    };
  }
  const versions = (rows: string): string => `SELECT ${kSelect(pair, 'local', 't')}, ${h} AS h, ${f} AS f FROM ${rows} t`;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.rehash_l} AS ${versions(local)}`);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.rehash_keys} AS SELECT ${kList(pair, 'b')} FROM ${baseline} b
      WHERE NOT EXISTS (SELECT 1 FROM ${TEMP.rehash_l} x WHERE ${kMatch(pair, 'b', 'x')} AND x.${known} = b.${known})`,
  );
  await db.withRemote(true, () =>
    db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.rehash_rrows} AS SELECT ${rowsSelect(pair)} FROM ${remote} r WHERE ${keyInUser(pair, 'remote', 'r', TEMP.rehash_keys)}`),
  );
  return async () => {
    if (wanted === 'f') await db.run(`ALTER TABLE ${baseline} ADD COLUMN IF NOT EXISTS f UBIGINT`);
    for (const rows of [TEMP.rehash_l, `(${versions(TEMP.rehash_rrows)})`]) {
      await db.run(`UPDATE ${baseline} b SET ${wanted} = x.${wanted} FROM ${rows} x WHERE ${kMatch(pair, 'b', 'x')} AND b.${known} = x.${known}`);
    }
    await writeHashProbe(db, pair, baselineTable);
    for (const t of [TEMP.rehash_l, TEMP.rehash_keys, TEMP.rehash_rrows]) await db.run(`DROP TABLE IF EXISTS ${t}`);
  };
}

/** Drops a baseline's canonical fingerprints (inside the caller's local transaction): its table is compared by hash() again. */
export async function dropCanonicalFingerprints(db: Database, baselineTable: string): Promise<void> {
  await db.run(`ALTER TABLE ${qualify(STATE_SCHEMA, baselineTable)} DROP COLUMN IF EXISTS f`);
}
