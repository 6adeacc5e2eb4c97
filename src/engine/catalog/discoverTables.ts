import type { ResolvedConfig } from '../../config/resolvedConfig.js';
import type { Database } from '../../db/database.js';
import { displayName, listTables, localCatalog, type TableInfo } from './catalog.js';
import { selectTables, type TableSelection } from './selectTables.js';
import type { TablePair } from './tablePair.js';

export interface Discovery {
  pairs: TablePair[];
  /** Local tables by local display name. */
  localTables: Map<string, TableInfo>;
}

/** Lists both catalogs and resolves the table pairs to work on (unknown names fail here, before any work). */
export async function discoverTables(db: Database, config: ResolvedConfig, selection: TableSelection): Promise<Discovery> {
  const remoteTables = await db.withRemote(true, () => listTables(db, db.remote.catalog, true));
  const local = await listTables(db, await localCatalog(db));
  const pairs = selectTables(remoteTables, local, config, selection);
  return { pairs, localTables: new Map(local.map((t) => [displayName(t.schema, t.name), t])) };
}
