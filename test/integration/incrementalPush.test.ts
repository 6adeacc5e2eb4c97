import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { conflictRows, counts, dump, newPair, rows } from './incrementalSupport.js';

/**
 * Local changes made out of band (by a separate DuckDB connection, not through duckdb-sync) are
 * found by comparing with the baseline and pushed (issue 3).
 */

const root = tempDir();

const ITEMS = 'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, qty INTEGER, updated_at TIMESTAMP)';
const ITEMS_ROWS =
  "INSERT INTO items VALUES (1, 'a', 10, '2024-03-01 10:00:00'), (2, 'b', 20, '2024-03-01 10:00:00'), (3, 'c', 30, '2024-03-01 10:00:00'), (4, 'd', 40, '2024-03-01 10:00:00')";

test('local out-of-band inserts, updates and deletes are pushed; local rows stay as written', async () => {
  const p = newPair(root);
  await exec(p.remote, ITEMS, ITEMS_ROWS);
  await p.sync();
  await exec(
    p.local,
    "INSERT INTO items VALUES (5, 'e', 50, '2024-03-02 09:00:00')",
    // An update that does not touch the cursor column is found all the same.
    "UPDATE items SET qty = 21 WHERE id = 2",
    "UPDATE items SET name = 'C', updated_at = '2024-03-02 09:30:00' WHERE id = 3",
    'DELETE FROM items WHERE id = 1',
  );
  const localBefore = await dump(p.local);
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 0, pushed: 3, deleted: 1, conflicts: 0 });
  const expected = [
    { id: 2, name: 'b', qty: 21, updated_at: '2024-03-01 10:00:00' },
    { id: 3, name: 'C', qty: 30, updated_at: '2024-03-02 09:30:00' },
    { id: 4, name: 'd', qty: 40, updated_at: '2024-03-01 10:00:00' },
    { id: 5, name: 'e', qty: 50, updated_at: '2024-03-02 09:00:00' },
  ];
  assert.deepEqual(await rows(p.remote, 'items'), expected);
  assert.deepEqual(await dump(p.local), localBefore, 'local user tables unchanged');
  assert.deepEqual(await dump(p.remote), localBefore, 'remote schema and content equal the local');
  assert.deepEqual(await conflictRows(p.local), []);

  const again = await p.syncOk();
  assert.deepEqual(counts(again, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await rows(p.remote, 'items'), expected);
});

test('local changes to a table without a cursor, in a schema other than main, with NULLs', async () => {
  const p = newPair(root);
  await exec(
    p.remote,
    'CREATE SCHEMA sales',
    'CREATE TABLE sales.lines (order_id INTEGER, line INTEGER, product VARCHAR, note VARCHAR, PRIMARY KEY (order_id, line))',
    "INSERT INTO sales.lines VALUES (1, 1, 'pen', 'x'), (1, 2, 'ink', NULL), (2, 1, 'pad', 'y'), (3, 1, 'cap', 'z')",
  );
  await p.sync();
  await exec(
    p.local,
    "UPDATE sales.lines SET note = NULL WHERE order_id = 1 AND line = 1",
    "UPDATE sales.lines SET note = 'now set' WHERE order_id = 1 AND line = 2",
    "INSERT INTO sales.lines VALUES (2, 2, 'tape', NULL)",
    'DELETE FROM sales.lines WHERE order_id = 3',
  );
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'sales.lines'), { status: 'ok', pulled: 0, pushed: 3, deleted: 1, conflicts: 0 });
  const expected = [
    { order_id: 1, line: 1, product: 'pen', note: null },
    { order_id: 1, line: 2, product: 'ink', note: 'now set' },
    { order_id: 2, line: 1, product: 'pad', note: 'y' },
    { order_id: 2, line: 2, product: 'tape', note: null },
  ];
  assert.deepEqual(await rows(p.remote, 'sales.lines'), expected);
  assert.deepEqual(await rows(p.local, 'sales.lines'), expected);
});

test('changes on both sides to different rows are merged in one sync', async () => {
  const p = newPair(root);
  await exec(p.remote, ITEMS, ITEMS_ROWS);
  await p.sync();
  await exec(p.local, "UPDATE items SET name = 'local A' WHERE id = 1", "INSERT INTO items VALUES (10, 'local new', 100, '2024-03-02 08:00:00')", 'DELETE FROM items WHERE id = 3');
  await exec(
    p.remote,
    "UPDATE items SET name = 'remote B', updated_at = '2024-03-02 08:00:00' WHERE id = 2",
    "INSERT INTO items VALUES (11, 'remote new', 110, '2024-03-02 08:30:00')",
    'DELETE FROM items WHERE id = 4',
  );
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 2, pushed: 2, deleted: 2, conflicts: 0 });
  const expected = [
    { id: 1, name: 'local A', qty: 10, updated_at: '2024-03-01 10:00:00' },
    { id: 2, name: 'remote B', qty: 20, updated_at: '2024-03-02 08:00:00' },
    { id: 10, name: 'local new', qty: 100, updated_at: '2024-03-02 08:00:00' },
    { id: 11, name: 'remote new', qty: 110, updated_at: '2024-03-02 08:30:00' },
  ];
  assert.deepEqual(await rows(p.local, 'items'), expected);
  assert.deepEqual(await rows(p.remote, 'items'), expected);
  assert.deepEqual(await conflictRows(p.local), []);
});

test('a full sync pushes local changes first: nothing local is lost and no conflict is recorded', async () => {
  const p = newPair(root);
  await exec(p.remote, ITEMS, ITEMS_ROWS);
  await p.sync();
  await exec(p.local, "UPDATE items SET qty = 11 WHERE id = 1", "INSERT INTO items VALUES (7, 'g', 70, '2024-03-02 00:00:00')", 'DELETE FROM items WHERE id = 4');
  await exec(p.remote, "UPDATE items SET name = 'remote', updated_at = '2024-03-02 01:00:00' WHERE id = 2");
  const r = await p.sync({ mode: 'full' });
  assert.equal(r.ok, true, JSON.stringify(r.tables));
  const t = counts(r, 'items');
  assert.equal(t.status, 'ok');
  assert.equal(t.pushed, 2);
  assert.equal(t.conflicts, 0);
  const expected = [
    { id: 1, name: 'a', qty: 11, updated_at: '2024-03-01 10:00:00' },
    { id: 2, name: 'remote', qty: 20, updated_at: '2024-03-02 01:00:00' },
    { id: 3, name: 'c', qty: 30, updated_at: '2024-03-01 10:00:00' },
    { id: 7, name: 'g', qty: 70, updated_at: '2024-03-02 00:00:00' },
  ];
  assert.deepEqual(await rows(p.remote, 'items'), expected);
  assert.deepEqual(await rows(p.local, 'items'), expected);
  assert.deepEqual(await conflictRows(p.local), []);
  await p.verifyOk();
  // The next incremental sync finds nothing left to do.
  const again = await p.syncOk();
  assert.deepEqual(counts(again, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
});

test('pushes across several syncs keep the baseline right: a row pushed, changed again and deleted', async () => {
  const p = newPair(root);
  await exec(p.remote, ITEMS, ITEMS_ROWS);
  await p.sync();
  await exec(p.local, "INSERT INTO items VALUES (8, 'h', 80, NULL)");
  assert.deepEqual(counts(await p.syncOk(), 'items'), { status: 'ok', pulled: 0, pushed: 1, deleted: 0, conflicts: 0 });
  await exec(p.local, "UPDATE items SET name = 'h2' WHERE id = 8");
  assert.deepEqual(counts(await p.syncOk(), 'items'), { status: 'ok', pulled: 0, pushed: 1, deleted: 0, conflicts: 0 });
  assert.deepEqual(await query(p.remote, 'SELECT * FROM items WHERE id = 8'), [{ id: 8, name: 'h2', qty: 80, updated_at: null }]);
  await exec(p.local, 'DELETE FROM items WHERE id = 8');
  assert.deepEqual(counts(await p.syncOk(), 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 1, conflicts: 0 });
  assert.deepEqual(await rows(p.remote, 'items'), await rows(p.local, 'items'));
  assert.deepEqual(await query(p.remote, 'SELECT count(*) AS n FROM items'), [{ n: '4' }]);
});
