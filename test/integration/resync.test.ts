import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import type { SyncResult } from '../../src/engine/api.js';

/** A second full pull replaces the local content with the remote's and counts what it removed. */

const dir = tempDir();
let n = 0;
function files(): { local: string; remote: string } {
  n++;
  return { local: join(dir, `local-${n}.duckdb`), remote: join(dir, `remote-${n}.duckdb`) };
}

function table(r: SyncResult, name: string): SyncResult['tables'][number] {
  const t = r.tables.find((x) => x.name === name);
  assert.ok(t, `no result for ${name}`);
  return t;
}

test('keyed table: remote updates, deletes and inserts appear locally; rowsDeleted counts rows the remote no longer has', async () => {
  const { local, remote } = files();
  await exec(remote, 'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, price DECIMAL(8,2))', "INSERT INTO items SELECT i, 'item ' || i, i * 1.25 FROM range(1, 11) t(i)");
  const first = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  assert.deepEqual([table(first, 'items').rowsPulled, table(first, 'items').rowsDeleted], [10, 0]);

  await exec(
    remote,
    "UPDATE items SET name = 'renamed', price = 0 WHERE id IN (1, 2)",
    'DELETE FROM items WHERE id IN (3, 4, 5)',
    "INSERT INTO items VALUES (11, 'new', 9.99), (12, 'newer', NULL)",
  );
  // A row written only locally is not on the remote: a full pull (direction pull) removes it, and counts it.
  await exec(local, "INSERT INTO items VALUES (100, 'local only', 1)");

  const second = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, direction: 'pull' });
  assert.equal(second.ok, true);
  const t = table(second, 'items');
  assert.equal(t.status, 'ok');
  // Written as the difference (full/replaceByDifference.ts): rows 1, 2 (updated), 11, 12 (new).
  assert.equal(t.rowsPulled, 4);
  assert.equal(t.rowsDeleted, 4, 'ids 3, 4, 5 deleted remotely, plus 100 written only locally; updates are not deletes');

  const sel = 'SELECT * FROM items ORDER BY id';
  assert.deepEqual(await query(local, sel), await query(remote, sel));
  assert.deepEqual(await query(local, 'SELECT name, price FROM items WHERE id = 1'), [{ name: 'renamed', price: '0.00' }]);

  // Nothing changed since: nothing written, nothing deleted.
  const third = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  assert.deepEqual([table(third, 'items').rowsPulled, table(third, 'items').rowsDeleted], [0, 0]);
});

test('keyless table with duplicates: counts kept, surplus duplicates counted as deleted', async () => {
  const { local, remote } = files();
  await exec(remote, 'CREATE TABLE log (msg VARCHAR, level INTEGER)', "INSERT INTO log VALUES ('a', 1), ('a', 1), ('a', 1), ('b', 2), ('c', NULL), ('c', NULL)");
  const first = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  assert.deepEqual([table(first, 'log').rowsPulled, table(first, 'log').rowsDeleted], [6, 0]);
  const counts = "SELECT msg, level, count(*) AS n FROM log GROUP BY ALL ORDER BY ALL";
  assert.deepEqual(await query(local, counts), [
    { msg: 'a', level: 1, n: '3' },
    { msg: 'b', level: 2, n: '1' },
    { msg: 'c', level: null, n: '2' },
  ]);

  // Remove one of three ('a', 1) copies and the only ('b', 2); add one more ('c', NULL) and a new row.
  await exec(
    remote,
    "DELETE FROM log WHERE rowid = (SELECT min(rowid) FROM log WHERE msg = 'a')",
    "DELETE FROM log WHERE msg = 'b'",
    "INSERT INTO log VALUES ('c', NULL), ('d', 4)",
  );
  const second = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  const t = table(second, 'log');
  assert.equal(t.status, 'ok');
  assert.equal(t.rowsPulled, 6);
  assert.equal(t.rowsDeleted, 2, "one surplus ('a', 1) and the ('b', 2) row");
  assert.deepEqual(await query(local, counts), [
    { msg: 'a', level: 1, n: '2' },
    { msg: 'c', level: null, n: '3' },
    { msg: 'd', level: 4, n: '1' },
  ]);
  assert.deepEqual(await query(local, counts), await query(remote, counts));
});

test('a remote table emptied: every local row is deleted and counted', async () => {
  const { local, remote } = files();
  await exec(remote, 'CREATE TABLE t (id INTEGER PRIMARY KEY)', 'INSERT INTO t SELECT range FROM range(5)');
  await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  await exec(remote, 'DELETE FROM t');
  const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  assert.deepEqual([table(r, 't').rowsPulled, table(r, 't').rowsDeleted], [0, 5]);
  assert.deepEqual(await query(local, 'SELECT count(*) AS n FROM t'), [{ n: '0' }]);
});

test('a column added on the remote is added locally; a local-only column is kept with a warning', async () => {
  const { local, remote } = files();
  await exec(remote, 'CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR)', "INSERT INTO t VALUES (1, 'x')");
  await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  await exec(remote, 'ALTER TABLE t ADD COLUMN b INTEGER', 'UPDATE t SET b = 7');
  await exec(local, 'ALTER TABLE t ADD COLUMN mine VARCHAR');
  const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, direction: 'pull' });
  const t = table(r, 't');
  assert.equal(t.status, 'ok');
  assert.ok(t.warnings?.some((w) => w.includes('mine')), JSON.stringify(t.warnings));
  assert.deepEqual(await query(local, 'SELECT id, a, b, mine FROM t'), [{ id: 1, a: 'x', b: 7, mine: null }]);
});
