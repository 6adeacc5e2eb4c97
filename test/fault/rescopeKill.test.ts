/**
 * Fault test: SIGKILL during a re-scope of a partial replica (`tables.<name>.where` changed). Each
 * kill starts from the same pair of files (a replica of a tenth of the table, with local edits not
 * pushed yet), the filter widened to a fifth; the CLI is killed at a seeded random point of the sync
 * that re-scopes. Then a sync without a kill must converge: the local table holds exactly the cloud
 * rows of the new scope, every local edit is on the cloud once, the cloud lost no row, and verify
 * exits 0.
 *
 * FAULT_SEED=<n> replays a run (the seed and the remote kind are printed); FAULT_KILLS=<n> and
 * FAULT_ROWS=<n> change the number of kills and the table size.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { tempDir } from '../helpers/tempDir.js';

const ROWS = Number(process.env.FAULT_ROWS ?? 300_000);
const KILLS = Number(process.env.FAULT_KILLS ?? 2);
const SEED = process.env.FAULT_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FAULT_SEED);
const KIND = testRemoteKind();
console.log(`FAULT_SEED=${SEED} (remote: ${KIND}, kills: ${KILLS}, rows: ${ROWS}; replay with DUCKDB_SYNC_TEST_REMOTE=${KIND} FAULT_SEED=${SEED})`);

/** Local edits made before the filter changed (ids in the old scope), pushed by the re-scope. */
const EDITED = 'id % 10 = 0 AND id % 7 = 0';

describe('SIGKILL during a re-scope of a partial replica', () => {
  const dir = tempDir('duckdb-sync-fault-');
  const remote = join(dir, 'remote.duckdb');
  const local = join(dir, 'local.duckdb');
  const env = cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') });
  const config = (where: string): void => writeFileSync(join(dir, 'duckdb-sync.config.json'), JSON.stringify({ local: 'local.duckdb', remote: remoteUri(remote, KIND), tables: { t: { where } } }));
  const random = seededRandom(SEED);
  let syncMs = 0;

  const saved = (path: string): string => `${path}.before`;
  const restore = (): void => {
    for (const f of [local, remote]) {
      rmSync(`${f}.wal`, { force: true });
      copyFileSync(saved(f), f);
    }
  };

  before(async () => {
    await exec(remote, 'CREATE TABLE t (id BIGINT PRIMARY KEY, g INTEGER, v BIGINT)', `INSERT INTO t SELECT i, i % 10, i FROM range(${ROWS}) r(i)`);
    config('g = 0');
    const first = await runCli(['sync'], { cwd: dir, env });
    assert.equal(first.code, 0, first.stderr);
    await exec(local, `UPDATE t SET v = -v WHERE ${EDITED}`);
    for (const f of [local, remote]) copyFileSync(f, saved(f));
    config('g IN (0, 1)');
    const started = performance.now();
    const whole = await runCli(['sync'], { cwd: dir, env });
    syncMs = performance.now() - started;
    assert.equal(whole.code, 0, whole.stderr);
    assert.match(whole.stderr, /re-scoped: the filter changed/);
    await assertConverged('uninterrupted');
    console.log(`uninterrupted re-scope of ${ROWS} rows: ${Math.round(syncMs)} ms`);
  });

  async function assertConverged(label: string): Promise<void> {
    const [l] = await query(local, 'SELECT count(*)::INTEGER AS n, sum(v)::BIGINT AS s, count(*) FILTER (WHERE g NOT IN (0, 1))::INTEGER AS outside FROM t');
    const [r] = await query(remote, 'SELECT count(*)::INTEGER AS n, sum(v) FILTER (WHERE g IN (0, 1))::BIGINT AS s, count(*) FILTER (WHERE v < 0)::INTEGER AS edited FROM t');
    const [expectedEdits] = await query(remote, `SELECT count(*)::INTEGER AS n FROM range(${ROWS}) r(id) WHERE ${EDITED} AND id > 0`);
    assert.equal(l?.outside, 0, `${label}: no local row outside the new scope`);
    assert.equal(l?.n, ROWS / 5, `${label}: every cloud row of the new scope, locally`);
    assert.equal(l?.s, r?.s, `${label}: the same rows on both sides`);
    assert.equal(r?.n, ROWS, `${label}: the cloud lost no row`);
    assert.equal(r?.edited, expectedEdits?.n, `${label}: every local edit on the cloud`);
    const v = await runCli(['verify'], { cwd: dir, env });
    assert.equal(v.code, 0, `${label}: verify\n${v.stdout}${v.stderr}`);
  }

  for (let i = 0; i < KILLS; i++) {
    test(`kill ${i + 1} of ${KILLS}: the next sync converges on the new scope`, async () => {
      restore();
      const delay = Math.round((syncMs * (i + random())) / KILLS);
      const child = startCli(['sync'], { cwd: dir, env });
      child.stdout?.resume();
      child.stderr?.resume();
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const { signal } = await new Promise<{ signal: NodeJS.Signals | null }>((resolve) => child.on('close', (_code, sig) => resolve({ signal: sig })));
      clearTimeout(timer);
      const after = await runCli(['sync'], { cwd: dir, env });
      assert.equal(after.code, 0, after.stderr);
      await assertConverged(`kill at ${delay} ms (seed ${SEED}, remote ${KIND})`);
      console.log(`kill ${i + 1}: SIGKILL at ${delay} ms of ~${Math.round(syncMs)} ms -> ${signal === 'SIGKILL' ? 'killed' : 'finished before the kill'}, converged`);
    });
  }
});
