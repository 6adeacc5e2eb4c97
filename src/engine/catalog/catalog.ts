import type { Database } from '../../db/database.js';
import { isInternalTable } from '../state/internalNames.js';

export interface ColumnInfo {
  name: string;
  /** DuckDB's full type text, usable in CREATE TABLE (ENUMs and nested types spelled out). */
  type: string;
  notNull: boolean;
}

export interface TableInfo {
  schema: string;
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
}

/** `emails` for main.emails, `analytics.daily` otherwise: how tables are named to users. */
export function displayName(schema: string, table: string): string {
  return schema === 'main' ? table : `${schema}.${table}`;
}

/** The user tables (base tables, not views) of one attached catalog, with columns and primary key. */
export async function listTables(db: Database, catalog: string): Promise<TableInfo[]> {
  const tables = await db.all<{ schema_name: string; table_name: string }>(
    `SELECT schema_name, table_name FROM duckdb_tables()
      WHERE database_name = $1 AND NOT internal AND NOT temporary
      ORDER BY schema_name, table_name`,
    [catalog],
  );
  const columns = await db.all<{ schema_name: string; table_name: string; column_name: string; data_type: string; is_nullable: boolean }>(
    `SELECT schema_name, table_name, column_name, data_type, is_nullable FROM duckdb_columns()
      WHERE database_name = $1 AND NOT internal
      ORDER BY schema_name, table_name, column_index`,
    [catalog],
  );
  const keys = await db.all<{ schema_name: string; table_name: string; cols: string[] }>(
    `SELECT schema_name, table_name, constraint_column_names AS cols FROM duckdb_constraints()
      WHERE database_name = $1 AND constraint_type = 'PRIMARY KEY'`,
    [catalog],
  );
  const id = (s: string, t: string): string => JSON.stringify([s, t]);
  const byTable = new Map<string, TableInfo>();
  for (const t of tables) {
    if (isInternalTable(t.schema_name, t.table_name)) continue;
    byTable.set(id(t.schema_name, t.table_name), { schema: t.schema_name, name: t.table_name, columns: [], primaryKey: [] });
  }
  for (const c of columns) {
    byTable.get(id(c.schema_name, c.table_name))?.columns.push({ name: c.column_name, type: c.data_type, notNull: !c.is_nullable });
  }
  for (const k of keys) {
    const info = byTable.get(id(k.schema_name, k.table_name));
    if (info) info.primaryKey = [...k.cols];
  }
  return [...byTable.values()];
}

/** The name of the local database's catalog (DuckDB derives it from the file name). */
export async function localCatalog(db: Database): Promise<string> {
  const [row] = await db.all<{ name: string }>('SELECT current_database() AS name');
  return row?.name ?? 'memory';
}
