import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/** A dry run of a full pull reports rows to pull and local rows to delete, and changes nothing on either side. */

const dir = tempDir();
const remote = join(dir, 'remote.duckdb');

before(async () => {
  await exec(
    remote,
    'CREATE TABLE items (id INTEGER PRIMARY KEY, v VARCHAR)',
    "INSERT INTO items SELECT i, 'v' || i FROM range(1, 6) t(i)",
    'CREATE TABLE log (msg VARCHAR)',
    "INSERT INTO log VALUES ('a'), ('a'), ('b')",
    'CHECKPOINT',
  );
});

function snapshot(path: string): Buffer {
  return readFileSync(path);
}

test('dry run with no local file: reports the rows, creates nothing', async () => {
  const local = join(dir, 'absent.duckdb');
  const remoteBefore = snapshot(remote);
  const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, dryRun: true });
  assert.equal(r.dryRun, true);
  assert.equal(r.ok, true);
  assert.deepEqual(
    r.tables.map((t) => [t.name, t.status, t.rowsPulled, t.rowsDeleted]),
    [
      ['items', 'planned', 5, 0],
      ['log', 'planned', 3, 0],
    ],
  );
  for (const t of r.tables) assert.deepEqual(t.warnings, ['creates the local table']);
  assert.equal(existsSync(local), false, 'no local file');
  assert.equal(existsSync(`${local}.wal`), false);
  assert.ok(snapshot(remote).equals(remoteBefore), 'remote bytes unchanged');
});

test('dry run with a synced local file: counts local rows to delete, changes nothing', async () => {
  const local = join(dir, 'local.duckdb');
  await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  // Local edits the remote does not have (keyed: ids 100, 101; keyless: a third 'a' and a 'z').
  await exec(local, "INSERT INTO items VALUES (100, 'x'), (101, 'y')", "UPDATE items SET v = 'changed' WHERE id = 1", "INSERT INTO log VALUES ('a'), ('z')", 'CHECKPOINT');
  // Remote edits: one row deleted (its local copy is then a row to delete), one added.
  await exec(remote, 'DELETE FROM items WHERE id = 5', "INSERT INTO items VALUES (6, 'v6')", 'CHECKPOINT');

  const localBefore = snapshot(local);
  const remoteBefore = snapshot(remote);
  const contentBefore = await query(local, 'SELECT * FROM items ORDER BY id');
  const metaBefore = await query(local, 'SELECT * FROM dewey_sync_metadata ORDER BY table_name');
  const runsBefore = await query(local, 'SELECT * FROM dewey_sync_status ORDER BY started_at');

  const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, dryRun: true, direction: 'pull' });
  assert.equal(r.dryRun, true);
  assert.deepEqual(
    r.tables.map((t) => [t.name, t.status, t.rowsPulled, t.rowsDeleted]),
    [
      ['items', 'planned', 2, 3], // rows 1 (changed locally) and 6 (new) are written; ids 5, 100, 101 are not on the remote
      ['log', 'planned', 3, 2], // one surplus 'a' and the 'z'
    ],
  );
  for (const t of r.tables) assert.deepEqual(t.warnings, ['replaces the local content']);

  assert.ok(snapshot(local).equals(localBefore), 'local bytes unchanged');
  assert.ok(snapshot(remote).equals(remoteBefore), 'remote bytes unchanged');
  assert.deepEqual(await query(local, 'SELECT * FROM items ORDER BY id'), contentBefore);
  assert.deepEqual(await query(local, 'SELECT * FROM dewey_sync_metadata ORDER BY table_name'), metaBefore);
  assert.deepEqual(await query(local, 'SELECT * FROM dewey_sync_status ORDER BY started_at'), runsBefore, 'no run recorded');

  // The real sync then does what the dry run announced.
  const real = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, direction: 'pull' });
  assert.deepEqual(
    real.tables.map((t) => [t.name, t.rowsPulled, t.rowsDeleted]),
    r.tables.map((t) => [t.name, t.rowsPulled, t.rowsDeleted]),
  );
});

test('dry run with a local file lacking the table', async () => {
  const local = join(dir, 'other.duckdb');
  await exec(local, 'CREATE TABLE mine (x INTEGER)', 'INSERT INTO mine VALUES (1)', 'CHECKPOINT');
  const before = snapshot(local);
  const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, dryRun: true, tables: ['items'] });
  assert.deepEqual(r.tables.map((t) => [t.name, t.rowsPulled, t.rowsDeleted, t.warnings]), [['items', 5, 0, ['creates the local table']]]);
  assert.ok(snapshot(local).equals(before));
  assert.deepEqual(await query(local, "SELECT table_name FROM duckdb_tables() ORDER BY 1"), [{ table_name: 'mine' }]);
});

test('dry run after the remote added a column: counts as the sync will (new column empty locally)', async () => {
  const remote2 = join(dir, 'remote-added-column.duckdb');
  const local = join(dir, 'local-added-column.duckdb');
  await exec(remote2, 'CREATE TABLE log (msg VARCHAR)', "INSERT INTO log VALUES ('a'), ('a'), ('b')", 'CREATE TABLE items (id INTEGER PRIMARY KEY)', 'INSERT INTO items VALUES (1), (2)');
  await sync({ local, remote: remoteUri(remote2), env: {}, cwd: dir });
  await exec(remote2, 'ALTER TABLE log ADD COLUMN level INTEGER', "UPDATE log SET level = 1 WHERE msg = 'b'", 'ALTER TABLE items ADD COLUMN v VARCHAR', 'DELETE FROM items WHERE id = 2');
  const plan = await sync({ local, remote: remoteUri(remote2), env: {}, cwd: dir, dryRun: true, direction: 'pull' });
  assert.deepEqual(
    plan.tables.map((t) => [t.name, t.status, t.rowsPulled, t.rowsDeleted]),
    [
      ['items', 'planned', 1, 1],
      ['log', 'planned', 3, 1], // ('b', NULL) locally becomes ('b', 1); the two ('a', NULL) stay
    ],
  );
  const real = await sync({ local, remote: remoteUri(remote2), env: {}, cwd: dir, direction: 'pull' });
  assert.equal(real.ok, true, JSON.stringify(real.tables));
  assert.deepEqual(
    real.tables.map((t) => [t.name, t.rowsPulled, t.rowsDeleted]),
    plan.tables.map((t) => [t.name, t.rowsPulled, t.rowsDeleted]),
  );
});
