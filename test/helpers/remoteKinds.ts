/**
 * The kinds of remote a sync suite runs against, as Litestream runs its replica tests against every
 * backend: `file` (a DuckDB file, DuckDB's hash() across the sides) and `mdemu` (the same file
 * through the MotherDuck emulator: the MotherDuck code path, its attach, rules and fingerprints).
 * `npm test` runs every integration, end-to-end, fault and property file once per kind
 * (test/runTests.mjs sets `DUCKDB_SYNC_TEST_REMOTE`); a file run by hand uses `file` unless told.
 */
export type RemoteKind = 'file' | 'mdemu';
export const REMOTE_KINDS: readonly RemoteKind[] = ['file', 'mdemu'];

/** The kind this test process runs against: `DUCKDB_SYNC_TEST_REMOTE`, default `file`. */
export function testRemoteKind(env: NodeJS.ProcessEnv = process.env): RemoteKind {
  const kind = env.DUCKDB_SYNC_TEST_REMOTE ?? 'file';
  if (!(REMOTE_KINDS as readonly string[]).includes(kind)) throw new Error(`DUCKDB_SYNC_TEST_REMOTE=${kind}: expected one of ${REMOTE_KINDS.join(', ')}`);
  return kind as RemoteKind;
}

/**
 * What to pass as the remote for the DuckDB file at `path` (a test writes the file itself, out of
 * band, with test/helpers/duck.ts): the path, or `mdemu:<path>`. `options` are the emulator's
 * (`read_only`, `fail_at=3`, …).
 */
export function remoteUri(path: string, kind: RemoteKind = testRemoteKind(), options?: string): string {
  if (kind === 'file') return path;
  return `mdemu:${path}${options ? `?${options}` : ''}`;
}

