/**
 * Property test (fast-check): a partial replica under random writes. One remote and one local file,
 * a keyed table `t (id, g, v, updated_at)` synced with a random filter over `g` and `v`; random
 * inserts, updates (moving rows in and out of the scope) and deletes on both sides, random syncs
 * (incremental or full, policy remote-wins, local-wins or newest-wins), and now and then a new
 * random filter (a re-scope). After each of two final incremental syncs in both directions:
 * - the local table holds exactly the cloud rows the last filter keeps (ordered dumps);
 * and at the end:
 * - no row left the cloud that nobody deleted: a row leaving the scope, or a re-scope, is never a
 *   delete (every key no side ever deleted is on the cloud);
 * - verify finds the rows in scope identical.
 *
 * PROPERTY_SEED=<n> replays a run (the seed and the remote kind are printed), PROPERTY_RUNS=<n>
 * changes the number of runs.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { sync } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 3);
const SEED = process.env.PROPERTY_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.PROPERTY_SEED);
const KIND = testRemoteKind();
console.log(`PROPERTY_SEED=${SEED} (remote: ${KIND}, runs: ${RUNS}; replay with DUCKDB_SYNC_TEST_REMOTE=${KIND} PROPERTY_SEED=${SEED})`);

const FILTERS = ['g = 0', 'g IN (0, 1)', 'g <> 2', 'v % 2 = 0', 'g = 1 OR v > 5', 'true', 'g = 3'];
const KEYS = 12;

const write = fc.record({
  kind: fc.constant('write' as const),
  side: fc.constantFrom<'local' | 'remote'>('local', 'remote'),
  action: fc.constantFrom<'upsert' | 'delete'>('upsert', 'upsert', 'delete'),
  id: fc.integer({ min: 1, max: KEYS }),
  g: fc.integer({ min: 0, max: 3 }),
  v: fc.integer({ min: 0, max: 9 }),
});
const syncOp = fc.record({
  kind: fc.constant('sync' as const),
  mode: fc.constantFrom<'incremental' | 'full'>('incremental', 'incremental', 'full'),
  policy: fc.constantFrom<'remote-wins' | 'local-wins' | 'newest-wins'>('remote-wins', 'local-wins', 'newest-wins'),
});
const rescope = fc.record({ kind: fc.constant('rescope' as const), where: fc.constantFrom(...FILTERS) });
const opsArb = fc.array(fc.oneof({ arbitrary: write, weight: 6 }, { arbitrary: syncOp, weight: 3 }, { arbitrary: rescope, weight: 1 }), { minLength: 5, maxLength: 25 });

type Ops = typeof opsArb extends fc.Arbitrary<infer T> ? T : never;

describe('partial replica property: random writes on both sides, random filters, random syncs', () => {
  const root = tempDir('duckdb-sync-prop-');
  let run = 0;
  let syncs = 0;

  async function scenario(firstWhere: string, ops: Ops): Promise<void> {
    const dir = join(root, `r${++run}`);
    mkdirSync(dir);
    const local = join(dir, 'local.duckdb');
    const remote = join(dir, 'remote.duckdb');
    const env = { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
    let where = firstWhere;
    let tick = 0;
    const deleted = new Set<number>();
    const inserted = new Set<number>();
    await exec(remote, 'CREATE TABLE t (id INTEGER PRIMARY KEY, g INTEGER, v INTEGER, updated_at TIMESTAMP)', `INSERT INTO t SELECT i, i % 4, i % 10, TIMESTAMP '2024-01-01' FROM range(1, ${KEYS / 2 + 1}) r(i)`);
    for (let i = 1; i <= KEYS / 2; i++) inserted.add(i);
    const doSync = async (mode: 'incremental' | 'full', onConflict: 'remote-wins' | 'local-wins' | 'newest-wins' = 'remote-wins'): Promise<void> => {
      syncs++;
      const r = await sync({ local, remote: remoteUri(remote, KIND), cwd: dir, env, mode, onConflict, tableSettings: { t: { where } } });
      assert.equal(r.ok, true, `sync (${mode}, ${onConflict}, where ${where}) failed: ${JSON.stringify(r.tables)}`);
    };
    await doSync('full');
    for (const op of ops) {
      if (op.kind === 'sync') await doSync(op.mode, op.policy);
      else if (op.kind === 'rescope') where = op.where;
      else {
        const path = op.side === 'local' ? local : remote;
        const id = op.id;
        tick++;
        if (op.action === 'delete') {
          const [had] = await query(path, `SELECT count(*)::INTEGER AS n FROM t WHERE id = ${id}`);
          if (had?.n) deleted.add(id);
          await exec(path, `DELETE FROM t WHERE id = ${id}`);
        } else {
          inserted.add(id);
          await exec(path, `INSERT OR REPLACE INTO t VALUES (${id}, ${op.g}, ${op.v}, TIMESTAMP '2024-06-01' + INTERVAL ${tick} SECOND)`);
        }
      }
    }
    // One local: one two-way sync converges, and the rows its push left outside the scope left the
    // local copy in that same sync (not at the next one); a second sync changes nothing.
    for (const round of ['first', 'second']) {
      await doSync('incremental');
      const scope = await query(remote, `SELECT * FROM t WHERE ${where} ORDER BY id`);
      assert.deepEqual(await query(local, 'SELECT * FROM t ORDER BY id'), scope, `after the ${round} final sync the local table holds exactly the cloud rows where ${where}`);
    }
    const cloudIds = new Set((await query(remote, 'SELECT id FROM t')).map((r) => Number(r.id)));
    const lost = [...inserted].filter((id) => !deleted.has(id) && !cloudIds.has(id));
    assert.deepEqual(lost, [], 'rows nobody deleted are on the cloud');
    const v = await verify({ local, remote: remoteUri(remote, KIND), cwd: dir, env, tableSettings: { t: { where } } });
    assert.equal(v.ok, true, JSON.stringify(v.tables));
  }

  test('the replica holds exactly the cloud rows in scope, and no row nobody deleted leaves the cloud', { timeout: 600_000 }, async () => {
    const started = performance.now();
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...FILTERS), opsArb, async (firstWhere, ops) => {
          await scenario(firstWhere, ops);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true, verbose: 1 },
      );
    } catch (e) {
      if (e instanceof Error && e.cause instanceof Error) e.message += `\n\nThe counterexample failed with: ${e.cause.message}\nReplay with DUCKDB_SYNC_TEST_REMOTE=${KIND} PROPERTY_SEED=${SEED}`;
      throw e;
    }
    console.log(`${RUNS} runs, ${syncs} syncs in ${Math.round((performance.now() - started) / 1000)} s (seed ${SEED}, remote ${KIND})`);
  });
});
