// Run by npm run test:motherduck only (test/live/runLive.mjs), in a scratch DuckLake database on
// MotherDuck: what only MotherDuck can show of DuckLake. That md_all_databases() names the database
// as DuckLake (duckdb-sync then creates its tables without constraints, which DuckLake refuses), and
// that a push, an edit and a second sync go through.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { exec, query, withDuck } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';

const database = process.env.DUCKDB_SYNC_LIVE_DATABASE ?? '';

test('a DuckLake database on MotherDuck: a keyed table with constraints and a sequence is pushed without them, then synced by its key', { skip: !database && 'run by npm run test:motherduck' }, async () => {
  const dir = tempDir();
  const local = join(dir, 'local.duckdb');
  const table = `lake_orders_${process.pid}`;
  await exec(
    local,
    `CREATE SEQUENCE ${table}_ids`,
    `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, sku VARCHAR UNIQUE, qty INTEGER CHECK (qty > 0), status VARCHAR DEFAULT 'new', created TIMESTAMP DEFAULT now())`,
    `INSERT INTO ${table} (id, sku, qty) SELECT i, 'sku' || i, i FROM range(1, 101) t(i)`,
  );
  const args = ['sync', '--local', local, '--remote', `md:${database}`, '--table', table, '--json'];
  // The token reaches the CLI only when passed on (cleanEnv drops it from what a test inherits).
  const env = cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache'), motherduck_token: process.env.motherduck_token });
  const first = await runCli(args, { cwd: dir, env });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /a DuckLake database holds no constraints/);
  await exec(local, `UPDATE ${table} SET qty = 999 WHERE id = 1`, `DELETE FROM ${table} WHERE id = 2`);
  const second = await runCli(args, { cwd: dir, env });
  assert.equal(second.code, 0, second.stderr);
  const rows = await withDuck(`md:${database}`, (q) => q.json(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS k, max(qty)::INTEGER AS q FROM "${database}".main.${table}`));
  assert.deepEqual(rows, [{ n: 99, k: 99, q: 999 }]);
  assert.deepEqual(await query(local, `SELECT count(*)::INTEGER AS n FROM ${table}`), [{ n: 99 }]);
});
