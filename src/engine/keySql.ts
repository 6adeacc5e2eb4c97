import { quoteIdent } from '../db/quote.js';
import type { TablePair } from './tablePair.js';

/**
 * SQL fragments about a pair's key. Internal tables (baseline, deltas, plans) name key columns
 * k0…kn, so user column names never collide with duckdb-sync's own columns.
 */

/** `k0, k1` (optionally prefixed with an alias). */
export function kList(pair: TablePair, alias?: string): string {
  return pair.key.map((_k, i) => (alias ? `${alias}.k${i}` : `k${i}`)).join(', ');
}

/** `"id" AS k0, …` selecting the key from a user table (by local or remote column names). */
export function kSelect(pair: TablePair, side: 'local' | 'remote', alias?: string): string {
  return pair.key.map((k, i) => `${ref(alias, side === 'local' ? k : remoteName(pair, k))} AS k${i}`).join(', ');
}

/**
 * Key equality. Primary key columns are never NULL, and plain `=` lets DuckDB use its fastest
 * joins; keys named in the config may hold NULLs, so they compare with IS NOT DISTINCT FROM.
 */
function keyEq(pair: TablePair, a: string, b: string): string {
  return `${a} ${pair.remoteInfo.primaryKey.length && !pair.settings.key ? '=' : 'IS NOT DISTINCT FROM'} ${b}`;
}

/** `a.k0 = b.k0 AND …` between two internal tables. */
export function kMatch(pair: TablePair, a: string, b: string): string {
  return pair.key.map((_k, i) => keyEq(pair, `${a}.k${i}`, `${b}.k${i}`)).join(' AND ');
}

/** Matches a user table's key columns (local or remote names) with an internal table's k0…kn. */
export function kMatchUser(pair: TablePair, side: 'local' | 'remote', user: string, internal: string): string {
  return pair.key.map((k, i) => keyEq(pair, `${user}.${quoteIdent(side === 'local' ? k : remoteName(pair, k))}`, `${internal}.k${i}`)).join(' AND ');
}

/** JSON text of the key from an internal table: `{"id":1}`. */
export function kJson(pair: TablePair, alias: string): string {
  return `CAST(to_json(struct_pack(${pair.key.map((k, i) => `${quoteIdent(k)} := ${alias}.k${i}`).join(', ')})) AS VARCHAR)`;
}

/** JSON text of a whole row of a user table (local column names). */
export function rowJson(pair: TablePair, alias: string, side: 'local' | 'remote' = 'local'): string {
  return `CAST(to_json(struct_pack(${pair.columns
    .map((c) => `${quoteIdent(c.local)} := ${alias}.${quoteIdent(side === 'local' ? c.local : c.remote)}`)
    .join(', ')})) AS VARCHAR)`;
}

export function remoteName(pair: TablePair, localColumn: string): string {
  return pair.columns.find((c) => c.local === localColumn)?.remote ?? localColumn;
}

/** Types of the key columns, in key order. */
export function keyTypes(pair: TablePair): string[] {
  return pair.key.map((k) => pair.columns.find((c) => c.local === k)?.type ?? 'VARCHAR');
}

function ref(alias: string | undefined, column: string): string {
  return alias ? `${alias}.${quoteIdent(column)}` : quoteIdent(column);
}
