import type { TablePair } from './tablePair.js';
import type { FingerprintScheme } from '../../remote/remote.js';

/** Identifies what the baseline's fingerprints were computed over: columns, types, key, scheme. */
export function columnSignature(pair: TablePair, scheme: FingerprintScheme): string {
  return JSON.stringify({ columns: pair.columns.map((c) => [c.local, c.type]), key: pair.key, scheme });
}

/**
 * Whether a recorded signature differs from the pair's only by the fingerprint scheme (the local
 * file was synced with a remote of the other kind): its columns did not change.
 */
export function onlySchemeChanged(pair: TablePair, scheme: FingerprintScheme, recorded: string): boolean {
  const now = columnSignature(pair, scheme);
  if (recorded === now) return false;
  const { scheme: _before, ...rest } = JSON.parse(recorded) as { scheme?: string };
  const { scheme: _now, ...current } = JSON.parse(now) as { scheme?: string };
  return JSON.stringify(rest) === JSON.stringify(current);
}
