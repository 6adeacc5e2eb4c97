import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import { UnknownTableError } from '../../src/errors.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/** --table and excludeTables choose the tables; unknown names fail before any work. */

const dir = tempDir();
const remote = join(dir, 'remote.duckdb');
let n = 0;
const freshLocal = (): string => join(dir, `local-${++n}.duckdb`);
const userTables = "SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() WHERE schema_name <> '_duckdb_sync' AND table_name NOT LIKE 'dewey_sync_%' ORDER BY 1";

before(async () => {
  await exec(
    remote,
    'CREATE TABLE a (id INTEGER PRIMARY KEY)',
    'INSERT INTO a VALUES (1), (2)',
    'CREATE TABLE b (id INTEGER PRIMARY KEY)',
    'INSERT INTO b VALUES (1)',
    'CREATE SCHEMA s',
    'CREATE TABLE s.c (v VARCHAR)',
    "INSERT INTO s.c VALUES ('x')",
  );
});

test('tables: only the named tables are synced', async () => {
  const local = freshLocal();
  const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, tables: ['a', 's.c'] });
  assert.deepEqual(r.tables.map((t) => [t.name, t.status]), [
    ['a', 'ok'],
    ['s.c', 'ok'],
  ]);
  assert.deepEqual(await query(local, userTables), [{ t: 'main.a' }, { t: 's.c' }]);
  assert.deepEqual(await query(local, 'SELECT table_name FROM dewey_sync_metadata ORDER BY 1'), [{ table_name: 'a' }, { table_name: 's.c' }]);
});

test('excludeTables: everything else is synced', async () => {
  const local = freshLocal();
  const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, excludeTables: ['b'] });
  assert.deepEqual(r.tables.map((t) => t.name), ['a', 's.c']);
  assert.deepEqual(await query(local, userTables), [{ t: 'main.a' }, { t: 's.c' }]);
});

test('an unknown table throws UnknownTableError and leaves no local file behind', async () => {
  const local = freshLocal();
  await assert.rejects(sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, tables: ['a', 'nope'] }), (e: unknown) => {
    assert.ok(e instanceof UnknownTableError);
    assert.equal(e.table, 'nope');
    assert.match(e.hint ?? '', /\ba\b.*\bb\b.*s\.c/);
    return true;
  });
  assert.equal(existsSync(local), false);
  assert.equal(existsSync(`${local}.wal`), false);
  // Same for an unknown excluded table, and for verify.
  await assert.rejects(sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, excludeTables: ['nope'] }), UnknownTableError);
  await assert.rejects(verify({ local, remote: remoteUri(remote), env: {}, cwd: dir, tables: ['nope'] }), UnknownTableError);
  assert.equal(existsSync(local), false);
});

test('an unknown table leaves an existing local file unchanged', async () => {
  const local = freshLocal();
  await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, tables: ['a'] });
  await exec(local, 'CHECKPOINT');
  const before = readFileSync(local);
  const content = await query(local, 'SELECT * FROM a ORDER BY id');
  await exec(remote, 'INSERT INTO a VALUES (3)');
  try {
    await assert.rejects(sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, tables: ['a', 'nope'] }), UnknownTableError);
    assert.ok(existsSync(local));
    assert.ok(readFileSync(local).equals(before), 'file bytes unchanged');
    assert.deepEqual(await query(local, 'SELECT * FROM a ORDER BY id'), content);
    assert.deepEqual(await query(local, userTables), [{ t: 'main.a' }]);
  } finally {
    await exec(remote, 'DELETE FROM a WHERE id = 3');
  }
});
