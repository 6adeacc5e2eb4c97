import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { status } from '../../src/run/status.js';
import { sync } from '../../src/run/sync.js';
import { baselineTableName } from '../../src/engine/state/baseline.js';
import { DatabaseNotFoundError } from '../../src/errors.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/** What a sync records locally: baselines, dewey_sync_metadata, dewey_sync_status; internal names never synced. */

const dir = tempDir();
/**
 * Baselines are laid out alike for both kinds: the emulator's server hashes as this client does, so
 * its baselines keep hash() only (canonical fingerprints `f` are kept only for a server that hashes
 * differently: test/integration/serverHashes.test.ts).
 */
const remote = join(dir, 'remote.duckdb');
const local = join(dir, 'local.duckdb');

before(async () => {
  await exec(
    remote,
    'CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR)',
    "INSERT INTO users VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')",
    'CREATE SCHEMA app',
    'CREATE TABLE app.pairs (a INTEGER, b INTEGER, c VARCHAR, PRIMARY KEY (a, b))',
    "INSERT INTO app.pairs VALUES (1, 1, 'x'), (1, 2, 'y')",
    'CREATE TABLE clicks (page VARCHAR, n INTEGER)',
    "INSERT INTO clicks VALUES ('/', 1), ('/', 1), ('/', 1), ('/about', 2), ('/x', NULL)",
    // Tables with duckdb-sync's internal names on the remote (another machine's state, a copied file…).
    'CREATE TABLE dewey_sync_metadata (bogus INTEGER)',
    'INSERT INTO dewey_sync_metadata VALUES (42)',
    'CREATE TABLE dewey_sync_status (bogus INTEGER)',
    'CREATE TABLE dewey_sync_conflicts (bogus INTEGER)',
    'CREATE SCHEMA _duckdb_sync',
    'CREATE TABLE _duckdb_sync.state (bogus INTEGER)',
    'CREATE TABLE _duckdb_sync.baseline_0000000000000000 (bogus INTEGER)',
  );
  const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, direction: 'pull' });
  assert.equal(r.ok, true, JSON.stringify(r.tables));
});

describe('state recorded by a full sync', () => {
  test('internal tables on the remote are never synced as user tables', async () => {
    const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
    assert.deepEqual(r.tables.map((t) => t.name).sort(), ['app.pairs', 'clicks', 'users']);
    // The local state tables have duckdb-sync's layout, not the remote's bogus one.
    const cols = await query(local, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'dewey_sync_metadata' AND column_name = 'bogus'");
    assert.deepEqual(cols, []);
    assert.deepEqual(await query(local, "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'baseline_0000000000000000'"), [{ n: '0' }]);
  });

  test('asking for an internal table by name is an unknown table', async () => {
    await assert.rejects(sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, tables: ['dewey_sync_metadata'] }), { code: 'E_UNKNOWN_TABLE' });
    await assert.rejects(sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, tables: ['_duckdb_sync.state'] }), { code: 'E_UNKNOWN_TABLE' });
  });

  test('keyed table: one baseline row per key', async () => {
    const baseline = `_duckdb_sync.${baselineTableName({ name: 'users' } as Parameters<typeof baselineTableName>[0])}`;
    const [meta] = await query(local, "SELECT baseline_table FROM dewey_sync_metadata WHERE table_name = 'users'");
    assert.equal(`_duckdb_sync.${String(meta?.baseline_table)}`, baseline);
    assert.match(String(meta?.baseline_table), /^baseline_[0-9a-f]{16}$/);
    assert.deepEqual(await query(local, `SELECT k0 FROM ${baseline} ORDER BY k0`), [{ k0: 1 }, { k0: 2 }, { k0: 3 }]);
    const [h] = await query(local, `SELECT count(DISTINCT h) AS n, count(*) FILTER (WHERE h IS NULL) AS nulls FROM ${baseline}`);
    assert.deepEqual(h, { n: '3', nulls: '0' });
    // The baseline hash is the hash of the local row.
    const joined = await query(local, `SELECT count(*) AS n FROM users u JOIN ${baseline} b ON b.k0 = u.id AND b.h = hash(row(u.id, u.name))`);
    assert.deepEqual(joined, [{ n: '3' }]);
  });

  test('composite key: one column per key part', async () => {
    const [meta] = await query(local, "SELECT baseline_table, key_columns FROM dewey_sync_metadata WHERE table_name = 'app.pairs'");
    assert.deepEqual(meta?.key_columns, ['a', 'b']);
    assert.deepEqual(await query(local, `SELECT k0, k1 FROM _duckdb_sync.${String(meta?.baseline_table)} ORDER BY ALL`), [
      { k0: 1, k1: 1 },
      { k0: 1, k1: 2 },
    ]);
  });

  test('keyless table: (h, n) per distinct row', async () => {
    const [meta] = await query(local, "SELECT baseline_table, key_columns FROM dewey_sync_metadata WHERE table_name = 'clicks'");
    assert.deepEqual(meta?.key_columns, []);
    const rows = await query(local, `SELECT n FROM _duckdb_sync.${String(meta?.baseline_table)} ORDER BY n`);
    assert.deepEqual(rows, [{ n: '1' }, { n: '1' }, { n: '3' }]);
    const cols = await query(local, `SELECT column_name FROM duckdb_columns() WHERE table_name = '${String(meta?.baseline_table)}' ORDER BY column_index`);
    assert.deepEqual(cols.map((c) => c.column_name), ['h', 'n']);
  });

  test('every baseline table is in the _duckdb_sync schema, one per synced table', async () => {
    const tables = await query(local, "SELECT table_name FROM duckdb_tables() WHERE schema_name = '_duckdb_sync' AND table_name LIKE 'baseline_%' ORDER BY 1");
    const meta = await query(local, 'SELECT baseline_table AS table_name FROM dewey_sync_metadata ORDER BY 1');
    assert.equal(tables.length, 3);
    assert.deepEqual(tables, meta);
  });

  test('dewey_sync_metadata: a row per table with status ok, mode full, direction pull, row_count', async () => {
    const rows = await query(
      local,
      `SELECT table_name, remote_table, status, error_message, last_sync_mode, last_direction, row_count, rows_pulled, rows_deleted,
              last_sync_time IS NOT NULL AS synced, last_success_time IS NOT NULL AS succeeded, engine_version IS NOT NULL AS has_version
         FROM dewey_sync_metadata ORDER BY table_name`,
    );
    const common = { status: 'ok', error_message: null, last_sync_mode: 'full', last_direction: 'pull', rows_deleted: '0', synced: true, succeeded: true, has_version: true };
    // The last full sync found the keyed tables equal to the remote's and wrote none of their rows
    // (full/replaceByDifference.ts); a table without a key is copied whole.
    assert.deepEqual(rows, [
      { table_name: 'app.pairs', remote_table: 'app.pairs', row_count: '2', rows_pulled: '0', ...common },
      { table_name: 'clicks', remote_table: 'main.clicks', row_count: '5', rows_pulled: '5', ...common },
      { table_name: 'users', remote_table: 'main.users', row_count: '3', rows_pulled: '0', ...common },
    ]);
  });

  test('dewey_sync_status: a run row per sync with status ok', async () => {
    const runs = await query(
      local,
      `SELECT mode, direction, status, tables_total, tables_failed, rows_pulled, error_message, finished_at >= started_at AS ordered, pid
         FROM dewey_sync_status ORDER BY started_at`,
    );
    assert.ok(runs.length >= 1);
    assert.deepEqual(runs[0], { mode: 'full', direction: 'pull', status: 'ok', tables_total: 3, tables_failed: 0, rows_pulled: '10', error_message: null, ordered: true, pid: process.pid });
  });

  test('status() reads the same from the local file alone', async () => {
    const s = await status({ local, env: {}, cwd: dir });
    assert.equal(s.local, local);
    assert.deepEqual(
      s.tables.map((t) => [t.tableName, t.status, t.lastSyncMode, t.lastDirection, t.rowCount]),
      [
        ['app.pairs', 'ok', 'full', 'pull', 2],
        ['clicks', 'ok', 'full', 'pull', 5],
        ['users', 'ok', 'full', 'pull', 3],
      ],
    );
    assert.ok(s.runs.length >= 1);
    for (const run of s.runs) assert.equal(run.status, 'ok');
    // Newest first.
    for (let i = 1; i < s.runs.length; i++) assert.ok((s.runs[i - 1]?.startedAt as Date) >= (s.runs[i]?.startedAt as Date));
    assert.equal((await status({ local, env: {}, cwd: dir, runs: 1 })).runs.length, 1);
  });

  test('status() of a file that was never synced is empty; of a missing file an error', async () => {
    const plain = join(dir, 'plain.duckdb');
    await exec(plain, 'CREATE TABLE t (x INTEGER)');
    const { localWrites, ...never } = await status({ local: plain, env: { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache-plain') }, cwd: dir });
    assert.deepEqual(never, { local: plain, tables: [], runs: [], pending: [], openConflicts: {} });
    // No sync recorded the file's state: whether writes wait is not known; nobody watches it.
    assert.deepEqual({ ...localWrites, lastWriteAt: typeof localWrites.lastWriteAt }, { waiting: null, lastSyncAt: null, lastWriteAt: 'string', watcher: null });
    await assert.rejects(status({ local: join(dir, 'absent.duckdb'), env: {}, cwd: dir }), DatabaseNotFoundError);
  });
});
