import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { conflictRows, counts, dump, newPair, rows, table, type Pair } from './incrementalSupport.js';

/**
 * --direction (issue 3): pull never writes the remote; push never writes local user tables; the
 * changes a direction leaves alone are still there for a later sync.
 */

const root = tempDir();

const ITEMS = 'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, updated_at TIMESTAMP)';
const ITEMS_ROWS = "INSERT INTO items SELECT i, 'v' || i, TIMESTAMP '2024-04-01 10:00:00' FROM range(1, 7) t(i)";
const T0 = '2024-04-01 10:00:00';
const T1 = '2024-04-02 10:00:00';

/** After a first sync: local changes 1 (update), 7 (insert), 2 (delete); remote changes 3 (update), 8 (insert), 4 (delete); both change 5. */
async function scenario(): Promise<Pair> {
  const p = newPair(root);
  await exec(p.remote, ITEMS, ITEMS_ROWS, 'CREATE TABLE tags (t VARCHAR)', "INSERT INTO tags VALUES ('x'), ('x')");
  assert.equal((await p.sync()).ok, true);
  await exec(
    p.local,
    "UPDATE items SET name = 'L1' WHERE id = 1",
    `INSERT INTO items VALUES (7, 'L7', '${T1}')`,
    'DELETE FROM items WHERE id = 2',
    `UPDATE items SET name = 'L5', updated_at = '${T1}' WHERE id = 5`,
    "INSERT INTO tags VALUES ('local')",
  );
  await exec(
    p.remote,
    `UPDATE items SET name = 'R3', updated_at = '${T1}' WHERE id = 3`,
    `INSERT INTO items VALUES (8, 'R8', '${T1}')`,
    'DELETE FROM items WHERE id = 4',
    `UPDATE items SET name = 'R5', updated_at = '${T1}' WHERE id = 5`,
    "INSERT INTO tags VALUES ('remote')",
  );
  return p;
}

const row = (id: number, name: string, at: string): Record<string, unknown> => ({ id, name, updated_at: at });

test('direction pull: the remote is never written (full dump compared); local changes wait for a later push', async () => {
  const p = await scenario();
  const remoteBefore = await dump(p.remote);
  const r = await p.syncOk({ direction: 'pull' });
  assert.equal(r.direction, 'pull');
  // 3 and 8 pulled, 4 deleted, 5 is a conflict the remote wins.
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 3, pushed: 0, deleted: 1, conflicts: 1 });
  assert.deepEqual(counts(r, 'tags'), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await dump(p.remote), remoteBefore, 'remote unchanged');
  assert.deepEqual(await rows(p.local, 'items'), [row(1, 'L1', T0), row(3, 'R3', T1), row(5, 'R5', T1), row(6, 'v6', T0), row(7, 'L7', T1), row(8, 'R8', T1)]);
  assert.deepEqual(
    (await conflictRows(p.local)).map((c) => [c.key_json, c.local_version, c.remote_version, c.winner]),
    [['{"id":5}', row(5, 'L5', T1), row(5, 'R5', T1), 'remote']],
  );

  // The local changes were kept for later: a two-way sync pushes them now.
  const later = await p.syncOk();
  assert.deepEqual(counts(later, 'items'), { status: 'ok', pulled: 0, pushed: 2, deleted: 1, conflicts: 0 });
  assert.deepEqual(counts(later, 'tags'), { status: 'ok', pulled: 0, pushed: 1, deleted: 0, conflicts: 0 });
  assert.deepEqual(await rows(p.remote, 'items'), await rows(p.local, 'items'));
  assert.deepEqual(await rows(p.remote, 'tags'), [{ t: 'local' }, { t: 'remote' }, { t: 'x' }, { t: 'x' }]);
});

test('direction pull with local-wins: the conflict is left for a later sync, the remote stays untouched', async () => {
  const p = await scenario();
  const remoteBefore = await dump(p.remote);
  const r = await p.syncOk({ direction: 'pull', onConflict: 'local-wins' });
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 2, pushed: 0, deleted: 1, conflicts: 0 });
  assert.deepEqual(await dump(p.remote), remoteBefore);
  assert.deepEqual(await rows(p.local, 'items'), [row(1, 'L1', T0), row(3, 'R3', T1), row(5, 'L5', T1), row(6, 'v6', T0), row(7, 'L7', T1), row(8, 'R8', T1)]);
  assert.deepEqual(await conflictRows(p.local), []);
  // The remote change to 5 was not applied: the watermark must not have skipped it.
  const later = await p.syncOk({ onConflict: 'local-wins' });
  assert.deepEqual(counts(later, 'items'), { status: 'ok', pulled: 0, pushed: 3, deleted: 1, conflicts: 1 });
  assert.deepEqual(await rows(p.remote, 'items'), [row(1, 'L1', T0), row(3, 'R3', T1), row(5, 'L5', T1), row(6, 'v6', T0), row(7, 'L7', T1), row(8, 'R8', T1)]);
  assert.deepEqual(
    (await conflictRows(p.local)).map((c) => [c.key_json, c.local_version, c.remote_version, c.winner, c.policy]),
    [['{"id":5}', row(5, 'L5', T1), row(5, 'R5', T1), 'local', 'local-wins']],
  );
});

test('direction push: local user tables are never written; remote changes wait for a later pull', async () => {
  const p = await scenario();
  const localBefore = await dump(p.local);
  const r = await p.syncOk({ direction: 'push', onConflict: 'local-wins' });
  assert.equal(r.direction, 'push');
  // 1 and 7 pushed, 2 deleted, 5 is a conflict the local side wins.
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 0, pushed: 3, deleted: 1, conflicts: 1 });
  assert.deepEqual(counts(r, 'tags'), { status: 'ok', pulled: 0, pushed: 1, deleted: 0, conflicts: 0 });
  assert.deepEqual(await dump(p.local), localBefore, 'local user tables unchanged');
  assert.deepEqual(await rows(p.remote, 'items'), [row(1, 'L1', T0), row(3, 'R3', T1), row(5, 'L5', T1), row(6, 'v6', T0), row(7, 'L7', T1), row(8, 'R8', T1)]);

  const later = await p.syncOk();
  assert.deepEqual(counts(later, 'items'), { status: 'ok', pulled: 2, pushed: 0, deleted: 1, conflicts: 0 });
  assert.deepEqual(counts(later, 'tags'), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await rows(p.local, 'items'), await rows(p.remote, 'items'));
  assert.deepEqual(await rows(p.local, 'tags'), [{ t: 'local' }, { t: 'remote' }, { t: 'x' }, { t: 'x' }]);
});

test('direction push with remote-wins leaves the conflict for later and writes no local user table', async () => {
  const p = await scenario();
  const localBefore = await dump(p.local);
  const r = await p.syncOk({ direction: 'push' });
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 0, pushed: 2, deleted: 1, conflicts: 0 });
  assert.deepEqual(await dump(p.local), localBefore);
  assert.deepEqual(await rows(p.remote, 'items'), [row(1, 'L1', T0), row(3, 'R3', T1), row(5, 'R5', T1), row(6, 'v6', T0), row(7, 'L7', T1), row(8, 'R8', T1)]);
  const later = await p.syncOk();
  assert.deepEqual(counts(later, 'items'), { status: 'ok', pulled: 3, pushed: 0, deleted: 1, conflicts: 1 });
  assert.deepEqual(await rows(p.local, 'items'), [row(1, 'L1', T0), row(3, 'R3', T1), row(5, 'R5', T1), row(6, 'v6', T0), row(7, 'L7', T1), row(8, 'R8', T1)]);
});

test('new tables and directions: pull does not create a local-only table remotely; push does not create a remote table locally', async () => {
  const p = await scenario();
  await exec(p.local, 'CREATE TABLE mine (k INTEGER PRIMARY KEY)', 'INSERT INTO mine VALUES (1)');
  await exec(p.remote, 'CREATE TABLE theirs (k INTEGER PRIMARY KEY)', 'INSERT INTO theirs VALUES (2)');
  const remoteBefore = await dump(p.remote);
  const pull = await p.sync({ mode: 'incremental', direction: 'pull' });
  assert.equal(table(pull, 'mine').status, 'ok');
  assert.equal(table(pull, 'mine').rowsPushed, 0);
  assert.equal(table(pull, 'theirs').rowsPulled, 1);
  assert.deepEqual(await dump(p.remote), remoteBefore);
  assert.deepEqual(await rows(p.local, 'theirs'), [{ k: 2 }]);

  const p2 = await scenario();
  await exec(p2.remote, 'CREATE TABLE theirs (k INTEGER PRIMARY KEY)', 'INSERT INTO theirs VALUES (2)');
  const localBefore = await dump(p2.local);
  const push = await p2.sync({ mode: 'incremental', direction: 'push' });
  assert.equal(table(push, 'theirs').status, 'error');
  assert.equal(table(push, 'theirs').errorCode, 'E_NO_BASELINE');
  assert.equal(table(push, 'items').status, 'ok');
  assert.deepEqual(await dump(p2.local), localBefore);
});

test('full mode with direction pull never writes the remote either', async () => {
  const p = await scenario();
  const remoteBefore = await dump(p.remote);
  const r = await p.sync({ mode: 'full', direction: 'pull' });
  assert.equal(r.ok, true, JSON.stringify(r.tables));
  assert.deepEqual(await dump(p.remote), remoteBefore);
  assert.deepEqual(await dump(p.local), remoteBefore, 'local replaced with the remote content');
  // The local changes it replaced are kept in the conflicts table.
  const kept = (await conflictRows(p.local)).filter((c) => c.table_name === 'items').map((c) => [c.key_json, c.local_version]);
  assert.deepEqual(kept, [
    ['{"id":1}', row(1, 'L1', T0)],
    ['{"id":2}', null],
    ['{"id":5}', row(5, 'L5', T1)],
    ['{"id":7}', row(7, 'L7', T1)],
  ]);
});
