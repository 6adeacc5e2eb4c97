import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { dismissConflicts, listConflicts, openSyncedDatabase, restoreConflicts, sync, type ConflictEvent } from '../../src/index.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/** The library's side of `duckdb-sync conflicts`: one-off functions, SyncedDatabase methods, the `conflict` event. */

test('one-off API: list, restore (keyless copies too), dismiss', async () => {
  const dir = tempDir();
  const remote = join(dir, 'cloud.duckdb');
  const local = join(dir, 'local.duckdb');
  const base = { local, remote: remoteUri(remote), env: {}, cwd: dir };
  await exec(remote, 'CREATE TABLE log (msg VARCHAR, n INTEGER)', "INSERT INTO log VALUES ('a', 1), ('b', 2)", 'CREATE TABLE kv (k INTEGER PRIMARY KEY, v VARCHAR)', "INSERT INTO kv VALUES (1, 'x')");
  await sync(base);
  // A full sync replaces local changes; it keeps them as conflicts: two added copies, and an update.
  await exec(local, "INSERT INTO log VALUES ('mine', 9), ('mine', 9)", "DELETE FROM log WHERE msg = 'a'", "UPDATE kv SET v = 'local' WHERE k = 1");
  await exec(remote, "UPDATE kv SET v = 'cloud' WHERE k = 1");
  const r = await sync({ ...base, direction: 'pull' });
  assert.equal(r.ok, true);
  const kept = await listConflicts(base);
  assert.deepEqual(kept.map((c) => [c.table, c.copies, c.local === null]).sort(), [['kv', 1, false], ['log', 1, true], ['log', 2, false]]);
  assert.deepEqual(await query(local, "SELECT msg, count(*)::INTEGER AS n FROM log GROUP BY msg ORDER BY msg"), [{ msg: 'a', n: 1 }, { msg: 'b', n: 1 }]);

  // The two lost copies come back; the copy the local side had deleted is deleted again.
  const logIds = kept.filter((c) => c.table === 'log').map((c) => c.id);
  const restored = await restoreConflicts({ ...base, ids: logIds });
  assert.deepEqual(restored.map((c) => c.status), ['restored', 'restored']);
  assert.deepEqual(await query(local, "SELECT msg, count(*)::INTEGER AS n FROM log GROUP BY msg ORDER BY msg"), [{ msg: 'b', n: 1 }, { msg: 'mine', n: 2 }]);
  await sync({ ...base, mode: 'incremental' });
  assert.deepEqual(await query(remote, "SELECT msg, count(*)::INTEGER AS n FROM log GROUP BY msg ORDER BY msg"), [{ msg: 'b', n: 1 }, { msg: 'mine', n: 2 }]);

  const dismissed = await dismissConflicts({ ...base, all: true, tables: ['kv'] });
  assert.deepEqual(dismissed.map((c) => [c.table, c.status]), [['kv', 'dismissed']]);
  assert.deepEqual(await listConflicts(base), []);
  assert.equal((await listConflicts({ ...base, includeDismissed: true })).length, 3);
});

test('SyncedDatabase: a conflict event, then listConflicts and restoreConflicts (pushed in the background)', async () => {
  const dir = tempDir();
  const remote = join(dir, 'cloud.duckdb');
  const local = join(dir, 'local.duckdb');
  await exec(remote, 'CREATE TABLE kv (k INTEGER PRIMARY KEY, v VARCHAR)', "INSERT INTO kv VALUES (1, 'x'), (2, 'y')");
  const options = { local, remote: remoteUri(remote), env: {}, cwd: dir };
  await sync(options);
  // Both sides edit the same row while no process holds the files (an emulated cloud stays attached while a SyncedDatabase is open).
  await exec(remote, "UPDATE kv SET v = 'cloud' WHERE k = 1");
  await exec(local, "UPDATE kv SET v = 'app' WHERE k = 1");
  const db = await openSyncedDatabase({ ...options, debounceMs: 10 });
  try {
    const events: ConflictEvent[] = [];
    db.on('conflict', (e) => events.push(e));
    await db.sync();
    assert.deepEqual(events, [{ table: 'kv', conflicts: 1 }]);
    const [c] = await db.listConflicts();
    assert.equal(c?.local?.v, 'app');
    assert.equal(c?.remote?.v, 'cloud');
    await db.restoreConflicts([c?.id as number]);
    assert.deepEqual(await db.all('SELECT v FROM kv WHERE k = 1'), [{ v: 'app' }]);
    await db.flush();
    assert.deepEqual(await db.listConflicts(), []);
  } finally {
    await db.close();
  }
  assert.deepEqual(await query(remote, 'SELECT v FROM kv WHERE k = 1'), [{ v: 'app' }]);
});
