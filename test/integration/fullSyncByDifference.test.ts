import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { counts, newPair, table } from './incrementalSupport.js';

/**
 * A full pull into a keyed table that already holds rows deletes and inserts only the keys whose
 * rows differ from the remote's (full/replaceByDifference.ts): the outcome is the replace's, rows
 * that did not change keep their place (their rowid), local-only columns keep their values, the
 * local versions the pull discards are kept as conflicts, and the baseline is exact.
 */

const root = tempDir();

/** rowid of each of the given keys in the local table. */
async function rowids(path: string, ids: number[]): Promise<Record<number, string>> {
  const rows = await query(path, `SELECT id, rowid AS r FROM items WHERE id IN (${ids.join(', ')}) ORDER BY id`);
  return Object.fromEntries(rows.map((r) => [Number(r.id), String(r.r)]));
}

test('a full pull into an existing keyed table writes only the rows that differ', async () => {
  const p = newPair(root);
  await exec(
    p.remote,
    'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, qty INTEGER, updated_at TIMESTAMP)',
    "INSERT INTO items SELECT i, 'item ' || i, i % 7, TIMESTAMP '2024-01-01' + to_seconds(i) FROM range(1, 2001) t(i)",
  );
  await p.syncOk({ mode: 'full' });
  const before = await rowids(p.local, [1, 2, 3, 4, 5]);

  // Remote: an update that moves the cursor, one that leaves it alone, a delete, an insert.
  await exec(
    p.remote,
    "UPDATE items SET name = 'remote edit', updated_at = TIMESTAMP '2025-01-01' WHERE id = 2",
    'UPDATE items SET qty = 100 WHERE id = 3',
    'DELETE FROM items WHERE id = 4',
    "INSERT INTO items VALUES (5000, 'remote new', 1, TIMESTAMP '2025-01-01')",
  );
  // Local (another client): an edit the pull replaces, and a row the remote never had.
  await exec(p.local, "UPDATE items SET name = 'local edit' WHERE id = 5", "INSERT INTO items VALUES (6000, 'local new', 1, TIMESTAMP '2025-01-01')");

  const full = await p.sync({ mode: 'full', direction: 'pull' });
  assert.equal(full.ok, true, JSON.stringify(full.tables));
  // Pulled: rows 2, 3, 5 (rewritten) and 5000 (new); deleted: 4 (the remote's) and 6000 (never pushed).
  assert.deepEqual(counts(full, 'items'), { status: 'ok', pulled: 4, pushed: 0, deleted: 2, conflicts: 2 });
  assert.deepEqual(table(full, 'items').warnings, ['2 local change(s) not on the remote were replaced; their versions are kept in dewey_sync_conflicts']);

  const after = await rowids(p.local, [1, 2, 3, 4, 5]);
  assert.equal(after[1], before[1], 'an unchanged row is not rewritten');
  assert.notEqual(after[2], before[2]);
  assert.notEqual(after[3], before[3], 'a remote edit that left the cursor alone is found too');
  assert.equal(after[4], undefined);

  const local = await query(p.local, 'SELECT id, name, qty FROM items WHERE id IN (1, 2, 3, 5, 5000, 6000) ORDER BY id');
  assert.deepEqual(
    local.map((r) => [r.id, r.name, r.qty]),
    [
      [1, 'item 1', 1],
      [2, 'remote edit', 2],
      [3, 'item 3', 100],
      [5, 'item 5', 5],
      [5000, 'remote new', 1],
    ],
  );
  const kept = await query(p.local, "SELECT key_json FROM dewey_sync_conflicts WHERE table_name = 'items' ORDER BY key_json");
  assert.deepEqual(
    kept.map((r) => r.key_json),
    ['{"id":5}', '{"id":6000}'],
  );
  const [n] = await query(p.local, 'SELECT count(*) AS n FROM items');
  assert.equal(Number(n?.n), 2000);
  const [meta] = await query(p.local, "SELECT row_count AS n FROM dewey_sync_metadata WHERE table_name = 'items'");
  assert.equal(Number(meta?.n), 2000, 'the metadata counts the rows the table holds, not the rows written');

  // The baseline is the remote's exactly: nothing left to do either way (syncOk verifies both sides).
  const next = await p.syncOk({ compareAll: true });
  assert.deepEqual(counts(next, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
});

test('columns only the local side has keep their values through a full pull by difference', async () => {
  const p = newPair(root);
  await exec(p.remote, 'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR)', "INSERT INTO items SELECT i, 'item ' || i FROM range(1, 101) t(i)");
  await p.syncOk({ mode: 'full' });
  // A pull never sends a local-only column; it has values on every row.
  await exec(p.local, 'ALTER TABLE items ADD COLUMN memo VARCHAR', "UPDATE items SET memo = 'memo ' || id");
  await exec(p.remote, "UPDATE items SET name = 'remote edit' WHERE id = 2", "INSERT INTO items VALUES (500, 'remote new')");
  const full = await p.sync({ mode: 'full', direction: 'pull' });
  assert.deepEqual(counts(full, 'items'), { status: 'ok', pulled: 2, pushed: 0, deleted: 0, conflicts: 0 });
  const rows = await query(p.local, 'SELECT id, name, memo FROM items WHERE id IN (1, 2, 500) ORDER BY id');
  assert.deepEqual(
    rows.map((r) => [r.id, r.name, r.memo]),
    [
      [1, 'item 1', 'memo 1'],
      [2, 'remote edit', 'memo 2'],
      [500, 'remote new', null],
    ],
  );
});

test('a full pull of a table nothing changed in writes no row', async () => {
  const p = newPair(root);
  await exec(p.remote, 'CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR)', "INSERT INTO items SELECT i, 'item ' || i FROM range(1, 501) t(i)");
  await p.syncOk({ mode: 'full' });
  const again = await p.sync({ mode: 'full' });
  assert.deepEqual(counts(again, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
  await p.verifyOk();
});
