import { isInternalTable } from '../state/internalNames.js';
import type { ObjectKind } from '../api.js';

/** One overload of a macro: parameter names, their types (null: untyped) and the body. */
export interface MacroOverload {
  parameters: string[];
  types: Array<string | null>;
  body: string;
}

/** A sequence's settings (integers as text: they reach 2^63 − 1). */
export interface SequenceSettings {
  increment: string;
  min: string;
  max: string;
  cycle: boolean;
}

/**
 * A view, macro, sequence or schema of one catalog, as DuckDB describes it. `definition` is
 * comparable between catalogs: the view's text after its name, the macro's overloads or the
 * sequence's settings as JSON; `next` is the value a sequence's next `nextval` returns.
 */
export interface SchemaObject {
  kind: ObjectKind;
  schema: string;
  name: string;
  definition: string;
  comment: string | null;
  next: string | null;
}

/**
 * The objects of the listed catalogs as one JSON text, each with the catalog it belongs to, for
 * catalog.ts's listing statement (`catalogs`: the parameters naming them, e.g. `$1, $2`).
 * Integers are cast to text before JSON so that none loses precision. A sequence's next value is
 * the START of DuckDB's own CREATE text: `last_value` is off by one once the file is reopened.
 */
export const objectsSelect = (catalogs: string): string => `SELECT CAST(to_json(list(o)) AS VARCHAR) FROM (
    SELECT database_name AS catalog, 'view' AS kind, schema_name AS schema, view_name AS name, sql AS definition, comment, NULL::VARCHAR AS next
      FROM duckdb_views() WHERE database_name IN (${catalogs}) AND NOT internal AND NOT temporary
    UNION ALL
    SELECT database_name, CASE WHEN any_value(function_type) = 'table_macro' THEN 'table macro' ELSE 'macro' END, schema_name, function_name,
           CAST(to_json(list({'parameters': parameters, 'types': parameter_types, 'body': macro_definition} ORDER BY len(parameters), macro_definition)) AS VARCHAR),
           any_value(comment), NULL::VARCHAR
      FROM duckdb_functions() WHERE database_name IN (${catalogs}) AND NOT internal AND function_type IN ('macro', 'table_macro')
     GROUP BY database_name, schema_name, function_name
    UNION ALL
    SELECT database_name, 'sequence', schema_name, sequence_name,
           CAST(to_json({'increment': CAST(increment_by AS VARCHAR), 'min': CAST(min_value AS VARCHAR), 'max': CAST(max_value AS VARCHAR),
                         'cycle': cycle}) AS VARCHAR),
           comment,
           regexp_extract(sql, ' START (-?[0-9]+) (?:NO )?CYCLE;?\s*$', 1)
      FROM duckdb_sequences() WHERE database_name IN (${catalogs}) AND NOT temporary
    UNION ALL
    SELECT database_name, 'schema', schema_name, schema_name, '', comment, NULL::VARCHAR
      FROM duckdb_schemas() WHERE database_name IN (${catalogs}) AND NOT internal AND schema_name <> 'main'
  ) o`;

/** Reads objectsSelect's text for one catalog; duckdb-sync's own schema and what it holds are left out. */
export function parseObjects(json: string, catalog: string): SchemaObject[] {
  const rows = JSON.parse(json) as Array<SchemaObject & { catalog: string }>;
  return rows
    .filter((o) => o.catalog === catalog && !isInternalTable(o.schema, o.name))
    .map((o) => ({
      kind: o.kind,
      schema: o.schema,
      name: o.name,
      definition: o.kind === 'view' ? viewBody(o.definition) : o.definition,
      comment: o.comment ?? null,
      next: o.next ?? null,
    }));
}

/** How users name an object: `daily` in main, `reporting.daily` elsewhere; a schema by its name. */
export function objectName(o: Pick<SchemaObject, 'kind' | 'schema' | 'name'>): string {
  if (o.kind === 'schema') return o.name;
  return o.schema === 'main' ? o.name : `${o.schema}.${o.name}`;
}

/** Identifies an object within a catalog (macros and tables live in different namespaces). */
export function objectKey(o: Pick<SchemaObject, 'kind' | 'schema' | 'name'>): string {
  const space = o.kind === 'macro' || o.kind === 'table macro' ? 'macro' : o.kind;
  return JSON.stringify([space, o.schema, o.name]);
}

const NAME_PART = '(?:"(?:[^"]|"")*"|[^\\s."(]+)';
const VIEW_PREFIX = new RegExp(`^\\s*CREATE\\s+(?:OR\\s+REPLACE\\s+)?VIEW\\s+${NAME_PART}(?:\\.${NAME_PART})*`, 'i');

/**
 * A view's text after `CREATE VIEW <name>` (` (a, b) AS SELECT …`), without the final semicolon:
 * the same in every catalog, and what a CREATE in another catalog appends to the qualified name.
 */
export function viewBody(sql: string): string {
  const m = VIEW_PREFIX.exec(sql);
  const rest = m ? sql.slice(m[0].length) : sql;
  return rest.replace(/;\s*$/, '');
}
