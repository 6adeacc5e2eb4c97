import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

const ROUNDS = 5;

/*
 * Two machines syncing one cloud database at the same moment, round after round: each writes its
 * local file (inserts, updates of rows only it edits, keyless appends), then runs the CLI, both
 * CLIs started together. A file remote is held by one of them at a time (the other retries);
 * the emulator, like MotherDuck, serves both, holding its file only while a step runs. Both
 * create duckdb-sync's own remote tables (the cursor table's change log, the keyless push
 * markers) in their first rounds, from listings that may already be stale. Nothing may be lost or
 * doubled, and after one more sync each, both locals hold exactly the cloud's rows.
 */
test('two clients syncing one cloud at the same moment, over and over, converge with nothing lost or doubled', async () => {
  const dir = tempDir();
  const cloud = join(dir, 'cloud.duckdb');
  await exec(
    cloud,
    'CREATE TABLE items (id INTEGER PRIMARY KEY, owner VARCHAR, n INTEGER, updated_at TIMESTAMP)',
    "INSERT INTO items SELECT i, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END, 0, TIMESTAMP '2024-01-01' + to_minutes(i) FROM range(1, 101) t(i)",
    'CREATE TABLE events (client VARCHAR, round INTEGER)',
  );
  const clients = ['a', 'b'] as const;
  const local = (c: string): string => join(dir, `${c}.duckdb`);
  const syncOf = (c: string) => runCli(['sync', '--local', local(c), '--remote', remoteUri(cloud), '--json'], { cwd: dir, env: cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(dir, `cache-${c}`) }) });
  for (const c of clients) assert.equal((await syncOf(c)).code, 0);

  const failures: string[] = [];
  const client = async (c: (typeof clients)[number], offset: number): Promise<void> => {
    for (let round = 1; round <= ROUNDS; round++) {
      await exec(
        local(c),
        `INSERT INTO items VALUES (${offset + round}, '${c}', ${round}, now())`,
        `UPDATE items SET n = n + 1, updated_at = now() WHERE owner = '${c}' AND id <= 100`,
        `INSERT INTO events VALUES ('${c}', ${round})`,
      );
      const r = await syncOf(c);
      if (r.code !== 0) failures.push(`${c} round ${round}: exit ${r.code}: ${r.stderr.trim().split('\n').at(-1) ?? ''} ${r.stdout.slice(0, 400)}`);
    }
  };
  await Promise.all([client('a', 1000), client('b', 2000)]);
  assert.deepEqual(failures, [], 'every sync of both clients succeeded');

  for (const c of clients) assert.equal((await syncOf(c)).code, 0);
  const n = async (path: string, sql: string): Promise<number> => Number((await query(path, sql))[0]?.n);
  assert.equal(await n(cloud, 'SELECT count(*) AS n FROM items'), 100 + 2 * ROUNDS, 'every insert arrived once');
  assert.equal(await n(cloud, `SELECT count(*) AS n FROM items WHERE id <= 100 AND n <> ${ROUNDS}`), 0, 'every update of every round arrived');
  assert.equal(await n(cloud, 'SELECT count(*) AS n FROM events'), 2 * ROUNDS, 'each keyless append arrived exactly once');
  assert.equal(await n(cloud, 'SELECT count(DISTINCT (client, round)) AS n FROM events'), 2 * ROUNDS);
  const cloudItems = await query(cloud, 'SELECT * FROM items ORDER BY id');
  for (const c of clients) {
    assert.deepEqual(await query(local(c), 'SELECT * FROM items ORDER BY id'), cloudItems, `${c} holds the cloud's items`);
    assert.equal(await n(local(c), 'SELECT count(*) AS n FROM events'), 2 * ROUNDS, `${c} holds every event`);
  }
  assert.equal(await n(local('a'), 'SELECT count(*) AS n FROM dewey_sync_conflicts'), 0, 'no conflicts: each client edited its own rows');
});
