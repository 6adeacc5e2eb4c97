import type { Database } from '../db/database.js';
import { toSyncError } from '../errors.js';
import type { Discovery } from './catalog/discoverTables.js';
import { cursorState } from './catalog/cursor.js';
import { localMatchesBaseline } from './compare/localDelta.js';
import { comparedByBuckets } from './rows/hashedDifference.js';
import { probeRemote, type ProbeOutcome, type ProbeTarget } from './compare/remoteProbe.js';
import { comparedBaseline } from './state/baseline.js';
import { hashProbeWanting } from './state/hashes/hashProbe.js';
import { keylessJournalExists } from './state/keylessPushJournal.js';
import { journalPending } from './state/pushJournal.js';
import { readTableMetadata } from './state/tableMetadata.js';
import type { TableScheme } from './chooseSchemes.js';
import type { SyncContext } from './syncContext.js';

/** A table with nothing to do: unchanged on both sides since its baseline. */
export interface UnchangedTable {
  pair: ProbeTarget['pair'];
  /** The remote change log's newest sequence number, to record as seen. */
  logSeq: number | null;
}

export interface TableProbes {
  /** What the probe found of each probed table's remote side. */
  probes: Map<string, ProbeOutcome>;
  /** Tables that need no work at all: remote unchanged, local file as the last sync left them, nothing pending. */
  unchanged: UnchangedTable[];
}

/**
 * Before an incremental sync that pulls: which tables' remote side changed since their baselines,
 * all tables in one round trip (remoteProbe.ts), and which tables have nothing to do at all: their
 * local side is as the last sync left the file, or its rows' summary equals the baseline's
 * (localMatchesBaseline), no push of theirs is left to settle and their baseline's hash probe is
 * complete. A probe that fails is not
 * fatal: each table is then compared on its own, as without it.
 */
export async function probeTables(db: Database, discovery: Discovery, ctx: SyncContext, schemes: ReadonlyMap<string, TableScheme>): Promise<TableProbes> {
  const none: TableProbes = { probes: new Map(), unchanged: [] };
  if (ctx.mode !== 'incremental' || ctx.direction === 'push') return none;
  const metadata = new Map((await readTableMetadata(db)).map((m) => [m.tableName, m]));
  const targets: ProbeTarget[] = [];
  for (const pair of discovery.pairs) {
    const meta = metadata.get(pair.name);
    const scheme = schemes.get(pair.name);
    // A partial replica whose filter changed is re-scoped by its own sync.
    if (pair.localOnly || !scheme || scheme.blocked || (meta?.scopeFilter ?? null) !== (pair.scope?.where ?? null)) continue;
    const baselineTable = await comparedBaseline(db, pair, discovery.localTables.get(pair.name), scheme.scheme, meta, ctx.engineVersion);
    if (baselineTable) targets.push({ pair, baselineTable, cursor: cursorState(pair, meta), scheme: scheme.scheme, seenLogSeq: meta?.logSeq ?? null });
  }
  if (!targets.length) return none;
  let probes: Map<string, ProbeOutcome>;
  try {
    probes = await db.retryingRemote('comparing the remote with the baselines', () => db.withRemote(true, () => probeRemote(db, targets)));
  } catch (error) {
    ctx.logger.debug(`remote probe failed, each table is compared on its own: ${toSyncError(error).message}`);
    return none;
  }
  const changed = [...probes].filter(([, p]) => !p.unchanged).map(([name]) => name);
  ctx.logger.debug(`remote probe: ${probes.size} table(s) probed, changed on the remote: ${changed.length ? changed.join(', ') : 'none'}`);
  const unchanged: UnchangedTable[] = [];
  for (const { pair, baselineTable } of targets) {
    const probe = probes.get(pair.name);
    if (!probe?.unchanged) continue;
    const pending = pair.key.length ? await journalPending(db, baselineTable) : await keylessJournalExists(db, baselineTable);
    // A hash probe still to write (hashProbe.ts) is written by the table's own sync.
    if (pending || (await hashProbeWanting(db, baselineTable, metadata.get(pair.name)?.rowCount ?? 0))) continue;
    // The local side: as the last sync left the file, or found equal to the baseline by one summary.
    // A large keyed table is left to its own sync, whose first pass over it (bucket summaries,
    // computeLocalDelta) tells as much and costs no round trip when nothing changed: one pass, not two.
    if (ctx.local.unchanged.has(pair.name)) unchanged.push({ pair, logSeq: probe.logSeq });
    else if (!comparedByBuckets(pair, metadata.get(pair.name)?.rowCount ?? 0) && (await localMatchesBaseline(db, pair, baselineTable))) unchanged.push({ pair, logSeq: probe.logSeq });
  }
  return { probes, unchanged };
}
