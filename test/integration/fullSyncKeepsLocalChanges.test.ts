import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

async function setup(): Promise<{ local: string; remote: string }> {
  const dir = tempDir();
  const remote = join(dir, 'remote.duckdb');
  const local = join(dir, 'local.duckdb');
  await exec(
    remote,
    'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR)',
    "INSERT INTO items SELECT i, 'item ' || i FROM range(1, 11) t(i)",
    'CREATE TABLE tags (tag VARCHAR)',
    "INSERT INTO tags VALUES ('a'), ('a'), ('b')",
  );
  const first = await sync({ local, remote: remoteUri(remote) });
  assert.equal(first.ok, true);
  return { local, remote };
}

test('a pull-only full sync records every local change it replaces in dewey_sync_conflicts', async () => {
  const { local, remote } = await setup();
  // Out-of-band local writes (another client): update, delete, insert; keyless insert and delete.
  await exec(
    local,
    "UPDATE items SET name = 'mine' WHERE id = 2",
    'DELETE FROM items WHERE id = 3',
    "INSERT INTO items VALUES (99, 'new here')",
    "INSERT INTO tags VALUES ('local')",
    "DELETE FROM tags WHERE tag = 'b'",
  );
  // The remote changed row 4 too, but not the rows the local side touched.
  await exec(remote, "UPDATE items SET name = 'theirs' WHERE id = 4");

  const result = await sync({ local, remote: remoteUri(remote), direction: 'pull' });
  assert.equal(result.ok, true);
  const items = result.tables.find((t) => t.name === 'items');
  const tags = result.tables.find((t) => t.name === 'tags');
  assert.equal(items?.conflicts, 3);
  assert.equal(tags?.conflicts, 2);

  const rows = await query(local, "SELECT key_json, local_version::VARCHAR AS lv, remote_version::VARCHAR AS rv, copies, winner FROM dewey_sync_conflicts WHERE table_name = 'items' ORDER BY key_json");
  assert.deepEqual(
    rows.map((r) => [r.key_json, r.lv === null ? null : JSON.parse(r.lv as string).name, r.rv === null ? null : JSON.parse(r.rv as string).name]),
    [
      ['{"id":2}', 'mine', 'item 2'],
      ['{"id":3}', null, 'item 3'],
      ['{"id":99}', 'new here', null],
    ],
  );
  const tagRows = await query(local, "SELECT local_version::VARCHAR AS lv, remote_version::VARCHAR AS rv, copies FROM dewey_sync_conflicts WHERE table_name = 'tags' ORDER BY lv NULLS LAST");
  assert.deepEqual(
    tagRows.map((r) => [r.lv, r.rv, String(r.copies)]),
    [
      ['{"tag":"local"}', null, '1'],
      [null, '{"tag":"b"}', '1'],
    ],
  );
  // The local content is now the remote's.
  assert.deepEqual(await query(local, 'SELECT name FROM items WHERE id IN (2, 3, 4) ORDER BY id'), [{ name: 'item 2' }, { name: 'item 3' }, { name: 'theirs' }]);

  // Nothing changed since: the next full sync records nothing new.
  const again = await sync({ local, remote: remoteUri(remote), direction: 'pull' });
  assert.deepEqual(
    again.tables.map((t) => t.conflicts),
    [0, 0],
  );
});

test('a local change that the remote made identically is not a conflict', async () => {
  const { local, remote } = await setup();
  await exec(local, "UPDATE items SET name = 'same' WHERE id = 5");
  await exec(remote, "UPDATE items SET name = 'same' WHERE id = 5");
  const result = await sync({ local, remote: remoteUri(remote), direction: 'pull' });
  assert.equal(result.tables.find((t) => t.name === 'items')?.conflicts, 0);
  assert.deepEqual(await query(local, 'SELECT count(*)::INTEGER AS n FROM dewey_sync_conflicts'), [{ n: 0 }]);
});

test('a full sync in both directions pushes local changes first, then replaces the local content', async () => {
  const { local, remote } = await setup();
  await exec(local, "UPDATE items SET name = 'mine' WHERE id = 2", 'DELETE FROM items WHERE id = 3', "INSERT INTO items VALUES (99, 'new here')", "INSERT INTO tags VALUES ('local')");
  await exec(remote, "UPDATE items SET name = 'theirs' WHERE id = 4", "UPDATE items SET name = 'theirs too' WHERE id = 2");
  const result = await sync({ local, remote: remoteUri(remote) });
  assert.equal(result.ok, true);
  const items = result.tables.find((t) => t.name === 'items');
  // 3 deleted and 99 inserted are pushed; row 2 changed on both sides: remote wins, the local version is kept.
  assert.equal(items?.rowsPushed, 1);
  assert.equal(items?.conflicts, 1);
  const expected = [{ id: 1, name: 'item 1' }, { id: 2, name: 'theirs too' }, { id: 4, name: 'theirs' }, { id: 99, name: 'new here' }];
  for (const file of [local, remote]) {
    assert.deepEqual(await query(file, 'SELECT id, name FROM items WHERE id IN (1, 2, 3, 4, 99) ORDER BY id'), expected);
    assert.deepEqual(await query(file, "SELECT count(*)::INTEGER AS n FROM tags WHERE tag = 'local'"), [{ n: 1 }]);
  }
  const conflicts = await query(local, "SELECT key_json, local_version::VARCHAR AS lv FROM dewey_sync_conflicts WHERE table_name = 'items'");
  assert.equal(conflicts.length, 1);
  assert.equal(conflicts[0]?.key_json, '{"id":2}');
  assert.equal(JSON.parse(conflicts[0]?.lv as string).name, 'mine');
});
