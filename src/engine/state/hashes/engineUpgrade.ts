import type { Database } from '../../../db/database.js';
import { columnSignature } from '../../catalog/columnSignature.js';
import type { FingerprintScheme } from '../../../remote/remote.js';
import { probeHashesAgree } from './hashProbe.js';
import { refillFingerprints } from './refillFingerprints.js';
import type { TablePair } from '../../catalog/tablePair.js';
import { recordEngineVersion } from '../tableMetadata.js';
import type { TableMetadata } from '../../api.js';

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
 *    local row or, for rows changed locally, from the remote row read by key (refillFingerprints.ts).
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
  await record(await refillFingerprints(db, pair, baselineTable, 'h'));
  return { kind: 'rehashed', from, note: `baseline written by DuckDB ${from} rehashed for ${engineVersion} (one pass over the rows)` };
}
