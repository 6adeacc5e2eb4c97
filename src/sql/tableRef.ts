/**
 * A table named in an SQL statement, as written: each part unquoted, with the exact spelling of
 * the SQL (`"Odd ""T"""` is `Odd "T"`, `MyTable` stays `MyTable`). Parts left out of the SQL are
 * absent; resolving them (current catalog and schema, case-insensitive matching) is the caller's.
 */
export interface TableRef {
  catalog?: string;
  schema?: string;
  name: string;
  /** Set for the target of `CREATE TEMP TABLE`: it lives in DuckDB's temp catalog. */
  temporary?: true;
}

/** Narrows an AST value to a plain object. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The text of a parser identifier node (`{ name, quoted }`), already unquoted by the parser. */
function identifierName(value: unknown): string | undefined {
  const name = asRecord(value)?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * Reads a table reference node of the polyglot-sql AST (`{ name, schema, catalog }`, each an
 * identifier or null). Undefined when the node has no readable name.
 */
export function tableRefFromAst(node: unknown): TableRef | undefined {
  const n = asRecord(node);
  const name = identifierName(n?.name);
  if (!n || name === undefined) return undefined;
  const ref: TableRef = { name };
  if (n.schema != null) {
    const schema = identifierName(n.schema);
    if (schema === undefined) return undefined;
    ref.schema = schema;
  }
  if (n.catalog != null) {
    const catalog = identifierName(n.catalog);
    if (catalog === undefined) return undefined;
    // A catalog without a schema cannot be written in SQL; refuse rather than guess.
    if (ref.schema === undefined) return undefined;
    ref.catalog = catalog;
  }
  return ref;
}
