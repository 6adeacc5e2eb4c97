import type { Database } from '../../db/database.js';
import { isInternalTable } from '../state/internalNames.js';
import { objectsSelect, parseObjects, type SchemaObject } from '../objects/schemaObject.js';

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
  database_name: string | null;
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
  schemas: Array<{ catalog: string; name: string }> | null;
  objects: string | null;
};

/**
 * The user tables (base tables, not views) of one attached catalog, with columns, defaults,
 * constraints and comments, and the catalog's other objects (unless `objects` is false), in one
 * statement (for the remote: one round trip). See listCatalogs.
 */
export async function listCatalog(db: Database, catalog: string, options: { isRemote?: boolean; objects?: boolean } = {}): Promise<CatalogListing> {
  const [listing] = await listCatalogs(db, [catalog], { objects: options.objects, remote: options.isRemote ? catalog : undefined });
  return listing ?? { tables: [], objects: [] };
}

/**
 * listCatalog for several catalogs in one statement: DuckDB renders every built-in function to list
 * macros (~0.03–0.1 s), and its other catalog functions list every attached catalog, so listing the
 * remote and the local at once costs what listing one does. The remote's listing (`remote`: its
 * catalog) is remembered, duckdb-sync's own tables included (`Database.remoteTables`). Listings come
 * back in the order of `catalogs`.
 */
export async function listCatalogs(db: Database, catalogs: string[], options: { remote?: string | undefined; objects?: boolean | undefined } = {}): Promise<CatalogListing[]> {
  const names = catalogs.map((_c, i) => `$${i + 1}`).join(', ');
  // One row at least (a catalog may hold only views); the catalog-wide lists ride on one row only.
  const rows = await db.all<ListingRow>(
    `WITH cons AS (
       SELECT database_name, schema_name, table_name,
              (list(constraint_column_names) FILTER (WHERE constraint_type = 'PRIMARY KEY'))[1] AS pk,
              list({'text': constraint_text, 'columns': constraint_column_names}) FILTER (WHERE constraint_type = 'CHECK') AS checks,
              list(constraint_column_names) FILTER (WHERE constraint_type = 'UNIQUE') AS uniq
         FROM duckdb_constraints() WHERE database_name IN (${names}) GROUP BY database_name, schema_name, table_name),
     cols AS (
       SELECT t.database_name, t.schema_name, t.table_name, t.comment AS table_comment, c.column_name, c.data_type, c.is_nullable,
              c.column_default, c.comment AS column_comment, c.column_index, k.pk, k.checks, k.uniq
         FROM duckdb_tables() t
         LEFT JOIN duckdb_columns() c ON c.database_name = t.database_name AND c.schema_name = t.schema_name AND c.table_name = t.table_name
         LEFT JOIN cons k ON k.database_name = t.database_name AND k.schema_name = t.schema_name AND k.table_name = t.table_name
        WHERE t.database_name IN (${names}) AND NOT t.internal AND NOT t.temporary)
     SELECT cols.*,
            CASE WHEN row_number() OVER () = 1 THEN (SELECT list({'catalog': database_name, 'name': schema_name}) FROM duckdb_schemas() WHERE database_name IN (${names})) END AS schemas,
            ${options.objects === false ? 'NULL' : `CASE WHEN row_number() OVER () = 1 THEN (${objectsSelect(names)}) END`} AS objects
       FROM (SELECT 1) one LEFT JOIN cols ON true
      ORDER BY cols.database_name, cols.schema_name, cols.table_name, cols.column_index`,
    catalogs,
  );
  const schemas = rows.find((r) => r.schemas)?.schemas ?? [];
  const objects = rows.find((r) => r.objects)?.objects ?? null;
  return catalogs.map((catalog) => {
    const byTable = new Map<string, TableInfo>();
    const all: Array<{ schema: string; table: string }> = [];
    for (const c of rows) {
      if (c.database_name !== catalog || c.schema_name === null || c.table_name === null) continue;
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
    if (catalog === options.remote) {
      db.remoteTables.listed(
        all,
        schemas.filter((s) => s.catalog === catalog).map((s) => s.name),
      );
    }
    return { tables: [...byTable.values()].filter((t) => !isInternalTable(t.schema, t.name)), objects: objects === null ? [] : parseObjects(objects, catalog) };
  });
}
