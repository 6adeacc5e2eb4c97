import type { Database } from '../../db/database.js';
import { qualify } from '../../db/quote.js';
import { columnSignature } from './baseline.js';
import { engineRowHash } from '../rows/fingerprint.js';
import { rowFp } from '../rows/fingerprintScheme.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import { probeHashesAgree, writeHashProbe } from './hashProbe.js';
import { STATE_SCHEMA } from './internalNames.js';
import { keyInUser, kList, kMatch, kSelect, rowsSelect } from '../rows/keySql.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';
import { recordEngineVersion, type TableMetadata } from './tableMetadata.js';
import { TEMP } from '../rows/tempTables.js';

/** What became of a baseline written by another DuckDB release. */
export type BaselineAdoption =
  /** Written by this release, or none: nothing to do. */
  | { kind: 'none' }
  /** This release hashes the probe's rows alike: the baseline is used as it is. */
  | { kind: 'same-hashes'; from: string }
  /** Hashes differ; the baseline's version-stable fingerprints gave every unchanged row its new hash. */
  | { kind: 'rehashed'; from: string; note: string }
  /** Hashes differ and the baseline keeps no version-stable fingerprint: it cannot be used. */
  | { kind: 'unusable'; from: string; note: string };

/**
 * Makes a baseline written by another DuckDB release (duckdb-sync or its DuckDB was upgraded, or
 * downgraded) usable by this one, so that an upgrade neither re-pulls tables nor turns pending local
 * edits into conflicts:
 *
 * 1. The hash probe (hashProbe.ts) is hashed again (without one, the table's first rows are looked
 *    up in the baseline). Equal hashes: this release hashes the table's column types as the old one
 *    did, and the baseline is adopted as it is (no pass over the rows).
 * 2. Otherwise, a baseline that keeps the canonical fingerprint `f` (MotherDuck remotes, whose
 *    server runs its own DuckDB release) is rehashed in one pass over the local rows: each row
 *    whose canonical fingerprint still equals the baseline's gets this release's hash, from the
 *    local row or, for rows changed locally, from the remote row read by key (see rehash below).
 * 3. Otherwise (file remotes keep only hash(), and canonical fingerprints cost ~15× more to keep)
 *    the baseline is unusable: the table is pulled in full and local versions it replaces are kept
 *    in dewey_sync_conflicts, as for any table without a baseline.
 *
 * The adoption is recorded at once (engine_version of the table's metadata) in a local
 * transaction, unless this is a dry run. Push journals keep their old hashes: a push cut short
 * just before an upgrade to a release that hashes differently may surface as a conflict, whose
 * losing version is kept.
 */
export async function adoptBaseline(
  db: Database,
  pair: TablePair,
  scheme: FingerprintScheme,
  meta: TableMetadata | undefined,
  engineVersion: string,
  dryRun: boolean,
): Promise<BaselineAdoption> {
  if (!meta?.baselineTable || !meta.engineVersion || meta.engineVersion === engineVersion) return { kind: 'none' };
  const from = meta.engineVersion;
  const baselineTable = meta.baselineTable;
  const record = async (body?: () => Promise<void>): Promise<void> => {
    meta.engineVersion = engineVersion;
    if (dryRun) return;
    await db.transaction(async () => {
      if (body) await body();
      await recordEngineVersion(db, pair.name, engineVersion);
    });
  };
  if (await probeHashesAgree(db, pair, baselineTable)) {
    await record();
    return { kind: 'same-hashes', from };
  }
  const canRehash = scheme === 'canonical' && meta.columnSignature === columnSignature(pair, scheme);
  if (!canRehash) {
    return {
      kind: 'unusable',
      from,
      note: `DuckDB ${engineVersion} hashes this table's rows differently from ${from}, and its baseline keeps no version-stable fingerprint: pulled in full`,
    };
  }
  if (dryRun) return { kind: 'rehashed', from, note: `a sync first rehashes the baseline written by DuckDB ${from} (one pass over the rows); its changes are planned after that` };
  await record(await rehash(db, pair, scheme, baselineTable));
  return { kind: 'rehashed', from, note: `baseline written by DuckDB ${from} rehashed for ${engineVersion} (one pass over the rows)` };
}

/**
 * Gives every baseline row whose version is still known this release's hash, by its canonical
 * fingerprint: from the local row when the local side still holds the baseline's version, else from
 * the remote row (read by key, only for rows changed locally) when the remote still does. A row
 * changed on both sides keeps its old hash: it matches neither side, as a row changed on both sides
 * should. Remote rows are hashed here, never where they are stored (another release may run there).
 */
async function rehash(db: Database, pair: TablePair, scheme: FingerprintScheme, baselineTable: string): Promise<() => Promise<void>> {
  const baseline = qualify(STATE_SCHEMA, baselineTable);
  const local = localRef(db, pair);
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  const f = rowFp(pair, 'local', scheme, 't');
  if (!pair.key.length) {
    // Keyless tables are compared by the canonical fingerprint itself; the hash only counts rows.
    return async () => {
      await db.run(`UPDATE ${baseline} b SET h = x.h FROM (SELECT DISTINCT ${h} AS h, ${f} AS f FROM ${local} t) x WHERE b.f = x.f`);
      await writeHashProbe(db, pair, baselineTable);
    };
  }
  const versions = (rows: string): string => `SELECT ${kSelect(pair, 'local', 't')}, ${h} AS h, ${f} AS f FROM ${rows} t`;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.rehash_l} AS ${versions(local)}`);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.rehash_keys} AS SELECT ${kList(pair, 'b')} FROM ${baseline} b
      WHERE NOT EXISTS (SELECT 1 FROM ${TEMP.rehash_l} x WHERE ${kMatch(pair, 'b', 'x')} AND x.f = b.f)`,
  );
  await db.withRemote(true, () =>
    db.run(
      `CREATE OR REPLACE TEMP TABLE ${TEMP.rehash_rrows} AS SELECT ${rowsSelect(pair)} FROM ${qualify(db.remote.catalog, pair.remote.schema, pair.remote.table)} r
        WHERE ${keyInUser(pair, 'remote', 'r', TEMP.rehash_keys)}`,
    ),
  );
  return async () => {
    for (const rows of [TEMP.rehash_l, `(${versions(TEMP.rehash_rrows)})`]) {
      await db.run(`UPDATE ${baseline} b SET h = x.h FROM ${rows} x WHERE ${kMatch(pair, 'b', 'x')} AND b.f = x.f`);
    }
    await writeHashProbe(db, pair, baselineTable);
    for (const t of [TEMP.rehash_l, TEMP.rehash_keys, TEMP.rehash_rrows]) await db.run(`DROP TABLE ${t}`);
  };
}
