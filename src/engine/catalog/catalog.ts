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

/**
 * The user tables (base tables, not views) of one attached catalog, with columns and primary key,
 * in one statement (for the remote: one round trip). The remote's listing (`isRemote`) is
 * remembered, duckdb-sync's own tables included (`Database.remoteTables`).
 */
export async function listTables(db: Database, catalog: string, isRemote = false): Promise<TableInfo[]> {
  const columns = await db.all<{ schema_name: string; table_name: string; column_name: string | null; data_type: string | null; is_nullable: boolean | null; pk: string[] | null; schemas: string[] }>(
    `SELECT t.schema_name, t.table_name, c.column_name, c.data_type, c.is_nullable, k.cols AS pk,
            (SELECT list(schema_name) FROM duckdb_schemas() WHERE database_name = $1) AS schemas
       FROM duckdb_tables() t
       LEFT JOIN duckdb_columns() c ON c.database_name = t.database_name AND c.schema_name = t.schema_name AND c.table_name = t.table_name
       LEFT JOIN (SELECT database_name, schema_name, table_name, constraint_column_names AS cols FROM duckdb_constraints()
                   WHERE database_name = $1 AND constraint_type = 'PRIMARY KEY') k
              ON k.database_name = t.database_name AND k.schema_name = t.schema_name AND k.table_name = t.table_name
      WHERE t.database_name = $1 AND NOT t.internal AND NOT t.temporary
      ORDER BY t.schema_name, t.table_name, c.column_index`,
    [catalog],
  );
  const byTable = new Map<string, TableInfo>();
  const all: Array<{ schema: string; table: string }> = [];
  for (const c of columns) {
    const key = JSON.stringify([c.schema_name, c.table_name]);
    if (!byTable.has(key)) {
      byTable.set(key, { schema: c.schema_name, name: c.table_name, columns: [], primaryKey: [...(c.pk ?? [])] });
      all.push({ schema: c.schema_name, table: c.table_name });
    }
    if (c.column_name !== null) byTable.get(key)?.columns.push({ name: c.column_name, type: c.data_type ?? '', notNull: c.is_nullable === false });
  }
  if (isRemote) db.remoteTables.listed(all, columns[0]?.schemas);
  return [...byTable.values()].filter((t) => !isInternalTable(t.schema, t.name));
}

/** The name of the local database's catalog (DuckDB derives it from the file name). */
export async function localCatalog(db: Database): Promise<string> {
  const [row] = await db.all<{ name: string }>('SELECT current_database() AS name');
  return row?.name ?? 'memory';
}
