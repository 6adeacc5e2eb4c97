/** Quotes an SQL identifier: every identifier in generated SQL goes through here. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Joins quoted name parts: `"db"."schema"."table"`. */
export function qualify(...parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}

/**
 * Quotes a string literal. Only for the few statements DuckDB cannot prepare (ATTACH, SET);
 * every other value is passed as a parameter.
 */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
