import type { CommonOptions } from '../../src/run/session.js';

/**
 * The kinds of remote a test suite can run against, as Litestream runs its replica tests against
 * every backend: `file` (a DuckDB file, DuckDB's hash() across the sides) and `file-canonical` (the
 * same file with the version-stable fingerprints a MotherDuck remote uses: the MotherDuck code path
 * on a local file).
 */
export type RemoteKind = 'file' | 'file-canonical';
export const REMOTE_KINDS: readonly RemoteKind[] = ['file', 'file-canonical'];

/** The kind the suites built on `newPair` run against: `DUCKDB_SYNC_TEST_REMOTE`, default `file`. */
export function testRemoteKind(env: NodeJS.ProcessEnv = process.env): RemoteKind {
  const kind = env.DUCKDB_SYNC_TEST_REMOTE ?? 'file';
  if (!(REMOTE_KINDS as readonly string[]).includes(kind)) throw new Error(`DUCKDB_SYNC_TEST_REMOTE=${kind}: expected one of ${REMOTE_KINDS.join(', ')}`);
  return kind as RemoteKind;
}

/** Library options that make a file remote behave as the given kind. */
export function remoteKindOptions(kind: RemoteKind): Pick<CommonOptions, 'fingerprints'> {
  return kind === 'file-canonical' ? { fingerprints: 'canonical' } : {};
}
