import { quoteIdent } from '../../duckdb/quote.js';

/**
 * Row fingerprints.
 *
 * `engineRowHash` uses DuckDB's hash(): fast, but only comparable between values computed by the
 * same DuckDB version (local table vs local baseline).
 *
 * `canonicalRowFingerprint` is comparable across DuckDB versions (MotherDuck may run another one):
 * each column is rendered to a canonical text whose format this module defines, the texts are
 * length-prefixed and concatenated, and the fingerprint is the first 64 bits of the md5 of that
 * text. `test/unit/fingerprint.test.ts` recomputes it outside DuckDB (node:crypto) from the spec.
 */

/** DuckDB's hash() of the row's columns, in the given order. */
export function engineRowHash(columns: string[], alias?: string): string {
  return `hash(row(${columns.map((c) => columnRef(c, alias)).join(', ')}))`;
}

/** Canonical text of one value of the given DuckDB type (NULL stays NULL). */
export function canonicalText(expr: string, type: string): string {
  const t = type.toUpperCase();
  // Nested first: `TIMESTAMP[]` starts like a timestamp but is a list.
  if (isNested(t)) return `CAST(to_json(${expr}) AS VARCHAR)`;
  if (t === 'DOUBLE' || t === 'FLOAT' || t === 'REAL') return `printf('%.17g', CAST(${expr} AS DOUBLE))`;
  if (t === 'TIMESTAMP_NS') return `CAST(epoch_ns(${expr}) AS VARCHAR)`;
  if (t.startsWith('TIMESTAMP')) return `CAST(epoch_us(${expr}) AS VARCHAR)`;
  if (t === 'BLOB') return `hex(${expr})`;
  return `CAST(${expr} AS VARCHAR)`;
}

/** Canonical text of a whole row: per column `<byte length>:<text>`, or `~` for NULL. */
export function canonicalRowText(columns: Array<{ name: string; type: string }>, alias?: string): string {
  const parts = columns.map((c) => {
    const text = canonicalText(columnRef(c.name, alias), c.type);
    return `coalesce(CAST(strlen(${text}) AS VARCHAR) || ':' || ${text}, '~')`;
  });
  return parts.length === 1 ? (parts[0] as string) : `concat(${parts.join(', ')})`;
}

/** The cross-version fingerprint: the first 16 hex digits of md5(canonical text), as UBIGINT. */
export function canonicalRowFingerprint(columns: Array<{ name: string; type: string }>, alias?: string): string {
  return `CAST('0x' || left(md5(${canonicalRowText(columns, alias)}), 16) AS UBIGINT)`;
}

function columnRef(name: string, alias: string | undefined): string {
  return alias ? `${quoteIdent(alias)}.${quoteIdent(name)}` : quoteIdent(name);
}

function isNested(type: string): boolean {
  return /^(STRUCT|MAP|UNION)\(/.test(type) || /\]$/.test(type);
}
