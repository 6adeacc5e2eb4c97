import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { status } from '../../src/run/status.js';
import { sync } from '../../src/run/sync.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import type { SyncResult } from '../../src/engine/api.js';

/** A table that fails is reported, keeps its old content whole, and does not stop the others. */

const dir = tempDir();
const remote = join(dir, 'remote.duckdb');
const local = join(dir, 'local.duckdb');
let result: SyncResult;
let goodBefore: Array<Record<string, unknown>>;

before(async () => {
  await exec(
    remote,
    'CREATE TABLE good_first (id INTEGER PRIMARY KEY, v VARCHAR)',
    "INSERT INTO good_first VALUES (1, 'a'), (2, 'b')",
    'CREATE TABLE measures (id INTEGER PRIMARY KEY, reading VARCHAR)',
    "INSERT INTO measures VALUES (1, '10'), (2, '20')",
    'CREATE TABLE zz_good_last (k VARCHAR)',
    "INSERT INTO zz_good_last VALUES ('x'), ('y')",
  );
  const first = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  assert.equal(first.ok, true);

  // The local column becomes INTEGER (another client changed it); the remote then holds text that does not convert.
  await exec(local, 'ALTER TABLE measures ALTER reading TYPE INTEGER');
  goodBefore = await query(local, 'SELECT * FROM measures ORDER BY id');
  await exec(
    remote,
    "INSERT INTO measures VALUES (3, 'not a number')",
    "UPDATE measures SET reading = '99' WHERE id = 1",
    "INSERT INTO good_first VALUES (3, 'c')",
    "INSERT INTO zz_good_last VALUES ('z')",
  );
  result = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
});

describe('a failing table', () => {
  test('is reported with status error; the others succeed; the result is not ok', () => {
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.tables.map((t) => [t.name, t.status]),
      [
        ['good_first', 'ok'],
        ['measures', 'error'],
        ['zz_good_last', 'ok'],
      ],
    );
    const bad = result.tables[1];
    assert.match(bad?.error ?? '', /not a number|Conver|cast/i);
    assert.equal(bad?.errorCode, 'E_DATABASE');
    assert.deepEqual([bad?.rowsPulled, bad?.rowsDeleted], [0, 0]);
  });

  test('keeps its old content whole (the transaction rolled back)', async () => {
    assert.deepEqual(goodBefore, [
      { id: 1, reading: 10 },
      { id: 2, reading: 20 },
    ]);
    assert.deepEqual(await query(local, 'SELECT * FROM measures ORDER BY id'), goodBefore);
  });

  test('the remote keeps its content', async () => {
    assert.deepEqual(await query(remote, 'SELECT * FROM measures ORDER BY id'), [
      { id: 1, reading: '99' },
      { id: 2, reading: '20' },
      { id: 3, reading: 'not a number' },
    ]);
  });

  test('the other tables, before and after it, were synced', async () => {
    assert.deepEqual(await query(local, 'SELECT * FROM good_first ORDER BY id'), await query(remote, 'SELECT * FROM good_first ORDER BY id'));
    assert.deepEqual(await query(local, 'SELECT * FROM zz_good_last ORDER BY k'), await query(remote, 'SELECT * FROM zz_good_last ORDER BY k'));
  });

  test('metadata records status error with the message; the last success and baseline are kept', async () => {
    const [m] = await query(
      local,
      `SELECT status, error_message, last_success_time < last_sync_time AS older_success, baseline_table, row_count
         FROM dewey_sync_metadata WHERE table_name = 'measures'`,
    );
    assert.equal(m?.status, 'error');
    assert.equal(m?.error_message, result.tables[1]?.error);
    assert.equal(m?.older_success, true);
    assert.equal(m?.row_count, '2');
    // The baseline from the last success is still there, unchanged.
    assert.deepEqual(await query(local, `SELECT k0 FROM _duckdb_sync.${String(m?.baseline_table)} ORDER BY k0`), [{ k0: 1 }, { k0: 2 }]);
    const others = await query(local, "SELECT table_name, status, error_message FROM dewey_sync_metadata WHERE table_name <> 'measures' ORDER BY 1");
    assert.deepEqual(others, [
      { table_name: 'good_first', status: 'ok', error_message: null },
      { table_name: 'zz_good_last', status: 'ok', error_message: null },
    ]);
  });

  test('the run is recorded as error with the failed table named', async () => {
    const s = await status({ local, env: {}, cwd: dir });
    const [last] = s.runs;
    assert.equal(last?.status, 'error');
    assert.equal(last?.tablesTotal, 3);
    assert.equal(last?.tablesFailed, 1);
    assert.match(last?.errorMessage ?? '', /^measures: /);
    assert.equal(s.tables.find((t) => t.tableName === 'measures')?.status, 'error');
  });

  test('once the remote data is fixed, the next sync succeeds and clears the error', async () => {
    await exec(remote, "UPDATE measures SET reading = '3' WHERE id = 3");
    const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, tables: ['measures'] });
    assert.deepEqual(r.tables.map((t) => [t.name, t.status, t.rowsPulled]), [['measures', 'ok', 3]]);
    assert.deepEqual(await query(local, "SELECT status, error_message FROM dewey_sync_metadata WHERE table_name = 'measures'"), [{ status: 'ok', error_message: null }]);
    assert.deepEqual(await query(local, 'SELECT * FROM measures ORDER BY id'), [
      { id: 1, reading: 99 },
      { id: 2, reading: 20 },
      { id: 3, reading: 3 },
    ]);
  });
});

test('a table failing on a first sync (no local table before) leaves no table behind', async () => {
  const remote2 = join(dir, 'remote2.duckdb');
  const local2 = join(dir, 'local2.duckdb');
  await exec(remote2, 'CREATE TABLE ok_table (x INTEGER)', 'INSERT INTO ok_table VALUES (1)', 'CREATE TABLE t (id INTEGER, v VARCHAR)', "INSERT INTO t VALUES (1, 'x')");
  // A local view with the table's name: creating the table fails.
  await exec(local2, 'CREATE VIEW t AS SELECT 1 AS id');
  const r = await sync({ local: local2, remote: remoteUri(remote2), env: {}, cwd: dir });
  assert.equal(r.ok, false);
  assert.deepEqual(r.tables.map((t) => [t.name, t.status]), [
    ['ok_table', 'ok'],
    ['t', 'error'],
  ]);
  assert.deepEqual(await query(local2, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name NOT LIKE 'dewey%' ORDER BY 1"), [{ table_name: 'ok_table' }]);
  assert.deepEqual(await query(local2, "SELECT status FROM dewey_sync_metadata WHERE table_name = 't'"), [{ status: 'error' }]);
});
