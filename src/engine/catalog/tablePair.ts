import type { Database } from '../../db/database.js';
import { qualify } from '../../duckdb/quote.js';
import { ConfigError } from '../../errors.js';
import type { TableSettings } from '../../config/schema.js';
import { displayName, type TableInfo } from './catalog.js';

/** A partial replica's scope: the cloud rows its local table holds (scopeFilter.ts checks and renders it). */
export interface Scope {
  /** The filter as configured (`tables.<name>.where`, local column names). */
  where: string;
  /** The filter over the local table's columns (DuckDB's rendering of it). */
  local: string;
  /** The filter over the remote table's columns. */
  remote: string;
}

export interface ColumnPair {
  local: string;
  remote: string;
  /** The remote's type, used when the local column is created. */
  type: string;
  notNull: boolean;
}

/** One table on both sides. Names may differ through the config's mapping. */
export interface TablePair {
  /** Local display name (`emails`, `analytics.daily`): how users and metadata name the pair. */
  name: string;
  local: { schema: string; table: string };
  remote: { schema: string; table: string };
  /** Columns in the remote's order. */
  columns: ColumnPair[];
  /** Key columns by local name; empty for tables compared as multisets. */
  key: string[];
  remoteInfo: TableInfo;
  settings: TableSettings;
  /** The table exists only locally (remoteInfo describes the table to create there). */
  localOnly?: boolean;
  /** A partial replica: the cloud rows the local table holds (`tables.<name>.where`, scopeFilter.ts). */
  scope?: Scope | undefined;
}

/** Splits `schema.table` (or `table`, meaning main). */
export function splitName(name: string): { schema: string; table: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { schema: 'main', table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}

/** Builds the pair for a remote table, applying the table and column name mappings. */
export function buildTablePair(remoteInfo: TableInfo, localName: string, settings: TableSettings): TablePair {
  const remoteToLocal = new Map<string, string>();
  for (const [localCol, remoteCol] of Object.entries(settings.columns ?? {})) remoteToLocal.set(remoteCol, localCol);
  const remoteColumns = new Set(remoteInfo.columns.map((c) => c.name));
  for (const remoteCol of remoteToLocal.keys()) {
    if (!remoteColumns.has(remoteCol)) {
      throw new ConfigError(
        `tables.${localName}.columns maps to remote column "${remoteCol}", which ${displayName(remoteInfo.schema, remoteInfo.name)} does not have`,
        `remote columns: ${[...remoteColumns].join(', ')}`,
      );
    }
  }
  const columns = remoteInfo.columns.map((c) => ({ local: remoteToLocal.get(c.name) ?? c.name, remote: c.name, type: c.type, notNull: c.notNull }));
  const localOf = new Map(columns.map((c) => [c.remote, c.local]));
  let key: string[];
  if (settings.key) {
    const localColumns = new Set(columns.map((c) => c.local));
    for (const k of settings.key) {
      if (!localColumns.has(k)) throw new ConfigError(`tables.${localName}.key names column "${k}", which the table does not have`, `columns: ${[...localColumns].join(', ')}`);
    }
    key = settings.key;
  } else {
    key = remoteInfo.primaryKey.map((k) => localOf.get(k) ?? k);
  }
  return {
    name: localName,
    local: splitName(localName),
    remote: { schema: remoteInfo.schema, table: remoteInfo.name },
    columns,
    key,
    remoteInfo,
    settings,
  };
}

/** The remote table itself, qualified: what a push writes. */
export function remoteTable(db: Database, pair: TablePair): string {
  return qualify(db.remote.catalog, pair.remote.schema, pair.remote.table);
}

/**
 * The remote table as a sync reads it: for a partial replica only the rows in its scope, the
 * filter applied in the scan (on MotherDuck, on the server). Used as a table in FROM clauses.
 */
export function remoteRows(db: Database, pair: TablePair): string {
  const table = remoteTable(db, pair);
  return pair.scope ? `(SELECT * FROM ${table} WHERE ${pair.scope.remote})` : table;
}

/** The local table as compared with the cloud's rows in scope (verify): for a partial replica only its rows in scope. */
export function localRowsInScope(db: Database, pair: TablePair): string {
  return pair.scope ? `(SELECT * FROM ${localRef(db, pair)} WHERE ${pair.scope.local})` : localRef(db, pair);
}

/**
 * The local table of a pair, qualified with the local catalog: a two-part name would be ambiguous
 * when a local schema has the remote database's name (schema `analytics` and `md:analytics`).
 */
export function localRef(db: Database, pair: TablePair): string {
  return qualify(db.localCatalog, pair.local.schema, pair.local.table);
}
