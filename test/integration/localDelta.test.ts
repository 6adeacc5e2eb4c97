import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { Database } from '../../src/db/database.js';
import { parseRemote } from '../../src/remote/parseRemote.js';
import { discoverTables } from '../../src/engine/catalog/discoverTables.js';
import { computeLocalDelta } from '../../src/engine/compare/localDelta.js';
import { readOneTableMetadata } from '../../src/engine/state/tableMetadata.js';
import { silentLogger } from '../../src/log/logger.js';
import { exec } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * The bucketed comparison of large tables (per-bucket counts and XORs, then rows of differing
 * buckets only) finds exactly the changes the plain row-by-row join finds, for every volume of
 * change (none, a few, enough to need finer buckets, most rows). The tables here are small: the
 * bucketed path is forced with a threshold of 0 rows. Seeded; the seed is printed.
 */

const seed = Number(process.env.DELTA_SEED ?? Date.now() % 1_000_000);
console.log(`localDelta seed: ${seed} (DELTA_SEED=${seed} repeats it)`);

function random(s: number): () => number {
  let x = s || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('bucketed and plain local deltas agree for 0 to most rows changed', async () => {
  const dir = tempDir();
  const remote = join(dir, 'remote.duckdb');
  const local = join(dir, 'local.duckdb');
  const rows = 300_000;
  await exec(remote, 'CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR, n DOUBLE, s VARCHAR)', `INSERT INTO t SELECT range, 'v' || range, range / 3, 'same' FROM range(${rows})`);
  await sync({ local, remote: remoteUri(remote), cwd: dir, env: {} });
  const rnd = random(seed);
  const config = loadConfig({ cwd: dir, env: {}, overrides: { local, remote: remoteUri(remote) } });
  // 600 changes stay within a quarter of the 4,096 buckets; 1,500 and 15,000 take the whole join.
  for (const changes of [0, 1, 7, 600, 1500, 15_000]) {
    const ids = new Set<number>();
    while (ids.size < changes) ids.add(Math.floor(rnd() * rows * 1.1));
    const list = [...ids];
    const updates = list.filter((_id, i) => i % 3 === 0);
    const deletes = list.filter((_id, i) => i % 3 === 1);
    const inserts = list.filter((_id, i) => i % 3 === 2).map((id) => id + rows * 2);
    const db = await Database.open({ local, remote: parseRemote(remoteUri(remote)), motherduckToken: undefined, maxRetries: 0, retryDelayMs: 10, logger: silentLogger });
    try {
      const { pairs } = await discoverTables(db, config, {}, { objects: false });
      const pair = pairs.find((p) => p.name === 't');
      const meta = await readOneTableMetadata(db, 't');
      assert.ok(pair && meta?.baselineTable);
      const baseline = meta.baselineTable;
      // The changes are rolled back after each volume: every round starts from the synced table.
      await db.transaction(async () => {
        // Half of the updates give many rows the same new value in the same column (their hashes must
        // not cancel out within a bucket), the other half distinct values.
        const same = updates.filter((_id, i) => i % 2 === 0);
        const distinct = updates.filter((_id, i) => i % 2 === 1);
        if (same.length) await db.run(`UPDATE t SET s = 'changed' WHERE id IN (SELECT unnest(${sqlList(same)}))`);
        if (distinct.length) await db.run(`UPDATE t SET v = v || '*' WHERE id IN (SELECT unnest(${sqlList(distinct)}))`);
        if (deletes.length) await db.run(`DELETE FROM t WHERE id IN (SELECT unnest(${sqlList(deletes)}))`);
        if (inserts.length) await db.run(`INSERT INTO t SELECT unnest(${sqlList(inserts)}), 'new', 0, 'same'`);
        const plain = await computeLocalDelta(db, pair, baseline);
        const expected = await db.all('SELECT * FROM temp.sync_ld ORDER BY k0');
        const bucketed = await computeLocalDelta(db, pair, baseline, 0);
        const actual = await db.all('SELECT * FROM temp.sync_ld ORDER BY k0');
        assert.equal(bucketed, plain, `${changes} changes: count`);
        assert.deepEqual(actual, expected, `${changes} changes: rows (seed ${seed})`);
        const existing = new Set([...deletes, ...updates].filter((id) => id < rows));
        const found = new Set((actual as Array<{ k0: bigint }>).map((r) => Number(r.k0)));
        for (const id of existing) assert.ok(found.has(id), `change of row ${id} found (seed ${seed})`);
        throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    } finally {
      await db.close();
    }
  }
});

class Rollback extends Error {}

/** A literal list of integers (test data, not user input). */
function sqlList(values: number[]): string {
  return `[${values.map((v) => String(Math.trunc(v))).join(', ')}]::BIGINT[]`;
}
