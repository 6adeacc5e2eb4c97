import type { FingerprintScheme } from '../../remote/remote.js';
import { canonicalRowFingerprint, engineRowHash } from './fingerprint.js';
import { keysNeverNull, keyTypes, remoteName } from './keySql.js';
import type { TablePair } from '../catalog/tablePair.js';

/** Row fingerprint of a user table's row on either side, comparable with `baselineRowFp`. */
export function rowFp(pair: TablePair, side: 'local' | 'remote', scheme: FingerprintScheme, alias?: string): string {
  const cols = pair.columns.map((c) => ({ name: side === 'local' ? c.local : c.remote, type: c.type }));
  return scheme === 'engine' ? engineRowHash(cols.map((c) => c.name), alias) : canonicalRowFingerprint(cols, alias);
}

/** The baseline column holding the cross-side row fingerprint. */
export function baselineRowFp(scheme: FingerprintScheme): string {
  return scheme === 'engine' ? 'h' : 'f';
}

/** Key fingerprint of a user table's row (by its key columns). */
export function userKeyFp(pair: TablePair, side: 'local' | 'remote', scheme: FingerprintScheme, alias?: string): string {
  const types = keyTypes(pair);
  const cols = pair.key.map((k, i) => ({ name: side === 'local' ? k : remoteName(pair, k), type: types[i] as string }));
  return scheme === 'engine' ? engineRowHash(cols.map((c) => c.name), alias) : canonicalRowFingerprint(cols, alias);
}

/** Key fingerprint over an internal table's k0…kn, equal to `userKeyFp` for the same key. */
export function internalKeyFp(pair: TablePair, scheme: FingerprintScheme, alias?: string): string {
  const types = keyTypes(pair);
  const cols = pair.key.map((_k, i) => ({ name: `k${i}`, type: types[i] as string }));
  return scheme === 'engine' ? engineRowHash(cols.map((c) => c.name), alias) : canonicalRowFingerprint(cols, alias);
}

/**
 * An aggregate of the fingerprints `fp` of a set of rows (a bucket, a whole table), equal on both
 * sides for the same rows. Engine fingerprints (DuckDB's hash(), whose column hashes combine by
 * multiply-and-XOR) are rehashed first: summed or XORed as they are, two rows given the same new
 * value in the same column could cancel out. With unique keys an XOR does; rows that may repeat
 * need a sum. Canonical (md5) fingerprints are summed as they are. `weight`: a count column, for
 * a keyless baseline (one row per distinct row, with its count).
 */
export function combineFps(pair: TablePair, scheme: FingerprintScheme, fp: string, weight?: string): string {
  const each = scheme === 'canonical' ? fp : `hash(${fp})`;
  if (weight) return `sum(CAST(${each} AS HUGEINT) * ${weight})`;
  return scheme === 'engine' && keysNeverNull(pair) ? `bit_xor(${each})` : `sum(${each})`;
}
