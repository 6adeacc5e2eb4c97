/**
 * The kinds of remote a sync suite runs against, as Litestream runs its replica tests against every
 * backend: `file` (a DuckDB file, DuckDB's hash() across the sides) and `mdemu` (the same file
 * through the MotherDuck emulator: the MotherDuck code path, its attach, rules and fingerprints).
 * `npm test` runs every integration, end-to-end, fault and property file once per kind
 * (test/runTests.mjs sets `DUCKDB_SYNC_TEST_REMOTE`); a file run by hand uses `file` unless told.
 * `motherduck` is real MotherDuck, for the live suite only (test/live/runLive.mjs: it names a
 * scratch database in `DUCKDB_SYNC_LIVE_DATABASE`).
 */
export type RemoteKind = 'file' | 'mdemu' | 'motherduck';
export const REMOTE_KINDS: readonly RemoteKind[] = ['file', 'mdemu', 'motherduck'];

/** The kind this test process runs against: `DUCKDB_SYNC_TEST_REMOTE`, default `file`. */
export function testRemoteKind(env: NodeJS.ProcessEnv = process.env): RemoteKind {
  const kind = env.DUCKDB_SYNC_TEST_REMOTE ?? 'file';
  if (!(REMOTE_KINDS as readonly string[]).includes(kind)) throw new Error(`DUCKDB_SYNC_TEST_REMOTE=${kind}: expected one of ${REMOTE_KINDS.join(', ')}`);
  return kind as RemoteKind;
}

/** The live suite's scratch MotherDuck database. */
export function liveDatabase(env: NodeJS.ProcessEnv = process.env): string {
  const name = env.DUCKDB_SYNC_LIVE_DATABASE;
  if (!name) throw new Error('DUCKDB_SYNC_LIVE_DATABASE is not set: run the live suite with npm run test:motherduck');
  return name;
}

/**
 * What to pass as the remote for the DuckDB file at `path` (a test writes the file itself, out of
 * band, with test/helpers/duck.ts): the path, or `mdemu:<path>`. `options` are the emulator's
 * (`read_only`, `fail_at=3`, …). Live: the scratch database (suites that open the remote file
 * themselves do not run live; test/helpers/cloud.ts is what the live suite writes through).
 */
export function remoteUri(path: string, kind: RemoteKind = testRemoteKind(), options?: string): string {
  if (kind === 'file') return path;
  if (kind === 'motherduck') return `md:${liveDatabase()}`;
  return `mdemu:${path}${options ? `?${options}` : ''}`;
}
