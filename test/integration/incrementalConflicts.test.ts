import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConflictPolicy } from '../../src/config/schema.js';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { conflictRows, counts, dump, newPair, rows, table, type Pair } from './incrementalSupport.js';

/**
 * Three-way merge per key and the conflict policies (issue 3): remote-wins, local-wins,
 * newest-wins (by the cursor column, ties → remote, a deleting side loses) and fail. Every losing
 * version is kept in dewey_sync_conflicts with both versions as JSON.
 */

const root = tempDir();

const DOCS = 'CREATE TABLE docs (id INTEGER PRIMARY KEY, body VARCHAR, updated_at TIMESTAMP)';
const DOCS_ROWS = "INSERT INTO docs SELECT i, 'v' || i, TIMESTAMP '2024-05-01 10:00:00' FROM range(1, 8) t(i)";

type Doc = { id: number; body: string; updated_at: string };
const doc = (id: number, body: string, at: string): Doc => ({ id, body, updated_at: `2024-05-01 ${at}` });
const base = (id: number): Doc => doc(id, `v${id}`, '10:00:00');

/**
 * After a first sync, both sides edit:
 * 1: conflict, remote newer; 2: conflict, local newer; 3: both to the same value (no conflict);
 * 4: only locally; 5: only remotely; 6: conflict with equal cursors; 7: untouched.
 */
async function scenario(config?: Record<string, unknown>): Promise<Pair> {
  const p = newPair(root, config);
  await exec(p.remote, DOCS, DOCS_ROWS);
  const first = await p.sync();
  assert.equal(first.ok, true);
  await exec(
    p.local,
    "UPDATE docs SET body = 'L1', updated_at = '2024-05-01 11:00:00' WHERE id = 1",
    "UPDATE docs SET body = 'L2', updated_at = '2024-05-01 12:30:00' WHERE id = 2",
    "UPDATE docs SET body = 'same', updated_at = '2024-05-01 11:00:00' WHERE id = 3",
    "UPDATE docs SET body = 'L4', updated_at = '2024-05-01 11:00:00' WHERE id = 4",
    "UPDATE docs SET body = 'L6', updated_at = '2024-05-01 11:00:00' WHERE id = 6",
  );
  await exec(
    p.remote,
    "UPDATE docs SET body = 'R1', updated_at = '2024-05-01 12:00:00' WHERE id = 1",
    "UPDATE docs SET body = 'R2', updated_at = '2024-05-01 11:30:00' WHERE id = 2",
    "UPDATE docs SET body = 'same', updated_at = '2024-05-01 11:00:00' WHERE id = 3",
    "UPDATE docs SET body = 'R5', updated_at = '2024-05-01 11:00:00' WHERE id = 5",
    "UPDATE docs SET body = 'R6', updated_at = '2024-05-01 11:00:00' WHERE id = 6",
  );
  return p;
}

const L1 = doc(1, 'L1', '11:00:00');
const R1 = doc(1, 'R1', '12:00:00');
const L2 = doc(2, 'L2', '12:30:00');
const R2 = doc(2, 'R2', '11:30:00');
const SAME3 = doc(3, 'same', '11:00:00');
const L4 = doc(4, 'L4', '11:00:00');
const R5 = doc(5, 'R5', '11:00:00');
const L6 = doc(6, 'L6', '11:00:00');
const R6 = doc(6, 'R6', '11:00:00');

function conflict(id: number, local: Doc | null, remote: Doc | null, policy: string, winner: string, tableName = 'docs'): Record<string, unknown> {
  return { table_name: tableName, key_json: `{"id":${id}}`, local_version: local, remote_version: remote, copies: 1, policy, winner, has_time: true, has_run: true };
}

async function bothSides(p: Pair, expected: Doc[]): Promise<void> {
  assert.deepEqual(await rows(p.local, 'docs'), expected, 'local');
  assert.deepEqual(await rows(p.remote, 'docs'), expected, 'remote');
}

test('remote-wins (the default): remote versions win, local losers are recorded', async () => {
  const p = await scenario();
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'docs'), { status: 'ok', pulled: 4, pushed: 1, deleted: 0, conflicts: 3 });
  await bothSides(p, [R1, R2, SAME3, L4, R5, R6, base(7)]);
  assert.deepEqual(await conflictRows(p.local), [
    conflict(1, L1, R1, 'remote-wins', 'remote'),
    conflict(2, L2, R2, 'remote-wins', 'remote'),
    conflict(6, L6, R6, 'remote-wins', 'remote'),
  ]);
  // Resolved for good: the next sync has nothing to do and records nothing more.
  const again = await p.syncOk();
  assert.deepEqual(counts(again, 'docs'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
  assert.equal((await conflictRows(p.local)).length, 3);
});

test('local-wins: local versions are pushed over the remote ones, remote losers are recorded', async () => {
  const p = await scenario();
  const r = await p.syncOk({ onConflict: 'local-wins' });
  assert.deepEqual(counts(r, 'docs'), { status: 'ok', pulled: 1, pushed: 4, deleted: 0, conflicts: 3 });
  await bothSides(p, [L1, L2, SAME3, L4, R5, L6, base(7)]);
  assert.deepEqual(await conflictRows(p.local), [
    conflict(1, L1, R1, 'local-wins', 'local'),
    conflict(2, L2, R2, 'local-wins', 'local'),
    conflict(6, L6, R6, 'local-wins', 'local'),
  ]);
});

test('newest-wins: the larger cursor wins either way; equal cursors → remote', async () => {
  const p = await scenario();
  const r = await p.syncOk({ onConflict: 'newest-wins' });
  assert.deepEqual(counts(r, 'docs'), { status: 'ok', pulled: 3, pushed: 2, deleted: 0, conflicts: 3 });
  await bothSides(p, [R1, L2, SAME3, L4, R5, R6, base(7)]);
  assert.deepEqual(await conflictRows(p.local), [
    conflict(1, L1, R1, 'newest-wins', 'remote'),
    conflict(2, L2, R2, 'newest-wins', 'local'),
    conflict(6, L6, R6, 'newest-wins', 'remote'),
  ]);
});

test('fail: the table is left untouched on both sides, status error; other tables still sync; a later sync resolves', async () => {
  const p = await scenario();
  await exec(p.remote, 'CREATE TABLE other (id INTEGER PRIMARY KEY, x VARCHAR)', "INSERT INTO other VALUES (1, 'r')");
  const localBefore = await dump(p.local);
  const remoteBefore = await dump(p.remote);
  const r = await p.sync({ mode: 'incremental', onConflict: 'fail' });
  assert.equal(r.ok, false);
  const docs = table(r, 'docs');
  assert.equal(docs.status, 'error');
  assert.equal(docs.errorCode, 'E_CONFLICT');
  assert.match(docs.error ?? '', /3 conflict\(s\).*"fail"/);
  assert.deepEqual([docs.rowsPulled, docs.rowsPushed, docs.rowsDeleted], [0, 0, 0]);
  assert.deepEqual(counts(r, 'other'), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 0 });

  assert.deepEqual((await dump(p.local))['main.docs'], localBefore['main.docs'], 'local docs untouched');
  assert.deepEqual(await dump(p.remote), remoteBefore, 'remote untouched');
  assert.deepEqual(await conflictRows(p.local), []);
  assert.deepEqual(await query(p.local, "SELECT status FROM dewey_sync_metadata WHERE table_name = 'docs'"), [{ status: 'error' }]);

  // The baseline did not move: a sync with another policy sees the same changes and conflicts.
  const again = await p.syncOk({ onConflict: 'remote-wins' });
  assert.deepEqual(counts(again, 'docs'), { status: 'ok', pulled: 4, pushed: 1, deleted: 0, conflicts: 3 });
  await bothSides(p, [R1, R2, SAME3, L4, R5, R6, base(7)]);
});

test('fail in full mode: the local changes are not pushed and the local content is not replaced', async () => {
  const p = await scenario();
  const localBefore = await dump(p.local);
  const remoteBefore = await dump(p.remote);
  const r = await p.sync({ mode: 'full', onConflict: 'fail' });
  assert.equal(r.ok, false);
  assert.equal(table(r, 'docs').status, 'error');
  assert.equal(table(r, 'docs').errorCode, 'E_CONFLICT');
  assert.deepEqual(await dump(p.local), localBefore);
  assert.deepEqual(await dump(p.remote), remoteBefore);
  assert.deepEqual(await conflictRows(p.local), []);
});

test('update versus delete under each policy; the deleted side is recorded as null', async () => {
  const expectations: Array<{ policy: ConflictPolicy; result: Doc[]; counts: Record<string, unknown>; winners: [string, string] }> = [
    // 1: updated locally, deleted remotely. 2: deleted locally, updated remotely.
    { policy: 'remote-wins', result: [doc(2, 'R2', '11:00:00'), base(3), base(4)], counts: { pulled: 1, pushed: 0, deleted: 1 }, winners: ['remote', 'remote'] },
    { policy: 'local-wins', result: [doc(1, 'L1', '11:00:00'), base(3), base(4)], counts: { pulled: 0, pushed: 1, deleted: 1 }, winners: ['local', 'local'] },
    // A side that deleted the row loses.
    { policy: 'newest-wins', result: [doc(1, 'L1', '11:00:00'), doc(2, 'R2', '11:00:00'), base(3), base(4)], counts: { pulled: 1, pushed: 1, deleted: 0 }, winners: ['local', 'remote'] },
  ];
  for (const e of expectations) {
    const p = newPair(root);
    await exec(p.remote, DOCS, "INSERT INTO docs SELECT i, 'v' || i, TIMESTAMP '2024-05-01 10:00:00' FROM range(1, 5) t(i)");
    await p.sync();
    await exec(p.local, "UPDATE docs SET body = 'L1', updated_at = '2024-05-01 11:00:00' WHERE id = 1", 'DELETE FROM docs WHERE id = 2');
    await exec(p.remote, 'DELETE FROM docs WHERE id = 1', "UPDATE docs SET body = 'R2', updated_at = '2024-05-01 11:00:00' WHERE id = 2");
    const r = await p.syncOk({ onConflict: e.policy });
    assert.deepEqual(counts(r, 'docs'), { status: 'ok', ...e.counts, conflicts: 2 }, e.policy);
    await bothSides(p, e.result);
    assert.deepEqual(
      await conflictRows(p.local),
      [conflict(1, doc(1, 'L1', '11:00:00'), null, e.policy, e.winners[0]), conflict(2, null, doc(2, 'R2', '11:00:00'), e.policy, e.winners[1])],
      e.policy,
    );
  }
});

test('both sides making the same change is not a conflict: same update, same delete, same insert', async () => {
  const p = newPair(root);
  await exec(p.remote, DOCS, DOCS_ROWS);
  await p.sync();
  const same = [
    "UPDATE docs SET body = 'both', updated_at = '2024-05-02 00:00:00' WHERE id = 1",
    'DELETE FROM docs WHERE id = 2',
    "INSERT INTO docs VALUES (20, 'twin', '2024-05-02 00:00:00')",
  ];
  await exec(p.local, ...same);
  await exec(p.remote, ...same, "INSERT INTO docs VALUES (21, 'remote only', '2024-05-02 00:00:00')");
  // The same new key inserted on both sides with different values is a conflict, though.
  await exec(p.local, "INSERT INTO docs VALUES (30, 'L30', '2024-05-02 00:00:00')");
  await exec(p.remote, "INSERT INTO docs VALUES (30, 'R30', '2024-05-02 00:00:00')");
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'docs'), { status: 'ok', pulled: 2, pushed: 0, deleted: 0, conflicts: 1 });
  const expected = [
    { id: 1, body: 'both', updated_at: '2024-05-02 00:00:00' },
    ...[3, 4, 5, 6, 7].map(base),
    { id: 20, body: 'twin', updated_at: '2024-05-02 00:00:00' },
    { id: 21, body: 'remote only', updated_at: '2024-05-02 00:00:00' },
    { id: 30, body: 'R30', updated_at: '2024-05-02 00:00:00' },
  ];
  await bothSides(p, expected);
  assert.deepEqual(await conflictRows(p.local), [
    conflict(30, { id: 30, body: 'L30', updated_at: '2024-05-02 00:00:00' }, { id: 30, body: 'R30', updated_at: '2024-05-02 00:00:00' }, 'remote-wins', 'remote'),
  ]);
  // The baseline moved for the rows changed the same way: a later local edit is a plain push.
  await exec(p.local, "UPDATE docs SET body = 'later' WHERE id = 1");
  const r2 = await p.syncOk();
  assert.deepEqual(counts(r2, 'docs'), { status: 'ok', pulled: 0, pushed: 1, deleted: 0, conflicts: 0 });
  assert.deepEqual(await query(p.remote, 'SELECT body FROM docs WHERE id = 1'), [{ body: 'later' }]);
});

test('per-table policy from the config file overrides the global one', async () => {
  const p = await scenario({ onConflict: 'remote-wins', tables: { docs: { onConflict: 'local-wins' } } });
  await exec(p.remote, 'CREATE TABLE notes (id INTEGER PRIMARY KEY, t VARCHAR)', "INSERT INTO notes VALUES (1, 'base')");
  await p.syncOk();
  await exec(p.local, "UPDATE notes SET t = 'local' WHERE id = 1");
  await exec(p.remote, "UPDATE notes SET t = 'remote' WHERE id = 1");
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'notes'), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 1 });
  assert.deepEqual(await rows(p.local, 'notes'), [{ id: 1, t: 'remote' }]);
  assert.deepEqual(await rows(p.remote, 'notes'), [{ id: 1, t: 'remote' }]);
  const all = await conflictRows(p.local);
  assert.deepEqual(
    all.filter((c) => c.table_name === 'docs').map((c) => [c.key_json, c.policy, c.winner]),
    [
      ['{"id":1}', 'local-wins', 'local'],
      ['{"id":2}', 'local-wins', 'local'],
      ['{"id":6}', 'local-wins', 'local'],
    ],
  );
  assert.deepEqual(
    all.filter((c) => c.table_name === 'notes'),
    [{ table_name: 'notes', key_json: '{"id":1}', local_version: { id: 1, t: 'local' }, remote_version: { id: 1, t: 'remote' }, copies: 1, policy: 'remote-wins', winner: 'remote', has_time: true, has_run: true }],
  );
  await bothSides(p, [L1, L2, SAME3, L4, R5, L6, base(7)]);
});
