import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import type { SyncOptions } from '../../src/run/sync.js';
import { counts, newPair, type Pair } from './incrementalSupport.js';
import type { SyncResult } from '../../src/engine/api.js';

/**
 * A table past the size where local changes are found by key-bucket summaries first (1,000,000
 * baseline rows, compare/localDelta.ts) and the probe counts the rows past the watermark instead of
 * reading them (compare/remoteProbe.ts, issue 22): the fast paths give the answers the row-by-row
 * comparison gives. Changes on both sides, a conflict, a remote change that leaves the cursor alone
 * met as a conflict, and rows pushed by this client re-read through the change log.
 */

const root = tempDir();
const ROWS = 1_050_000;

/** An incremental two-way sync that compares the local table (not taken as settled); every table ok. */
async function syncCompared(p: Pair, options: SyncOptions = {}): Promise<SyncResult> {
  const r = await p.sync({ mode: 'incremental', compareAll: true, ...options });
  assert.equal(r.ok, true, JSON.stringify(r.tables));
  return r;
}

/** Every row's hash summed, and the row count: equal on both sides means equal tables. */
async function summary(path: string): Promise<unknown> {
  const [r] = await query(path, 'SELECT count(*) AS n, sum(hash(row(id, name, qty, updated_at))) AS s FROM items');
  return r;
}

test(`${ROWS.toLocaleString('en-US')} rows: changes on both sides and a conflict, through the bucket summaries and the cheap probe`, async () => {
  const p = newPair(root);
  await exec(
    p.remote,
    'CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR, qty INTEGER, updated_at TIMESTAMP)',
    `INSERT INTO items SELECT i, 'item ' || i, (i % 97)::INTEGER, TIMESTAMP '2024-01-01' + to_seconds(i) FROM range(1, ${ROWS + 1}) t(i)`,
  );
  await syncCompared(p, { mode: 'full' });

  // Nothing changed, the local file compared anyway (not taken as settled): nothing moves.
  const idle = await syncCompared(p);
  assert.deepEqual(counts(idle, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });

  // Remote: two updates moving the cursor past the watermark, an insert, a delete, and row 500 (also edited locally).
  await exec(
    p.remote,
    "UPDATE items SET name = 'remote', updated_at = TIMESTAMP '2030-01-01' WHERE id IN (10, 700000, 500)",
    "INSERT INTO items VALUES (2000000, 'new remote', 1, TIMESTAMP '2030-01-02')",
    'DELETE FROM items WHERE id = 900000',
  );
  // Local (another client): updates in different buckets, an insert, a delete, and row 500.
  await exec(
    p.local,
    "UPDATE items SET qty = -1 WHERE id IN (20, 300000, 1000000, 500)",
    "INSERT INTO items VALUES (3000000, 'new local', 2, TIMESTAMP '2024-06-01')",
    'DELETE FROM items WHERE id = 40',
  );
  const both = await syncCompared(p);
  assert.deepEqual(counts(both, 'items'), { status: 'ok', pulled: 4, pushed: 4, deleted: 2, conflicts: 1 });
  assert.deepEqual(await summary(p.local), await summary(p.remote));
  const [conflict] = await query(p.local, "SELECT count(*) AS n FROM dewey_sync_conflicts WHERE table_name = 'items'");
  assert.equal(Number(conflict?.n), 1, 'the losing version of row 500 is kept');

  // The next sync re-reads the rows this client pushed (the change log) and finds nothing new.
  const again = await syncCompared(p);
  assert.deepEqual(counts(again, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });

  // A remote edit that leaves the cursor where it was, on a row edited locally too: a conflict, not an overwrite.
  await exec(p.remote, "UPDATE items SET name = 'quiet remote edit' WHERE id = 123456");
  await exec(p.local, "UPDATE items SET name = 'local edit' WHERE id = 123456");
  const quiet = await syncCompared(p);
  assert.equal(counts(quiet, 'items').conflicts, 1);
  assert.deepEqual(await query(p.local, 'SELECT name FROM items WHERE id = 123456'), [{ name: 'quiet remote edit' }]);
  assert.deepEqual(await summary(p.local), await summary(p.remote));
  await p.verifyOk();
});
