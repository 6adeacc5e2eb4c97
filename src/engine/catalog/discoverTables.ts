import type { ResolvedConfig } from '../../config/resolvedConfig.js';
import type { Database } from '../../db/database.js';
import { objectName, type SchemaObject } from '../objects/schemaObject.js';
import { displayName, listCatalog, localCatalog, type TableInfo } from './catalog.js';
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
 * Lists both catalogs (the remote in one statement) and resolves the table pairs to work on
 * (unknown names fail here, before any work). A name left out with `exclude` may name an object.
 * Objects are listed only when `want.objects` (listing macros costs ~0.1 s a side): a library push
 * or `verify` does without.
 */
export async function discoverTables(db: Database, config: ResolvedConfig, selection: TableSelection, want: { objects: boolean }): Promise<Discovery> {
  const remote = await db.withRemote(true, () => listCatalog(db, db.remote.catalog, { isRemote: true, objects: want.objects }));
  const local = await listCatalog(db, await localCatalog(db), { objects: want.objects });
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
