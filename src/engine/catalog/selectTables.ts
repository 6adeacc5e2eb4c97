import { configExcluded, type ResolvedConfig } from '../../config/resolvedConfig.js';
import type { TableSettings } from '../../config/schema.js';
import type { RemoteStorage } from '../../remote/remote.js';
import { UnknownTableError } from '../../errors.js';
import { displayName, type TableInfo } from './catalog.js';
import { buildTablePair, splitName, type TablePair } from './tablePair.js';

export interface TableSelection {
  /** Tables named on the command line (local names); default: the config's include, else all. */
  tables?: string[] | undefined;
  /** Tables left out (added to the config's exclude). */
  exclude?: string[] | undefined;
}

/**
 * Resolves which table pairs a command works on. Names given by the user that match no table are
 * an error before any work is done. On a DuckLake remote (`storage`), whose tables hold no primary
 * key, a table's key is the local table's primary key, unless the config names one.
 */
export function selectTables(remoteTables: TableInfo[], localTables: TableInfo[], config: ResolvedConfig, selection: TableSelection, storage: RemoteStorage = 'duckdb'): TablePair[] {
  const remoteToLocal = new Map<string, string>();
  for (const [localName, settings] of Object.entries(config.tables)) {
    if (settings.remoteTable) remoteToLocal.set(settings.remoteTable, localName);
  }
  const pairsByName = new Map<string, TableInfo>();
  const aliases = new Map<string, string>();
  for (const info of remoteTables) {
    const remoteName = displayName(info.schema, info.name);
    const localName = remoteToLocal.get(remoteName) ?? remoteName;
    pairsByName.set(localName, info);
    aliases.set(localName, localName);
    aliases.set(remoteName, localName);
    if (info.schema === 'main') aliases.set(`main.${info.name}`, localName);
  }
  // Tables only the local side has: their remote twin is described by the local table and the mapping.
  const localOnly = new Set<string>();
  for (const info of localTables) {
    const localName = displayName(info.schema, info.name);
    if (pairsByName.has(localName)) continue;
    pairsByName.set(localName, remoteTwin(info, config.tables[localName]?.remoteTable ?? localName, config.tables[localName]?.columns ?? {}));
    localOnly.add(localName);
    aliases.set(localName, localName);
    if (info.schema === 'main') aliases.set(`main.${info.name}`, localName);
  }
  const available = [...pairsByName.keys()];
  const resolve = (name: string): string => {
    const localName = aliases.get(name);
    if (localName === undefined) throw new UnknownTableError(name, available);
    return localName;
  };
  const wanted = selection.tables?.length ? selection.tables : config.include;
  const chosen = wanted ? [...new Set(wanted.map(resolve))] : available;
  // Names excluded in the config may be absent from the remote; names given now must exist.
  const excluded = new Set([...configExcluded(config).map((n) => aliases.get(n) ?? n), ...(selection.exclude ?? []).map(resolve)]);
  const localByName = new Map(localTables.map((t) => [displayName(t.schema, t.name), t]));
  const settingsOf = (name: string, remote: TableInfo): TableSettings => {
    const settings = config.tables[name] ?? {};
    const localKey = localByName.get(name)?.primaryKey ?? [];
    return storage === 'ducklake' && !settings.key && !remote.primaryKey.length && localKey.length ? { ...settings, key: localKey } : settings;
  };
  return chosen
    .filter((name) => !excluded.has(name))
    .map((name) => {
      const remote = pairsByName.get(name) as TableInfo;
      return { ...buildTablePair(remote, name, settingsOf(name, remote)), localOnly: localOnly.has(name) };
    });
}

/** How a table that exists only locally will look on the remote: same types, key and constraints, mapped names (CHECK texts keep the local names: tableBodySql). */
function remoteTwin(info: TableInfo, remoteName: string, columns: Record<string, string>): TableInfo {
  const { schema, table } = splitName(remoteName);
  const rename = (c: string): string => columns[c] ?? c;
  return {
    ...info,
    schema,
    name: table,
    columns: info.columns.map((c) => ({ ...c, name: rename(c.name) })),
    primaryKey: info.primaryKey.map(rename),
    unique: info.unique?.map((u) => u.map(rename)),
  };
}
