import type { ResolvedConfig } from '../../config/resolvedConfig.js';
import type { Database } from '../../db/database.js';
import { objectName, type SchemaObject } from '../objects/schemaObject.js';
import { type CatalogListing, displayName, listCatalog, listCatalogs, type TableInfo } from './catalog.js';
import { selectTables, type TableSelection } from './selectTables.js';
import type { TablePair } from './tablePair.js';
import { compileScope } from './scopeFilter.js';

export interface Discovery {
  pairs: TablePair[];
  /** Local tables by local display name. */
  localTables: Map<string, TableInfo>;
  /** Views, macros, sequences and schemas of each side (empty unless asked for). */
  remoteObjects: SchemaObject[];
  localObjects: SchemaObject[];
}

/**
 * Lists both catalogs (in one statement: listCatalogs) and resolves the table pairs to work on
 * (unknown names fail here, before any work). A name left out with `exclude` may name an object.
 * Objects are listed only when `want.objects` (listing macros costs ~0.1 s a side): a library push
 * or `verify` does without.
 */
export async function discoverTables(db: Database, config: ResolvedConfig, selection: TableSelection, want: { objects: boolean }): Promise<Discovery> {
  const [remote, local] = await db.withRemote(true, () => bothCatalogs(db, want.objects));
  const tableNames = new Set([...remote.tables, ...local.tables].flatMap((t) => [displayName(t.schema, t.name), `${t.schema}.${t.name}`]));
  const objectNames = new Set([...remote.objects, ...local.objects].map(objectName));
  const exclude = selection.exclude?.filter((n) => tableNames.has(n) || !objectNames.has(n));
  const pairs = selectTables(remote.tables, local.tables, config, { ...selection, exclude }, db.remote.storage);
  // Partial replicas: each filter checked (exit 2 before anything changes) and rendered for both sides.
  for (const pair of pairs) if (pair.settings.where) pair.scope = await compileScope(db, pair, pair.settings.where);
  return {
    pairs,
    localTables: new Map(local.tables.map((t) => [displayName(t.schema, t.name), t])),
    remoteObjects: remote.objects,
    localObjects: local.objects,
  };
}

/** The remote's and the local's listings; in two statements only when the two catalogs share a name. */
async function bothCatalogs(db: Database, objects: boolean): Promise<[CatalogListing, CatalogListing]> {
  const catalogs = [db.remote.catalog, db.localCatalog];
  if (catalogs[0] !== catalogs[1]) {
    const [remote, local] = await listCatalogs(db, catalogs, { remote: db.remote.catalog, objects });
    if (remote && local) return [remote, local];
  }
  return [await listCatalog(db, db.remote.catalog, { isRemote: true, objects }), await listCatalog(db, db.localCatalog, { objects })];
}
