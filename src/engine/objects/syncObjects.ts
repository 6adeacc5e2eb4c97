import type { Database } from '../../db/database.js';
import type { Logger } from '../../log/logger.js';
import type { Discovery } from '../catalog/discoverTables.js';
import { displayName, listCatalog } from '../catalog/catalog.js';
import { writeStateValue } from '../state/stateTables.js';
import { readStateValue } from '../state/stateValues.js';
import { applyObjects } from './applyObjects.js';
import { planObjects, type ObjectRules } from './planObjects.js';
import { planTableDetails } from './planTableDetails.js';
import { objectKey } from './schemaObject.js';
import type { ObjectResult } from '../api.js';

/** Key of the object baseline in `_duckdb_sync.state`: the definitions both sides had after the last sync. */
const BASELINE_KEY = 'objects';

export interface ObjectSyncOptions {
  rules: Omit<ObjectRules, 'localCatalog' | 'remoteCatalog' | 'remoteSequences'>;
  dryRun: boolean;
  logger: Logger;
}

/**
 * Syncs the catalogs' objects around the tables (`syncTables`): schemas and sequences first (a
 * table may draw its DEFAULT from a sequence), then the tables, then views, macros, comments and
 * what the synced tables lack of their remote's definition. Failures are per object.
 */
export async function syncObjects<T>(db: Database, discovery: Discovery, options: ObjectSyncOptions, syncTables: () => Promise<T>): Promise<{ tables: T; objects: ObjectResult[] }> {
  const rules: ObjectRules = { ...options.rules, localCatalog: db.localCatalog, remoteCatalog: db.remote.catalog, remoteSequences: db.remote.storage !== 'ducklake' };
  const baseline = new Map(JSON.parse((await readStateValue(db, BASELINE_KEY)) ?? '[]') as Array<[string, string]>);
  const changes = planObjects(discovery.remoteObjects, discovery.localObjects, baseline, rules);
  const first = await applyObjects(db, changes.filter((c) => c.before), options.dryRun, options.logger);
  const tables = await syncTables();
  const then = await applyObjects(db, changes.filter((c) => !c.before), options.dryRun, options.logger);
  // Tables this sync created are listed again (for their comments); the others are as discovery found them.
  const created = !options.dryRun && discovery.pairs.some((p) => !p.localOnly && !discovery.localTables.has(p.name));
  const localTables = created
    ? new Map((await listCatalog(db, db.localCatalog, { objects: false })).tables.map((t) => [displayName(t.schema, t.name), t]))
    : discovery.localTables;
  // A push-only sync never writes local tables' definitions either.
  const details = rules.pull ? planTableDetails(discovery.pairs.filter((p) => !rules.excluded(p.name)), localTables, db.localCatalog) : [];
  const last = await applyObjects(db, details, options.dryRun, options.logger);
  if (!options.dryRun) {
    const next = JSON.stringify([...nextBaseline(discovery, baseline, [...first.settled, ...then.settled])]);
    // Unchanged, it is not written: a sync with nothing to do leaves the file as it was.
    if (next !== JSON.stringify([...baseline])) await writeStateValue(db, BASELINE_KEY, next);
  }
  return { tables, objects: [...first.results, ...then.results, ...last.results] };
}

/**
 * The object baseline after this sync: definitions equal on both sides, and those a change made
 * equal; an object changed on one side and not applied keeps its old entry (the next sync still
 * knows which side changed); objects gone from the remote are forgotten.
 */
function nextBaseline(discovery: Discovery, old: ReadonlyMap<string, string>, settled: Array<[string, string]>): Map<string, string> {
  const local = new Map(discovery.localObjects.map((o) => [objectKey(o), o.definition]));
  const next = new Map<string, string>();
  for (const r of discovery.remoteObjects) {
    const key = objectKey(r);
    if (local.get(key) === r.definition) next.set(key, r.definition);
    else if (old.has(key)) next.set(key, old.get(key) as string);
  }
  for (const [key, definition] of settled) next.set(key, definition);
  return next;
}
