import type { Database } from '../../db/database.js';
import { isInternalTable } from '../state/internalNames.js';
import { OBJECTS_SELECT, parseObjects, type SchemaObject } from '../objects/schemaObject.js';

export interface ColumnInfo {
  name: string;
  /** DuckDB's full type text, usable in CREATE TABLE (ENUMs and nested types spelled out). */
  type: string;
  notNull: boolean;
  /** The DEFAULT expression as DuckDB renders it (`nextval('seq')`, `current_date`), if any. */
  default?: string | null | undefined;
  comment?: string | null | undefined;
}

/** A CHECK constraint: DuckDB's text (`CHECK((x > 0))`) and the columns it reads. */
export interface CheckConstraint {
  text: string;
  columns: string[];
}

export interface TableInfo {
  schema: string;
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  comment?: string | null | undefined;
  checks?: CheckConstraint[] | undefined;
  /** Column lists of the UNIQUE constraints. */
  unique?: string[][] | undefined;
}

/** A catalog's user tables and the other objects it holds (views, macros, sequences, schemas). */
export interface CatalogListing {
  tables: TableInfo[];
  objects: SchemaObject[];
}

/** `emails` for main.emails, `analytics.daily` otherwise: how tables are named to users. */
export function displayName(schema: string, table: string): string {
  return schema === 'main' ? table : `${schema}.${table}`;
}

type ListingRow = {
  schema_name: string | null;
  table_name: string | null;
  table_comment: string | null;
  column_name: string | null;
  data_type: string | null;
  is_nullable: boolean | null;
  column_default: string | null;
  column_comment: string | null;
  pk: string[] | null;
  checks: Array<{ text: string; columns: string[] }> | null;
  uniq: string[][] | null;
  schemas: string[] | null;
  objects: string | null;
};

/**
 * The user tables (base tables, not views) of one attached catalog, with columns, defaults,
 * constraints and comments, and the catalog's other objects (unless `objects` is false: listing
 * macros costs ~0.1 s, as DuckDB renders every built-in function), in one statement (for the remote:
 * one round trip). The remote's listing (`isRemote`) is remembered, duckdb-sync's own tables
 * included (`Database.remoteTables`).
 */
export async function listCatalog(db: Database, catalog: string, options: { isRemote?: boolean; objects?: boolean } = {}): Promise<CatalogListing> {
  // One row at least (a catalog may hold only views); the catalog-wide lists ride on one row only.
  const rows = await db.all<ListingRow>(
    `WITH cons AS (
       SELECT schema_name, table_name,
              (list(constraint_column_names) FILTER (WHERE constraint_type = 'PRIMARY KEY'))[1] AS pk,
              list({'text': constraint_text, 'columns': constraint_column_names}) FILTER (WHERE constraint_type = 'CHECK') AS checks,
              list(constraint_column_names) FILTER (WHERE constraint_type = 'UNIQUE') AS uniq
         FROM duckdb_constraints() WHERE database_name = $1 GROUP BY schema_name, table_name),
     cols AS (
       SELECT t.schema_name, t.table_name, t.comment AS table_comment, c.column_name, c.data_type, c.is_nullable,
              c.column_default, c.comment AS column_comment, c.column_index, k.pk, k.checks, k.uniq
         FROM duckdb_tables() t
         LEFT JOIN duckdb_columns() c ON c.database_name = t.database_name AND c.schema_name = t.schema_name AND c.table_name = t.table_name
         LEFT JOIN cons k ON k.schema_name = t.schema_name AND k.table_name = t.table_name
        WHERE t.database_name = $1 AND NOT t.internal AND NOT t.temporary)
     SELECT cols.*,
            CASE WHEN row_number() OVER () = 1 THEN (SELECT list(schema_name) FROM duckdb_schemas() WHERE database_name = $1) END AS schemas,
            ${options.objects === false ? 'NULL' : `CASE WHEN row_number() OVER () = 1 THEN (${OBJECTS_SELECT}) END`} AS objects
       FROM (SELECT 1) one LEFT JOIN cols ON true
      ORDER BY cols.schema_name, cols.table_name, cols.column_index`,
    [catalog],
  );
  const byTable = new Map<string, TableInfo>();
  const all: Array<{ schema: string; table: string }> = [];
  let schemas: string[] | undefined;
  let objects: SchemaObject[] = [];
  for (const c of rows) {
    if (c.schemas) schemas = c.schemas;
    if (c.objects) objects = parseObjects(c.objects);
    if (c.schema_name === null || c.table_name === null) continue;
    const key = JSON.stringify([c.schema_name, c.table_name]);
    if (!byTable.has(key)) {
      byTable.set(key, {
        schema: c.schema_name,
        name: c.table_name,
        columns: [],
        primaryKey: [...(c.pk ?? [])],
        comment: c.table_comment,
        checks: (c.checks ?? []).map((k) => ({ text: k.text, columns: [...k.columns] })),
        unique: (c.uniq ?? []).map((u) => [...u]),
      });
      all.push({ schema: c.schema_name, table: c.table_name });
    }
    if (c.column_name !== null) {
      byTable.get(key)?.columns.push({
        name: c.column_name,
        type: c.data_type ?? '',
        notNull: c.is_nullable === false,
        default: c.column_default,
        comment: c.column_comment,
      });
    }
  }
  if (options.isRemote) db.remoteTables.listed(all, schemas);
  return { tables: [...byTable.values()].filter((t) => !isInternalTable(t.schema, t.name)), objects };
}

/** The name of the local database's catalog (DuckDB derives it from the file name). */
export async function localCatalog(db: Database): Promise<string> {
  const [row] = await db.all<{ name: string }>('SELECT current_database() AS name');
  return row?.name ?? 'memory';
}
