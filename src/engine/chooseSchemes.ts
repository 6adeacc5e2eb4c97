import type { Database } from '../db/database.js';
import { toSyncError, type SyncError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { FingerprintScheme, RemoteFingerprints } from '../remote/remote.js';
import { cursorState } from './catalog/cursor.js';
import type { Discovery } from './catalog/discoverTables.js';
import { checkServerHashes, type HashCheckTarget } from './compare/serverHashes.js';
import { baselineExists } from './state/baseline.js';
import { columnSignature } from './catalog/columnSignature.js';
import { dropKeylessJournal, keylessJournalExists } from './state/keylessPushJournal.js';
import { dropJournal, journalPending } from './state/pushJournal.js';
import { dropCanonicalFingerprints, refillFingerprints } from './state/hashes/refillFingerprints.js';
import { readTableMetadata, recordBaselineColumns } from './state/tableMetadata.js';
import type { Direction, TableMetadata } from './api.js';

/** The fingerprint scheme a table is compared with in this run. */
export interface TableScheme {
  scheme: FingerprintScheme;
  /** Why a dry run plans nothing else for the table (its baseline must first be given canonical fingerprints). */
  blocked?: string;
  /** What was done to the baseline, for the table's warnings. */
  note?: string;
  /** Why the table cannot be synced this run (its baseline could not be given canonical fingerprints). */
  failed?: SyncError;
}

/** The scheme a recorded column signature names (baseline.ts columnSignature). */
export function recordedScheme(meta: TableMetadata | undefined): FingerprintScheme | undefined {
  if (!meta?.columnSignature) return undefined;
  const { scheme } = JSON.parse(meta.columnSignature) as { scheme?: string };
  return scheme === 'engine' || scheme === 'canonical' ? scheme : undefined;
}

interface Candidate extends HashCheckTarget {
  recorded: FingerprintScheme;
}

/**
 * The fingerprint scheme of each table this run, for a remote whose scheme is `checked`
 * (MotherDuck): `engine` where the server is found to hash the table's rows as this client does
 * (serverHashes.ts, one round trip for all tables), `canonical` where it is not. A baseline keeps
 * this client's hash `h` always, and the canonical `f` only while its table is compared by it:
 * - a table whose baseline keeps `f` and whose server agrees drops `f` (a baseline written before
 *   this check existed, or while the server differed);
 * - a table whose baseline keeps only `h` and whose server differs gets `f` in one pass over its
 *   rows (refillFingerprints.ts: from the local rows, and the remote's versions of rows changed
 *   locally), so nothing pending is lost or turned into a conflict; a push journal left by a push
 *   cut short is dropped then (its versions are hashes the server cannot match);
 * - without evidence (an empty table on a side) the baseline's scheme is kept; a table without a
 *   baseline starts with `engine` (its full pull writes `h` only; the next run checks); so does a
 *   keyed table in a push (it compares the remote versions of its rows, read by key and hashed here).
 * A dry run changes no baseline: it keeps the recorded scheme where that is correct and plans
 * nothing else for a table whose baseline needs `f` first. Tables of a baseline written by another
 * DuckDB release are left to engineUpgrade.ts (checked by the next run).
 * Other remotes' schemes are fixed: every table gets it.
 */
export async function chooseSchemes(
  db: Database,
  discovery: Discovery,
  options: { fingerprints: RemoteFingerprints; direction: Direction; engineVersion: string; dryRun: boolean; logger: Logger },
): Promise<Map<string, TableScheme>> {
  const schemes = new Map<string, TableScheme>();
  const fixed = options.fingerprints;
  if (fixed !== 'checked') {
    for (const pair of discovery.pairs) schemes.set(pair.name, { scheme: fixed });
    return schemes;
  }
  const metadata = new Map((await readTableMetadata(db)).map((m) => [m.tableName, m]));
  const candidates: Candidate[] = [];
  for (const pair of discovery.pairs) {
    const meta = metadata.get(pair.name);
    const recorded = recordedScheme(meta);
    schemes.set(pair.name, { scheme: recorded ?? 'engine' });
    if (pair.localOnly || !recorded || !meta?.baselineTable || !discovery.localTables.has(pair.name)) continue;
    // A keyed push reads the remote versions of its rows and hashes them here: no server hash is compared.
    if (pair.key.length && options.direction === 'push') continue;
    if (meta.columnSignature !== columnSignature(pair, recorded) || meta.engineVersion !== options.engineVersion) continue;
    if (await baselineExists(db, meta.baselineTable)) candidates.push({ pair, baselineTable: meta.baselineTable, recorded, cursor: cursorState(pair, meta) });
  }
  if (!candidates.length) return schemes;
  const verdicts = await db.retryingRemote("checking the server's hashes", () => db.withRemote(true, () => checkServerHashes(db, candidates)));
  for (const { pair, baselineTable, recorded } of candidates) {
    const verdict = verdicts.get(pair.name) ?? 'unknown';
    options.logger.debug(`${pair.name}: the server's hashes ${verdict === 'agree' ? "agree with this client's" : verdict === 'differ' ? "differ from this client's" : 'cannot be compared (no rows)'}`);
    const wanted: FingerprintScheme = verdict === 'agree' ? 'engine' : verdict === 'differ' ? 'canonical' : recorded;
    if (wanted === recorded) continue;
    if (wanted === 'engine') {
      // A canonical baseline is correct whatever the server runs: it stays while a push is pending, and in a dry run.
      if (options.dryRun || (await journalPending(db, baselineTable)) || (await keylessJournalExists(db, baselineTable))) continue;
      await db.transaction(async () => {
        await dropCanonicalFingerprints(db, baselineTable);
        await recordBaselineColumns(db, pair, 'engine', baselineTable);
      });
      schemes.set(pair.name, { scheme: 'engine' });
      continue;
    }
    const why = "the remote's server hashes rows differently from this client";
    if (options.dryRun) {
      schemes.set(pair.name, { scheme: recorded, blocked: `${why}: a sync first gives the baseline version-stable fingerprints (one pass over the rows); its changes are planned after that` });
      continue;
    }
    try {
      const write = await db.retryingRemote(pair.name, () => refillFingerprints(db, pair, baselineTable, 'f'));
      await db.transaction(async () => {
        await write();
        await dropJournal(db, baselineTable);
        await dropKeylessJournal(db, baselineTable);
        await recordBaselineColumns(db, pair, 'canonical', baselineTable);
      });
      schemes.set(pair.name, { scheme: 'canonical', note: `${why}: the baseline was given version-stable fingerprints (one pass over the rows)` });
    } catch (error) {
      // The baseline is as it was (one local transaction): this table waits for the next run, the others go on.
      schemes.set(pair.name, { scheme: recorded, failed: toSyncError(error) });
    }
  }
  return schemes;
}
