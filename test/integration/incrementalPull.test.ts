import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { counts, dump, newPair, rows, table } from './incrementalSupport.js';

/** Incremental sync of remote changes (issue 3): with a cursor column and without one. */

const root = tempDir();

const ITEMS = 'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, qty INTEGER, updated_at TIMESTAMP)';
const ITEMS_ROWS =
  "INSERT INTO items VALUES (1, 'a', 10, '2024-03-01 10:01:00'), (2, 'b', 20, '2024-03-01 10:02:00'), (3, 'c', 30, '2024-03-01 10:03:00'), (4, 'd', 40, '2024-03-01 10:04:00'), (5, 'e', 50, '2024-03-01 12:00:00')";

async function watermark(local: string, name: string): Promise<unknown> {
  const [m] = await query(local, `SELECT cursor_column, watermark FROM dewey_sync_metadata WHERE table_name = '${name}'`);
  return m;
}

test('remote inserts, updates (cursor bumped) and deletes are pulled through the cursor; the remote is untouched', async () => {
  const p = newPair(root);
  await exec(p.remote, ITEMS, ITEMS_ROWS);
  const first = await p.sync();
  assert.deepEqual(counts(first, 'items'), { status: 'ok', pulled: 5, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await watermark(p.local, 'items'), { cursor_column: 'updated_at', watermark: '2024-03-01 12:00:00' });

  await exec(
    p.remote,
    "INSERT INTO items VALUES (6, 'f', 60, '2024-03-01 13:00:00')",
    "UPDATE items SET name = 'B', qty = 21, updated_at = '2024-03-01 13:05:00' WHERE id = 2",
    'DELETE FROM items WHERE id = 4',
  );
  const remoteBefore = await dump(p.remote);
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 2, pushed: 0, deleted: 1, conflicts: 0 });
  assert.equal(r.mode, 'incremental');

  assert.deepEqual(await rows(p.local, 'items'), [
    { id: 1, name: 'a', qty: 10, updated_at: '2024-03-01 10:01:00' },
    { id: 2, name: 'B', qty: 21, updated_at: '2024-03-01 13:05:00' },
    { id: 3, name: 'c', qty: 30, updated_at: '2024-03-01 10:03:00' },
    { id: 5, name: 'e', qty: 50, updated_at: '2024-03-01 12:00:00' },
    { id: 6, name: 'f', qty: 60, updated_at: '2024-03-01 13:00:00' },
  ]);
  assert.deepEqual(await dump(p.remote), remoteBefore, 'nothing was written to the remote');
  assert.deepEqual(await dump(p.local), remoteBefore, 'local user tables equal the remote, schema and key included');
  assert.deepEqual(await watermark(p.local, 'items'), { cursor_column: 'updated_at', watermark: '2024-03-01 13:05:00' });
  assert.deepEqual(await query(p.local, "SELECT last_sync_mode, rows_pulled, rows_deleted, conflicts FROM dewey_sync_metadata WHERE table_name = 'items'"), [
    { last_sync_mode: 'incremental', rows_pulled: '2', rows_deleted: '1', conflicts: '0' },
  ]);

  // Nothing changed since: nothing moves.
  const again = await p.syncOk();
  assert.deepEqual(counts(again, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await dump(p.local), remoteBefore);
});

test('the lag window: rows committed late with a cursor slightly older than the watermark are still pulled', async () => {
  const p = newPair(root);
  await exec(p.remote, ITEMS, ITEMS_ROWS);
  await p.sync();
  // Watermark 12:00:00. A writer whose transaction started earlier commits afterwards: its rows
  // carry updated_at values before the watermark (but within the 300 s window).
  await exec(
    p.remote,
    "UPDATE items SET name = 'late', qty = 11, updated_at = '2024-03-01 11:56:00' WHERE id = 1",
    "INSERT INTO items VALUES (7, 'g', 70, '2024-03-01 11:57:30')",
  );
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 2, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await rows(p.local, 'items'), [
    { id: 1, name: 'late', qty: 11, updated_at: '2024-03-01 11:56:00' },
    { id: 2, name: 'b', qty: 20, updated_at: '2024-03-01 10:02:00' },
    { id: 3, name: 'c', qty: 30, updated_at: '2024-03-01 10:03:00' },
    { id: 4, name: 'd', qty: 40, updated_at: '2024-03-01 10:04:00' },
    { id: 5, name: 'e', qty: 50, updated_at: '2024-03-01 12:00:00' },
    { id: 7, name: 'g', qty: 70, updated_at: '2024-03-01 11:57:30' },
  ]);
  // The watermark never moves backwards.
  assert.deepEqual(await watermark(p.local, 'items'), { cursor_column: 'updated_at', watermark: '2024-03-01 12:00:00' });
  // A row inserted with a cursor far older than the window is still found: the row count differs.
  await exec(p.remote, "INSERT INTO items VALUES (8, 'old', 80, '2023-01-01 00:00:00')");
  const r2 = await p.syncOk();
  assert.deepEqual(counts(r2, 'items'), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await query(p.local, 'SELECT * FROM items WHERE id = 8'), [{ id: 8, name: 'old', qty: 80, updated_at: '2023-01-01 00:00:00' }]);
});

test('deletes are found with a cursor (count check, then key buckets), also when inserts hide the count change', async () => {
  const p = newPair(root);
  await exec(
    p.remote,
    ITEMS,
    "INSERT INTO items SELECT i, 'n' || i, i * 10, TIMESTAMP '2024-03-01 00:00:00' + to_minutes(i) FROM range(1, 301) t(i)",
  );
  await p.sync();
  // Three deletes, three inserts: the count is the same as before, the deletes must still be found.
  await exec(
    p.remote,
    'DELETE FROM items WHERE id IN (7, 150, 299)',
    "INSERT INTO items VALUES (1001, 'x', 1, '2024-03-02 00:00:00'), (1002, 'y', 2, '2024-03-02 00:00:00'), (1003, 'z', 3, '2024-03-02 00:00:00')",
    "UPDATE items SET qty = -1, updated_at = '2024-03-02 00:00:01' WHERE id = 42",
  );
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 4, pushed: 0, deleted: 3, conflicts: 0 });
  assert.deepEqual(await rows(p.local, 'items', 'id'), await rows(p.remote, 'items', 'id'));
  assert.deepEqual(await query(p.local, 'SELECT count(*) AS n FROM items WHERE id IN (7, 150, 299)'), [{ n: '0' }]);
  assert.deepEqual(await query(p.local, 'SELECT qty FROM items WHERE id = 42'), [{ qty: -1 }]);
  assert.ok((table(r, 'items').rowsRead ?? Infinity) < 300, `rowsRead ${table(r, 'items').rowsRead}`);

  // Deletes only (the count drops).
  await exec(p.remote, 'DELETE FROM items WHERE id IN (1, 2, 1003)');
  const r2 = await p.syncOk();
  assert.deepEqual(counts(r2, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 3, conflicts: 0 });
  assert.deepEqual(await rows(p.local, 'items', 'id'), await rows(p.remote, 'items', 'id'));
  assert.deepEqual(await query(p.local, 'SELECT count(*) AS n FROM items'), [{ n: '297' }]);
});

test('without a cursor column, bucket summaries find remote inserts, updates and deletes (composite key)', async () => {
  const p = newPair(root);
  await exec(
    p.remote,
    'CREATE TABLE stock (region VARCHAR, sku INTEGER, label VARCHAR, amount DECIMAL(10, 2), PRIMARY KEY (region, sku))',
    "INSERT INTO stock SELECT CASE WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END, i, 'item ' || i, i / 4 FROM range(4000) t(i)",
  );
  await p.sync();
  await exec(
    p.remote,
    "INSERT INTO stock VALUES ('eu', 5000, 'new eu', 1.25), ('ap', 1, 'new ap', NULL)",
    "UPDATE stock SET label = 'changed', amount = 99.99 WHERE region = 'eu' AND sku = 10",
    "UPDATE stock SET label = NULL WHERE region = 'us' AND sku = 3001",
    "DELETE FROM stock WHERE (region = 'us' AND sku = 1) OR (region = 'eu' AND sku = 3998)",
  );
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'stock'), { status: 'ok', pulled: 4, pushed: 0, deleted: 2, conflicts: 0 });
  assert.deepEqual(await rows(p.local, 'stock', 'region, sku'), await rows(p.remote, 'stock', 'region, sku'));
  assert.deepEqual(await query(p.local, "SELECT * FROM stock WHERE sku IN (1, 10, 3001, 3998, 5000) ORDER BY region, sku"), [
    { region: 'ap', sku: 1, label: 'new ap', amount: null },
    { region: 'eu', sku: 10, label: 'changed', amount: '99.99' },
    { region: 'eu', sku: 5000, label: 'new eu', amount: '1.25' },
    { region: 'us', sku: 3001, label: null, amount: '750.25' },
  ]);
  const read = table(r, 'stock').rowsRead ?? Infinity;
  assert.ok(read < 1000, `only rows in differing buckets are read: ${read} of 4000`);
});

test('without a cursor column, many rows given the same new value in one column are all found (their fingerprints do not cancel out in a bucket)', async () => {
  const p = newPair(root);
  await exec(p.remote, 'CREATE TABLE flags (id INTEGER PRIMARY KEY, state VARCHAR)', "INSERT INTO flags SELECT i, 'open' FROM range(2000) t(i)");
  await p.sync();
  // 500 rows, several in every bucket, all going from 'open' to 'closed'.
  await exec(p.remote, "UPDATE flags SET state = 'closed' WHERE id % 4 = 0");
  const r = await p.syncOk();
  assert.equal(counts(r, 'flags').pulled, 500);
  assert.deepEqual(await query(p.local, "SELECT count(*)::INTEGER AS n FROM flags WHERE state = 'closed'"), [{ n: 500 }]);
});

test('a 100k-row table with 10 changed rows: an incremental sync with a cursor reads far fewer rows than the table', async () => {
  const p = newPair(root);
  await exec(
    p.remote,
    'CREATE TABLE big (id INTEGER PRIMARY KEY, v VARCHAR, updated_at TIMESTAMP)',
    "INSERT INTO big SELECT i, 'v' || i, TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i) FROM range(100000) t(i)",
  );
  const first = await p.sync();
  assert.equal(table(first, 'big').rowsPulled, 100000);
  await exec(
    p.remote,
    "UPDATE big SET v = 'changed ' || id, updated_at = TIMESTAMP '2024-06-01 00:00:00' + to_seconds(id) WHERE id IN (3, 17, 999, 12345, 23456, 50000, 77777, 99998)",
    "INSERT INTO big VALUES (100000, 'new', '2024-06-02 00:00:00')",
    'DELETE FROM big WHERE id = 4242',
  );
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'big'), { status: 'ok', pulled: 9, pushed: 0, deleted: 1, conflicts: 0 });
  const read = table(r, 'big').rowsRead;
  assert.ok(read !== undefined && read > 0 && read < 5000, `rowsRead ${read}`);
  const changed = 'SELECT * FROM big WHERE id IN (3, 17, 999, 4242, 12345, 23456, 50000, 77777, 99998, 100000) ORDER BY id';
  const expected = await query(p.remote, changed);
  assert.equal(expected.length, 9);
  assert.deepEqual(await query(p.local, changed), expected);
  assert.deepEqual(await query(p.local, 'SELECT count(*) AS n, sum(id) AS s FROM big'), await query(p.remote, 'SELECT count(*) AS n, sum(id) AS s FROM big'));
});
