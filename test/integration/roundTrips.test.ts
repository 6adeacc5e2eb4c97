// remote kinds: chosen here — round trips are the MotherDuck path's cost (the emulator counts them; a file remote is attached per step).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sync, type SyncOptions } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import { openSyncedDatabase } from '../../src/tracking/syncedDatabase.js';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import type { SyncResult } from '../../src/engine/api.js';

/**
 * Issue 14's ceilings, asserted on round-trip counts (never on time): a sync where nothing changed
 * costs the same few round trips whatever the number of tables, and a table costs round trips
 * only when something changed in it. Table `t<i>` is keyed with a cursor (i % 3 = 0), keyed
 * without one (1), or keyless (2).
 */
const root = tempDir();
let n = 0;

async function tables(count: number, rows = 20): Promise<{ local: string; cloud: string; run: (o?: SyncOptions & { emu?: string }) => Promise<SyncResult> }> {
  const dir = join(root, `r${++n}`);
  mkdirSync(dir, { recursive: true });
  const local = join(dir, 'local.duckdb');
  const cloud = join(dir, 'cloud.duckdb');
  const statements: string[] = [];
  for (let i = 0; i < count; i++) {
    const shape = i % 3;
    if (shape === 0) statements.push(`CREATE TABLE t${i} (id BIGINT PRIMARY KEY, v BIGINT, updated_at TIMESTAMP)`, `INSERT INTO t${i} SELECT i, i, TIMESTAMP '2026-01-01' + to_minutes(i) FROM range(1, ${rows + 1}) r(i)`);
    if (shape === 1) statements.push(`CREATE TABLE t${i} (id BIGINT PRIMARY KEY, v BIGINT)`, `INSERT INTO t${i} SELECT i, i FROM range(1, ${rows + 1}) r(i)`);
    if (shape === 2) statements.push(`CREATE TABLE t${i} (id BIGINT, v BIGINT)`, `INSERT INTO t${i} SELECT i % 7, i FROM range(1, ${rows + 1}) r(i)`);
  }
  await exec(cloud, ...statements);
  const env = { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
  const run = ({ emu, ...o }: SyncOptions & { emu?: string } = {}) => sync({ local, remote: `mdemu:${cloud}${emu ? `?${emu}` : ''}`, env, retryDelayMs: 10, mode: 'incremental', ...o });
  const first = await run({ mode: 'full' });
  assert.equal(first.ok, true, JSON.stringify(first.tables));
  return { local, cloud, run };
}

async function identical(local: string, cloud: string): Promise<void> {
  const v = await verify({ local, remote: `mdemu:${cloud}` });
  assert.equal(v.ok, true, JSON.stringify(v.tables));
}

function totals(r: SyncResult): { pulled: number; pushed: number; deleted: number } {
  return r.tables.reduce((a, t) => ({ pulled: a.pulled + t.rowsPulled, pushed: a.pushed + t.rowsPushed, deleted: a.deleted + t.rowsDeleted }), { pulled: 0, pushed: 0, deleted: 0 });
}

describe('round trips to the remote (issue 14)', () => {
  test('within the ceilings: full ≤ 3 per table, no change ≤ 6, one row changed on either side ≤ 14, a library flush ≤ 10', async () => {
    const { local, cloud, run } = await tables(15);
    const full = await run({ mode: 'full' });
    assert.ok(full.remoteRoundTrips <= 3 * 15 + 10, `full: ${full.remoteRoundTrips}`);

    const unchanged = await run();
    assert.equal(unchanged.ok, true);
    assert.ok(unchanged.remoteRoundTrips <= 6, `no change: ${unchanged.remoteRoundTrips}`);
    assert.deepEqual(totals(unchanged), { pulled: 0, pushed: 0, deleted: 0 });

    await exec(cloud, "UPDATE t0 SET v = -1, updated_at = TIMESTAMP '2030-01-01' WHERE id = 1");
    const cloudRow = await run();
    assert.ok(cloudRow.remoteRoundTrips <= 14, `one cloud row: ${cloudRow.remoteRoundTrips}`);
    assert.deepEqual(totals(cloudRow), { pulled: 1, pushed: 0, deleted: 0 });

    for (const table of ['t0', 't1', 't2']) {
      await exec(local, `UPDATE ${table} SET v = v + 100 WHERE v = 5`);
      const localRow = await run();
      assert.ok(localRow.remoteRoundTrips <= 14, `one local row in ${table}: ${localRow.remoteRoundTrips}`);
      assert.equal(totals(localRow).pushed, 1, `${table}: ${JSON.stringify(localRow.tables.filter((t) => t.rowsPushed))}`);
    }

    const db = await openSyncedDatabase({ local, remote: `mdemu:${cloud}`, autoSync: false, env: { DUCKDB_SYNC_CACHE_DIR: join(root, 'lib-cache') } });
    try {
      await db.run('UPDATE t3 SET v = v + 1 WHERE id = 2');
      const flushed = await db.flush();
      assert.ok(flushed.remoteRoundTrips <= 10, `flush: ${flushed.remoteRoundTrips}`);
      assert.equal(totals(flushed).pushed, 1);
    } finally {
      await db.close();
    }
    await identical(local, cloud);
  });

  test('a sync where nothing changed costs the same round trips for 3 tables as for 15', async () => {
    const few = await tables(3);
    const many = await tables(15);
    const a = await few.run();
    const b = await many.run();
    assert.equal(b.remoteRoundTrips, a.remoteRoundTrips, `3 tables: ${a.remoteRoundTrips}, 15 tables: ${b.remoteRoundTrips}`);
    assert.ok(b.tables.every((t) => (t.remoteRoundTrips ?? 0) === 0), 'no table costs a round trip of its own');
  });

  test('the probe sees every kind of remote change: cursor moved, delete, insert, a cursor-blind edit logged by another client, keyless copies', async () => {
    const { local, cloud, run } = await tables(6);
    await run();
    await exec(
      cloud,
      "UPDATE t0 SET v = -1, updated_at = TIMESTAMP '2030-01-01' WHERE id = 1",
      'DELETE FROM t3 WHERE id = 2',
      'UPDATE t1 SET v = -1 WHERE id = 3',
      'INSERT INTO t4 VALUES (1000, 1)',
      'INSERT INTO t2 SELECT * FROM t2 WHERE v = 4',
      'DELETE FROM t5 WHERE v = 6',
    );
    const r = await run();
    assert.equal(r.ok, true, JSON.stringify(r.tables));
    assert.deepEqual(totals(r), { pulled: 4, pushed: 0, deleted: 2 });
    await identical(local, cloud);

    // Another client pushes an edit that keeps an old cursor value: its change log shows it.
    const other = join(root, `other${++n}.duckdb`);
    const env = { DUCKDB_SYNC_CACHE_DIR: join(root, `other-cache${n}`) };
    assert.equal((await sync({ local: other, remote: `mdemu:${cloud}`, env, mode: 'full' })).ok, true);
    await exec(other, 'UPDATE t0 SET v = -7 WHERE id = 4');
    const pushed = await sync({ local: other, remote: `mdemu:${cloud}`, env, mode: 'incremental' });
    assert.equal(totals(pushed).pushed, 1);
    const seen = await run();
    assert.equal(totals(seen).pulled, 1, JSON.stringify(seen.tables));
    assert.deepEqual(await query(local, 'SELECT CAST(v AS INTEGER) AS v FROM t0 WHERE id = 4'), [{ v: -7 }]);
    await identical(local, cloud);
  });

  test('a local change with the remote unchanged is still compared with its remote version (a cloud edit since the probe is a conflict, not overwritten)', async () => {
    const { local, cloud, run } = await tables(3);
    // The cloud edit keeps the cursor: only reading the pushed key's remote version finds it.
    await exec(cloud, "UPDATE t0 SET v = -3 WHERE id = 3");
    await exec(local, 'UPDATE t0 SET v = 333 WHERE id = 3');
    const r = await run({ onConflict: 'remote-wins' });
    assert.equal(r.ok, true, JSON.stringify(r.tables));
    assert.equal(r.tables.find((t) => t.name === 't0')?.conflicts, 1);
    assert.deepEqual(await query(cloud, 'SELECT CAST(v AS INTEGER) AS v FROM t0 WHERE id = 3'), [{ v: -3 }]);
    await identical(local, cloud);
  });

  test('the probe failing with a network error is retried; nothing is skipped', async () => {
    const { local, cloud, run } = await tables(6);
    await exec(cloud, 'UPDATE t1 SET v = -1 WHERE id = 3', 'INSERT INTO t2 VALUES (99, 99)');
    // Round trips: 1 attach, 2 discovery, 3 the probe.
    const r = await run({ emu: 'fail_at=3' });
    assert.equal(r.ok, true, JSON.stringify(r.tables));
    assert.deepEqual(totals(r), { pulled: 2, pushed: 0, deleted: 0 });
    await identical(local, cloud);
  });

  test('a keyless table whose local file was written by another program is compared; one left alone is not', async () => {
    const { local, cloud, run } = await tables(3);
    await run();
    await exec(local, 'INSERT INTO t2 VALUES (99, 99)');
    const r = await run();
    assert.equal(totals(r).pushed, 1, JSON.stringify(r.tables));
    assert.deepEqual(await query(cloud, 'SELECT CAST(count(*) AS INTEGER) AS n FROM t2 WHERE id = 99 AND v = 99'), [{ n: 1 }]);
    const again = await run();
    assert.deepEqual(totals(again), { pulled: 0, pushed: 0, deleted: 0 });
    await identical(local, cloud);
  });
});
