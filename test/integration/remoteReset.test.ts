import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import { STALE_GRACE_MS } from '../../src/engine/state/staleMarks.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { dump } from './incrementalSupport.js';

/*
 * A remote whose change logs go back for good (the database restored from an older copy, or
 * duckdb-sync's remote schema dropped) looks like a lagging replica at first: each table is left
 * as it is, with a warning, and marked. Once marked for longer than any replica lags
 * (STALE_GRACE_MS), the remote is taken as it is: the tables sync again, nothing is lost.
 */
test('change logs gone for good: tables wait with a warning, then, past the grace period, sync with the remote taken as it is', async () => {
  const dir = tempDir();
  const cloud = join(dir, 'cloud.duckdb');
  const local = join(dir, 'local.duckdb');
  await exec(
    cloud,
    'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, updated_at TIMESTAMP)',
    "INSERT INTO items SELECT i, 'item ' || i, TIMESTAMP '2024-01-01' + to_minutes(i) FROM range(1, 21) t(i)",
    'CREATE TABLE accounts (id INTEGER PRIMARY KEY, name VARCHAR)',
    "INSERT INTO accounts SELECT i, 'account ' || i FROM range(1, 21) t(i)",
    'CREATE TABLE tags (t VARCHAR, n INTEGER)',
    "INSERT INTO tags SELECT 'tag' || (i % 3), i FROM range(0, 12) t(i)",
  );
  const run = (mode: 'full' | 'incremental' = 'incremental') => sync({ local, remote: remoteUri(cloud), env: { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') }, retryDelayMs: 10, mode });
  const tables = ['items', 'accounts', 'tags'];
  assert.equal((await run('full')).ok, true);
  // Each table pushed once: each has a change log, and the next sync saw its newest entry (a cursor
  // table records where it reads the log from, which its own push does not move).
  await exec(local, "UPDATE items SET name = 'pushed' WHERE id = 1", "UPDATE accounts SET name = 'pushed' WHERE id = 1", "INSERT INTO tags VALUES ('pushed', 1)");
  assert.equal((await run()).ok, true);
  assert.equal((await run()).ok, true);

  await exec(cloud, 'DROP SCHEMA _duckdb_sync CASCADE', "UPDATE accounts SET name = 'cloud after the reset' WHERE id = 2");
  const before = await dump(local);
  for (const mode of ['incremental', 'full'] as const) {
    const waiting = await run(mode);
    assert.equal(waiting.ok, true, JSON.stringify(waiting.tables));
    for (const name of tables) {
      const t = waiting.tables.find((x) => x.name === name);
      assert.match((t?.warnings ?? []).join(' '), /older snapshot than the last sync saw/, `${mode}, ${name}: ${JSON.stringify(t)}`);
    }
    assert.deepEqual(await dump(local), before, `${mode}: nothing changed locally`);
  }
  const marks = await query(local, "SELECT key FROM _duckdb_sync.state WHERE starts_with(key, 'stale_since:') ORDER BY key");
  assert.deepEqual(marks.map((m) => m.key), tables.map((t) => `stale_since:${t}`).sort());

  // As if first found behind longer ago than the grace period.
  await exec(local, `UPDATE _duckdb_sync.state SET value = '${Date.now() - STALE_GRACE_MS - 60_000}' WHERE starts_with(key, 'stale_since:')`);
  const reset = await run();
  assert.equal(reset.ok, true, JSON.stringify(reset.tables));
  for (const name of tables) {
    const t = reset.tables.find((x) => x.name === name);
    assert.match((t?.warnings ?? []).join(' '), /taken as the remote's state/, `${name}: ${JSON.stringify(t)}`);
  }
  assert.deepEqual(await query(local, "SELECT key FROM _duckdb_sync.state WHERE starts_with(key, 'stale_since:')"), []);
  assert.deepEqual(await query(local, 'SELECT name FROM accounts WHERE id = 2'), [{ name: 'cloud after the reset' }]);

  // And from then on, as before: a local edit is pushed, the next sync finds nothing stale.
  await exec(local, "UPDATE accounts SET name = 'after' WHERE id = 3");
  const after = await run();
  assert.equal(after.ok, true);
  assert.deepEqual(after.tables.flatMap((t) => t.warnings ?? []), []);
  const v = await verify({ local, remote: remoteUri(cloud) });
  assert.equal(v.ok, true, JSON.stringify(v.tables));
});
