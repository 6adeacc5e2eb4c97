/**
 * Fault test: a first push too big for one remote transaction goes in parts, each committed on its
 * own, and a process killed (SIGKILL) between parts is finished by the next sync, each part pushed
 * exactly once. Through the emulator the cloud also fails any transaction that changes more than
 * 200,000 rows (`max_txn_rows`, as MotherDuck's server runs out of memory): the push must stay under it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { parseOneJson } from '../e2e/support.js';

/** The figures: a 1M-row table under a 200,000-row limit; the kill tests use a third of both (as many parts, sooner). */
const ROWS = 1_000_000;
const LIMIT = 200_000;
const SMALL = { rows: 300_000, limit: 60_000 };
const emulated = testRemoteKind() === 'mdemu';
/** Through the emulator, `hashes` plays a server whose hash() differs (a statement mixing both sides' hashes would break). */
const cloudUri = (cloud: string, limit: number, hashes = false): string => remoteUri(cloud, undefined, emulated ? `max_txn_rows=${limit}${hashes ? '&hashes=other' : ''}` : undefined);

const TABLES = {
  big: (rows: number) => [`CREATE TABLE big (id BIGINT PRIMARY KEY, v VARCHAR, n INTEGER)`, `INSERT INTO big SELECT i, 'v' || i, i % 97 FROM range(${rows}) t(i)`],
  // Without a key: copies of one row go to one part.
  copies: (rows: number) => [`CREATE TABLE copies (v VARCHAR, n INTEGER)`, `INSERT INTO copies SELECT 'c' || (i % ${rows / 4}), i % 7 FROM range(${rows}) t(i)`],
} as const;

async function setUp(table: keyof typeof TABLES, size = { rows: ROWS, limit: LIMIT }, hashes = false): Promise<{ dir: string; local: string; cloud: string; args: string[] }> {
  const dir = tempDir();
  const local = join(dir, 'local.duckdb');
  const cloud = join(dir, 'cloud.duckdb');
  await exec(cloud, 'CREATE TABLE seed (id INTEGER PRIMARY KEY)');
  await exec(local, ...TABLES[table](size.rows));
  const args = ['sync', '--local', local, '--remote', cloudUri(cloud, size.limit, hashes), '--max-transaction-rows', String(size.limit), '--json'];
  return { dir, local, cloud, args };
}

const env = (dir: string): NodeJS.ProcessEnv => cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') });

/** Both sides hold the same multiset of rows of `table`. */
async function sameRows(local: string, cloud: string, table: string): Promise<void> {
  const summary = `SELECT count(*)::BIGINT AS n, sum(hash(t))::HUGEINT::VARCHAR AS s FROM ${table} t`;
  assert.deepEqual(await query(cloud, summary), await query(local, summary), `${table}: the same rows on both sides`);
}

describe('a first push in parts', () => {
  test('a 1M-row table arrives whole in parts of at most 200,000 rows; keyed, and keyless (a third of both)', async () => {
    for (const table of ['big', 'copies'] as const) {
      const { dir, local, cloud, args } = await setUp(table, table === 'big' ? undefined : SMALL);
      const r = await runCli(args, { cwd: dir, env: env(dir) });
      assert.equal(r.code, 0, r.stderr);
      const result = (parseOneJson(r.stdout).tables as Array<{ name: string; warnings?: string[] }>).find((t) => t.name === table);
      assert.match((result?.warnings ?? []).join('\n'), /pushed in \d+ parts/);
      await sameRows(local, cloud, table);
      // A second sync finds nothing to do.
      const again = parseOneJson((await runCli(args, { cwd: dir, env: env(dir) })).stdout);
      assert.equal(again.ok, true);
    }
  });

  test('the emulated cloud fails a transaction over its limit: without parts the push fails and changes nothing', { skip: !emulated && 'the limit is the emulator\'s' }, async () => {
    const { dir, cloud, args } = await setUp('big', SMALL);
    const r = await runCli(args.map((a) => (a === String(SMALL.limit) ? '5000000' : a)), { cwd: dir, env: env(dir) });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /ran out of memory for this transaction/);
    assert.deepEqual(await query(cloud, "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'big'"), [{ n: 0 }]);
  });

  for (const table of ['big', 'copies'] as const) {
    test(`killed between parts (${table}${emulated && table === 'copies' ? ', a server whose hash() differs' : ''}): the next sync pushes the other parts, none twice, and a row written meanwhile still arrives`, async () => {
      const { dir, local, cloud, args } = await setUp(table, SMALL, table === 'copies');
      const child = startCli([...args, '--verbose'], { cwd: dir, env: env(dir) });
      let stderr = '';
      const killed = new Promise<void>((resolve) => {
        child.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/part 2\/\d+ of its first push committed/.test(stderr)) child.kill('SIGKILL');
        });
        child.on('close', () => resolve());
      });
      await killed;
      assert.match(stderr, /part 2\/\d+ of its first push committed/, 'killed between parts');
      const [partial] = await query(cloud, `SELECT count(*)::INTEGER AS n FROM ${table}`);
      assert.ok(Number(partial?.n) > 0 && Number(partial?.n) < SMALL.rows, `some parts only: ${String(partial?.n)}`);
      // A pull meanwhile leaves the table alone rather than taking the cloud's part for all of it.
      const pull = parseOneJson((await runCli([...args, '--direction', 'pull'], { cwd: dir, env: env(dir) })).stdout);
      assert.match(JSON.stringify(pull.tables), /first push was cut short/);
      assert.deepEqual(await query(local, `SELECT count(*)::INTEGER AS n FROM ${table}`), [{ n: SMALL.rows }]);
      // Written while the push waited to be finished.
      await exec(local, table === 'big' ? "INSERT INTO big VALUES (-1, 'meanwhile', 0)" : "INSERT INTO copies VALUES ('meanwhile', 0)");
      const resumed = await runCli(args, { cwd: dir, env: env(dir) });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stdout, /its first push, cut short earlier, finished/);
      const last = await runCli(args, { cwd: dir, env: env(dir) });
      assert.equal(last.code, 0, last.stderr);
      await sameRows(local, cloud, table);
      assert.deepEqual(await query(cloud, `SELECT count(*)::INTEGER AS n FROM ${table}`), [{ n: SMALL.rows + 1 }], 'every row once, the one written meanwhile too');
    });
  }

  for (const table of ['big', 'copies'] as const) {
    test(`a later push too big for one transaction (${table}) goes in passes; killed between passes, the next sync finishes it, nothing twice`, async () => {
      const { dir, local, cloud, args } = await setUp(table, SMALL);
      assert.equal((await runCli(args, { cwd: dir, env: env(dir) })).code, 0);
      const edit = table === 'big' ? ['UPDATE big SET n = n + 1000 WHERE id % 3 = 0', 'DELETE FROM big WHERE id % 50 = 1'] : ["INSERT INTO copies SELECT 'new' || (i % 1000), 1 FROM range(100000) t(i)", "DELETE FROM copies WHERE v = 'c7'"];
      await exec(local, ...edit);
      const incremental = [...args, '--mode', 'incremental'];
      const r = await runCli(incremental, { cwd: dir, env: env(dir) });
      assert.equal(r.code, 0, r.stderr);
      const result = (parseOneJson(r.stdout).tables as Array<{ name: string; warnings?: string[] }>).find((t) => t.name === table);
      assert.match((result?.warnings ?? []).join('\n'), /pushed in \d+ parts/);
      await sameRows(local, cloud, table);

      // Again, killed as the second pass begins.
      await exec(local, ...edit);
      const child = startCli([...incremental, '--verbose'], { cwd: dir, env: env(dir) });
      let stderr = '';
      await new Promise<void>((resolve) => {
        child.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/left for pass 2 of the push/.test(stderr)) child.kill('SIGKILL');
        });
        child.on('close', () => resolve());
      });
      assert.match(stderr, /left for pass 2 of the push/, 'killed between passes');
      for (let i = 0; i < 2; i++) assert.equal((await runCli(incremental, { cwd: dir, env: env(dir) })).code, 0);
      await sameRows(local, cloud, table);
    });
  }
});
