import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { counts, dump, newPair, table } from './incrementalSupport.js';

/**
 * --dry-run (issue 3): reports per table what a sync would pull, push, delete and how many
 * conflicts it would resolve, and changes nothing on either side (duckdb-sync's own state included).
 */

const root = tempDir();

test('an incremental dry run changes nothing on either side and reports what the real sync then does', async () => {
  const p = newPair(root);
  await exec(
    p.remote,
    'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, updated_at TIMESTAMP)',
    "INSERT INTO items SELECT i, 'v' || i, TIMESTAMP '2024-04-01 10:00:00' FROM range(1, 9) t(i)",
    'CREATE TABLE bag (x INTEGER)',
    'INSERT INTO bag VALUES (1), (1), (2)',
    'CREATE TABLE wide (id INTEGER PRIMARY KEY, a VARCHAR)',
    "INSERT INTO wide VALUES (1, 'a')",
  );
  assert.equal((await p.sync()).ok, true);
  await exec(
    p.local,
    "UPDATE items SET name = 'L1' WHERE id = 1",
    "INSERT INTO items VALUES (20, 'L20', '2024-04-02 00:00:00')",
    'DELETE FROM items WHERE id = 2',
    "UPDATE items SET name = 'L5' WHERE id = 5",
    'INSERT INTO bag VALUES (1)',
    'CREATE TABLE mine (k INTEGER PRIMARY KEY)',
    'INSERT INTO mine VALUES (1), (2), (3)',
  );
  await exec(
    p.remote,
    "UPDATE items SET name = 'R3', updated_at = '2024-04-02 00:00:00' WHERE id = 3",
    "INSERT INTO items VALUES (21, 'R21', '2024-04-02 00:00:00'), (22, 'R22', '2024-04-02 00:00:00')",
    'DELETE FROM items WHERE id IN (4, 6)',
    "UPDATE items SET name = 'R5', updated_at = '2024-04-02 00:00:00' WHERE id = 5",
    'DELETE FROM bag WHERE x = 2',
    'ALTER TABLE wide ADD COLUMN b INTEGER',
    'CREATE TABLE theirs (k INTEGER)',
    'INSERT INTO theirs VALUES (7), (8)',
  );
  const localBefore = await dump(p.local, true);
  const remoteBefore = await dump(p.remote, true);

  const plan = await p.sync({ mode: 'incremental', dryRun: true });
  assert.equal(plan.dryRun, true);
  assert.equal(plan.ok, true, JSON.stringify(plan.tables));
  assert.deepEqual(counts(plan, 'items'), { status: 'planned', pulled: 4, pushed: 2, deleted: 3, conflicts: 1 });
  assert.deepEqual(counts(plan, 'bag'), { status: 'planned', pulled: 0, pushed: 1, deleted: 1, conflicts: 0 });
  assert.deepEqual(counts(plan, 'mine'), { status: 'planned', pulled: 0, pushed: 3, deleted: 0, conflicts: 0 });
  assert.deepEqual(counts(plan, 'theirs'), { status: 'planned', pulled: 2, pushed: 0, deleted: 0, conflicts: 0 });
  assert.equal(table(plan, 'wide').status, 'planned');
  assert.match((table(plan, 'wide').warnings ?? []).join(' '), /\bb\b/);

  assert.deepEqual(await dump(p.local, true), localBefore, 'local file unchanged, duckdb-sync state included');
  assert.deepEqual(await dump(p.remote, true), remoteBefore, 'remote file unchanged');

  // Dry runs with a direction, and the default full mode, change nothing either.
  for (const options of [{ direction: 'pull' as const }, { direction: 'push' as const }, { mode: 'full' as const }]) {
    const r = await p.sync({ mode: 'incremental', dryRun: true, ...options });
    assert.equal(r.dryRun, true);
    assert.ok(r.tables.every((t) => t.status !== 'ok' || t.rowsPulled + t.rowsPushed + t.rowsDeleted === 0), JSON.stringify(r.tables));
    assert.deepEqual(await dump(p.local, true), localBefore, JSON.stringify(options));
    assert.deepEqual(await dump(p.remote, true), remoteBefore, JSON.stringify(options));
  }
  const pullPlan = await p.sync({ mode: 'incremental', dryRun: true, direction: 'pull' });
  assert.deepEqual(counts(pullPlan, 'items'), { status: 'planned', pulled: 4, pushed: 0, deleted: 2, conflicts: 1 });

  // The real sync does what the plan said.
  const real = await p.syncOk();
  for (const name of ['items', 'bag', 'mine', 'theirs']) {
    assert.deepEqual({ ...counts(real, name), status: 'planned' }, counts(plan, name), name);
  }
});
