import { quoteIdent } from '../../duckdb/quote.js';
import type { TablePair } from '../catalog/tablePair.js';

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
  return `${a} ${keysNeverNull(pair) ? '=' : 'IS NOT DISTINCT FROM'} ${b}`;
}

/** Primary keys: never NULL, compared with `=`. */
export function keysNeverNull(pair: TablePair): boolean {
  return pair.remoteInfo.primaryKey.length > 0 && !pair.settings.key;
}

/**
 * Keeps the rows of a user table (alias `user`) whose key is among the keys k0…kn of `from`
 * (alias `p`, filtered by `where`). With primary keys this is `(key…) IN (SELECT p.k0, …)`: DuckDB
 * runs a semi join built on the small side and prunes the big table's scan by the keys' range,
 * where a correlated EXISTS scanned and hashed the whole big table (0.3–0.5 s on 5M rows for one
 * key). Keys that may hold NULLs (named in the config) keep EXISTS with IS NOT DISTINCT FROM.
 */
export function keyInUser(pair: TablePair, side: 'local' | 'remote', user: string, from: string, where = 'true'): string {
  if (!keysNeverNull(pair)) return `EXISTS (SELECT 1 FROM ${from} p WHERE (${where}) AND ${kMatchUser(pair, side, user, 'p')})`;
  return keyIn(pair.key.map((k) => `${user}.${quoteIdent(side === 'local' ? k : remoteName(pair, k))}`), pair, from, where);
}

/** As keyInUser, for an internal table (k0…kn) with alias `alias`. */
export function keyInInternal(pair: TablePair, alias: string, from: string, where = 'true'): string {
  if (!keysNeverNull(pair)) return `EXISTS (SELECT 1 FROM ${from} p WHERE (${where}) AND ${kMatch(pair, alias, 'p')})`;
  return keyIn(pair.key.map((_k, i) => `${alias}.k${i}`), pair, from, where);
}

function keyIn(columns: string[], pair: TablePair, from: string, where: string): string {
  const lhs = columns.length === 1 ? (columns[0] as string) : `(${columns.join(', ')})`;
  return `${lhs} IN (SELECT ${kList(pair, 'p')} FROM ${from} p WHERE ${where})`;
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

/** The pair's columns read from the remote (alias r) under their local names. */
export function rowsSelect(pair: TablePair): string {
  return pair.columns.map((c) => `r.${quoteIdent(c.remote)} AS ${quoteIdent(c.local)}`).join(', ');
}

/** `rowsSelect`'s columns, typed, with no row and no table read (no round trip). */
export function noRowsSelect(pair: TablePair): string {
  return pair.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.local)}`).join(', ');
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
