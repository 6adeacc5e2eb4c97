import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { sync, type SyncOptions } from '../../src/run/sync.js';
import { exec, query, withDuck } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * A full sync gives the whole database: schemas (one holding only views and a table macro, one
 * empty), a sequence with its current value, DEFAULT, NOT NULL, CHECK, UNIQUE and the key, views
 * on views in another schema, scalar and table macros, comments. Queries and writes then behave
 * locally as on the cloud; incremental syncs follow the cloud's changes and leave local objects be.
 */

const dir = tempDir();
const remote = join(dir, 'cloud.duckdb');
const local = join(dir, 'local.duckdb');
const base: SyncOptions = { local, remote: remoteUri(remote), env: {}, cwd: dir };

before(async () => {
  await exec(
    remote,
    'CREATE SCHEMA reporting',
    'CREATE SCHEMA staging',
    'CREATE SEQUENCE order_ids START 100',
    `CREATE TABLE orders (
       id INTEGER PRIMARY KEY DEFAULT nextval('order_ids'),
       qty INTEGER NOT NULL CHECK (qty > 0),
       ref VARCHAR UNIQUE,
       placed DATE DEFAULT DATE '2024-01-01',
       CHECK (qty < 1000))`,
    "INSERT INTO orders (qty, ref) VALUES (5, 'a'), (7, 'b'), (9, 'c')",
    'CREATE VIEW big_orders AS SELECT id, qty FROM orders WHERE qty > 5',
    'CREATE VIEW reporting.big_total AS SELECT sum(qty) AS total, count(*) AS n FROM main.big_orders',
    'CREATE MACRO twice(a) AS a * 2',
    'CREATE MACRO reporting.orders_over(n) AS TABLE SELECT id FROM main.orders WHERE qty > n ORDER BY id',
    "COMMENT ON TABLE orders IS 'every order'",
    "COMMENT ON COLUMN orders.qty IS 'units'",
    "COMMENT ON VIEW big_orders IS 'orders over 5'",
  );
});

/** The same query on both files gives the same rows. */
async function sameOnBoth(sql: string): Promise<void> {
  assert.deepEqual(await query(local, sql), await query(remote, sql), sql);
}

/** A write is refused on both files (or accepted on both). */
async function behavesAlike(sql: string): Promise<string> {
  const attempt = async (path: string): Promise<string> =>
    withDuck(path, async (q) => {
      await q.run('BEGIN');
      try {
        await q.run(sql);
        return 'accepted';
      } catch (error) {
        return String((error as Error).message).split(':')[0] ?? 'error';
      } finally {
        await q.run('ROLLBACK');
      }
    });
  const [l, r] = [await attempt(local), await attempt(remote)];
  assert.equal(l, r, `${sql}: local ${l}, cloud ${r}`);
  return l;
}

test('a full sync creates every object kind; queries and writes behave locally as on the cloud', async () => {
  const r = await sync(base);
  assert.equal(r.ok, true, JSON.stringify(r));
  const created = r.objects.filter((o) => o.action === 'create').map((o) => `${o.kind} ${o.name}`).sort();
  assert.deepEqual(created, [
    'macro twice',
    'schema reporting',
    'schema staging',
    'sequence order_ids',
    'table macro reporting.orders_over',
    'view big_orders',
    'view reporting.big_total',
  ]);
  assert.ok(r.objects.every((o) => o.status === 'ok'), JSON.stringify(r.objects));

  await sameOnBoth('SELECT * FROM big_orders ORDER BY id');
  await sameOnBoth('SELECT * FROM reporting.big_total');
  await sameOnBoth('SELECT twice(21) AS v');
  await sameOnBoth('SELECT * FROM reporting.orders_over(6)');
  await sameOnBoth("SELECT schema_name FROM duckdb_schemas() WHERE schema_name IN ('reporting', 'staging') ORDER BY 1");
  await sameOnBoth("SELECT comment FROM duckdb_tables() WHERE table_name = 'orders'");
  await sameOnBoth("SELECT column_name, comment, column_default, is_nullable FROM duckdb_columns() WHERE table_name = 'orders' ORDER BY column_index");
  await sameOnBoth("SELECT comment FROM duckdb_views() WHERE view_name = 'big_orders'");
  await sameOnBoth("SELECT constraint_type, constraint_text FROM duckdb_constraints() WHERE table_name = 'orders' ORDER BY ALL");

  // The sequence goes on from the cloud's value: the next id is the cloud's next, not 100.
  await sameOnBoth("SELECT nextval('order_ids') AS next");
  assert.equal(await behavesAlike("INSERT INTO orders (qty, ref) VALUES (3, 'd')"), 'accepted');
  // What the cloud refuses is refused locally.
  assert.notEqual(await behavesAlike("INSERT INTO orders (qty, ref) VALUES (-1, 'e')"), 'accepted');
  assert.notEqual(await behavesAlike("INSERT INTO orders (qty, ref) VALUES (5000, 'e')"), 'accepted');
  assert.notEqual(await behavesAlike("INSERT INTO orders (qty, ref) VALUES (NULL, 'e')"), 'accepted');
  assert.notEqual(await behavesAlike("INSERT INTO orders (qty, ref) VALUES (2, 'a')"), 'accepted');
  assert.notEqual(await behavesAlike("INSERT INTO orders (id, qty) VALUES (1000, 2), (1000, 3)"), 'accepted');
  await sameOnBoth("SELECT placed FROM orders WHERE id = (SELECT max(id) FROM orders)");
});

test('a local insert through the default is pushed, and the cloud sequence moves past it', async () => {
  await exec(local, "INSERT INTO orders (qty, ref) VALUES (4, 'local')");
  const r = await sync({ ...base, mode: 'incremental' });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.tables[0]?.rowsPushed, 1);
  const [pushed] = await query(remote, "SELECT CAST(id AS INTEGER) AS id FROM orders WHERE ref = 'local'");
  // A cloud insert after the sync does not take the id the local side used.
  await exec(remote, "INSERT INTO orders (qty, ref) VALUES (6, 'cloud')");
  const [cloud] = await query(remote, "SELECT CAST(id AS INTEGER) AS id FROM orders WHERE ref = 'cloud'");
  assert.ok(Number(cloud?.id) > Number(pushed?.id), `cloud id ${cloud?.id} after pushed ${pushed?.id}`);
});

test('incremental sync: cloud changes re-create objects; local scratch objects and local edits stay local', async () => {
  await exec(
    remote,
    'CREATE OR REPLACE VIEW big_orders AS SELECT id, qty, ref FROM orders WHERE qty > 6',
    'CREATE VIEW reporting.refs AS SELECT ref FROM main.big_orders',
    'CREATE MACRO thrice(a) AS a * 3',
  );
  await exec(local, 'CREATE VIEW my_scratch AS SELECT count(*) AS n FROM orders', 'CREATE OR REPLACE MACRO twice(a) AS a + a');
  const r = await sync({ ...base, mode: 'incremental' });
  assert.equal(r.ok, true, JSON.stringify(r));
  const done = r.objects.filter((o) => o.status === 'ok').map((o) => `${o.action} ${o.name}`).sort();
  // The cloud's insert since (previous test) moved its sequence on: the local one follows.
  assert.deepEqual(done, ['advance order_ids', 'create reporting.refs', 'create thrice', 'replace big_orders']);
  await sameOnBoth('SELECT * FROM big_orders ORDER BY id');
  await sameOnBoth('SELECT * FROM reporting.refs ORDER BY ref');
  await sameOnBoth('SELECT thrice(2) AS v');
  // The scratch view and the local macro edit are untouched and stay local.
  assert.equal((await query(local, "SELECT count(*)::INTEGER AS n FROM duckdb_views() WHERE view_name = 'my_scratch'"))[0]?.n, 1);
  assert.equal((await query(remote, "SELECT count(*)::INTEGER AS n FROM duckdb_views() WHERE view_name = 'my_scratch'"))[0]?.n, 0);
  assert.equal((await query(local, "SELECT macro_definition AS d FROM duckdb_functions() WHERE function_name = 'twice'"))[0]?.d, '(a + a)');
  assert.equal((await query(remote, "SELECT macro_definition AS d FROM duckdb_functions() WHERE function_name = 'twice'"))[0]?.d, '(a * 2)');
  // Nothing left to do.
  const again = await sync({ ...base, mode: 'incremental' });
  assert.deepEqual(again.objects, []);
});

test('pushObjects pushes the objects it names; --exclude leaves an object out; a dry run lists and changes nothing', async () => {
  await exec(local, 'CREATE VIEW shared_view AS SELECT ref FROM orders WHERE qty > 3');
  await exec(remote, 'CREATE VIEW cloud_only AS SELECT 1 AS one', 'CREATE VIEW later AS SELECT 2 AS two');
  const planned = await sync({ ...base, mode: 'incremental', dryRun: true, pushObjects: ['shared_view'] });
  assert.deepEqual(planned.objects.map((o) => `${o.side} ${o.action} ${o.name} ${o.status}`).sort(), [
    'local create cloud_only planned',
    'local create later planned',
    'remote create shared_view planned',
  ]);
  assert.equal((await query(remote, "SELECT count(*)::INTEGER AS n FROM duckdb_views() WHERE view_name = 'shared_view'"))[0]?.n, 0);

  const r = await sync({ ...base, mode: 'incremental', pushObjects: ['shared_view'], excludeTables: ['later'] });
  assert.equal(r.ok, true, JSON.stringify(r));
  await sameOnBoth('SELECT * FROM shared_view ORDER BY ref');
  await sameOnBoth('SELECT * FROM cloud_only');
  assert.equal((await query(local, "SELECT count(*)::INTEGER AS n FROM duckdb_views() WHERE view_name = 'later'"))[0]?.n, 0);
  assert.equal((await query(remote, "SELECT count(*)::INTEGER AS n FROM duckdb_views() WHERE view_name = 'my_scratch'"))[0]?.n, 0);
});

test('an object that cannot be created is reported; the tables are synced all the same', async () => {
  await exec(remote, 'CREATE TABLE side (v INTEGER)', 'INSERT INTO side VALUES (1)', 'CREATE VIEW side_view AS SELECT v FROM side');
  await exec(remote, "INSERT INTO orders (qty, ref) VALUES (8, 'late')");
  const r = await sync({ ...base, mode: 'incremental', excludeTables: ['side'] });
  assert.equal(r.ok, false);
  assert.deepEqual(r.tables.map((t) => [t.name, t.status, t.rowsPulled]), [['orders', 'ok', 1]]);
  const failed = r.objects.filter((o) => o.status === 'error');
  assert.deepEqual(failed.map((o) => o.name), ['side_view']);
  assert.match(failed[0]?.error ?? '', /side/);
});

test('a table synced before constraints were copied gets the defaults, NOT NULL, key and comments it lacks; a missing CHECK is reported', async () => {
  const old = join(dir, 'old-local.duckdb');
  // As an earlier duckdb-sync created it: columns and types only.
  await exec(old, 'CREATE SEQUENCE order_ids START 5000', 'CREATE TABLE orders (id INTEGER, qty INTEGER, ref VARCHAR, placed DATE)');
  const r = await sync({ ...base, local: old, mode: 'incremental', excludeTables: ['side', 'side_view'] });
  const steps = r.objects.filter((o) => o.kind === 'table').map((o) => `${o.action} ${o.name} ${o.status}`).sort();
  assert.deepEqual(steps, [
    'add primary key orders ok',
    'comment orders ok',
    'comment orders.qty ok',
    'differs orders reported',
    'differs orders reported',
    'differs orders reported',
    'set default orders.id ok',
    'set default orders.placed ok',
    'set not null orders.qty ok',
  ]);
  assert.match(r.objects.map((o) => o.detail).join('\n'), /CHECK\(\(qty > 0\)\) is on the remote only/);
  // The local sequence was ahead of the cloud's: it is not moved back.
  assert.equal(Number((await query(old, "SELECT nextval('order_ids') AS n"))[0]?.n), 5000);
  await assert.rejects(exec(old, "INSERT INTO orders (qty, ref) VALUES (NULL, 'n')"), /NOT NULL/);
});

test('a push-only sync writes nothing local: no cloud object created, no table definition changed', async () => {
  const other = join(dir, 'push-only.duckdb');
  await exec(other, 'CREATE TABLE orders (id INTEGER, qty INTEGER, ref VARCHAR, placed DATE)');
  await exec(remote, 'CREATE VIEW push_only_check AS SELECT 1 AS one');
  const r = await sync({ ...base, local: other, mode: 'incremental', direction: 'push', excludeTables: ['side', 'side_view'] });
  assert.deepEqual(r.objects.filter((o) => o.side === 'local' && o.status !== 'reported'), []);
  assert.deepEqual(await query(other, "SELECT view_name FROM duckdb_views() WHERE view_name = 'push_only_check'"), []);
  assert.deepEqual(await query(other, "SELECT column_default FROM duckdb_columns() WHERE table_name = 'orders' AND column_default IS NOT NULL"), []);
});
