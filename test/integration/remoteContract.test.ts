import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openSyncedDatabase } from '../../src/tracking/syncedDatabase.js';
import { sync, type SyncOptions } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import { newCloud, type Cloud } from '../helpers/cloud.js';
import { exec, query } from '../helpers/duck.js';
import { testRemoteKind } from '../helpers/remoteKinds.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * What every remote must do, written only against the cloud's SQL (test/helpers/cloud.ts): this
 * file runs against the file remote and the MotherDuck emulator in `npm test`, and against real
 * MotherDuck in `npm run test:motherduck` (a scratch database; each test in a schema of its own).
 */
const root = tempDir();
let n = 0;

interface Setup {
  cloud: Cloud;
  local: string;
  run(options?: SyncOptions): ReturnType<typeof sync>;
  ok(options?: SyncOptions): ReturnType<typeof sync>;
  /** verify() says identical, and both sides hold exactly the same rows of both tables. */
  identical(): Promise<void>;
  /** The cloud's rows of a table, sorted. */
  cloudRows(table: string): Promise<Array<Record<string, unknown>>>;
  localRows(table: string): Promise<Array<Record<string, unknown>>>;
}

async function setup(extraTables: string[] = []): Promise<Setup> {
  const dir = join(root, `c${++n}`);
  mkdirSync(dir);
  const cloud = await newCloud(dir);
  await cloud.exec(
    `CREATE TABLE ${cloud.name('items')} (id INTEGER PRIMARY KEY, name VARCHAR, price DECIMAL(10, 2), tags VARCHAR[], updated_at TIMESTAMP)`,
    `INSERT INTO ${cloud.name('items')} SELECT i, 'item ' || i, i / 4, ['a', 'b' || i], TIMESTAMP '2024-01-01' + to_minutes(i) FROM range(1, 201) t(i)`,
    `CREATE TABLE ${cloud.name('events')} (kind VARCHAR, n INTEGER)`,
    `INSERT INTO ${cloud.name('events')} SELECT 'k' || (i % 5), i % 3 FROM range(0, 60) t(i)`,
  );
  const local = join(dir, 'local.duckdb');
  const tables = [cloud.tableName('items'), cloud.tableName('events'), ...extraTables.map((t) => cloud.tableName(t))];
  const base = (): SyncOptions => ({ local, remote: cloud.uri, env: { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') }, tables, mode: 'incremental' });
  const s: Setup = {
    cloud,
    local,
    run: (options = {}) => sync({ ...base(), ...options }),
    ok: async (options = {}) => {
      const r = await sync({ ...base(), ...options });
      assert.equal(r.ok, true, JSON.stringify(r.tables));
      return r;
    },
    identical: async () => {
      const v = await verify({ local, remote: cloud.uri, tables });
      assert.equal(v.ok, true, JSON.stringify(v.tables));
      for (const t of ['items', 'events']) assert.deepEqual(await s.localRows(t), await s.cloudRows(t), t);
    },
    cloudRows: (table) => cloud.query(`SELECT * FROM ${cloud.name(table)} ORDER BY ALL`),
    localRows: (table) => query(local, `SELECT * FROM ${cloud.name(table)} ORDER BY ALL`),
  };
  // The extra tables are made locally by the test: the first sync knows only the cloud's.
  await s.ok({ mode: 'full', tables: tables.slice(0, 2) });
  return s;
}

describe(`every remote (${testRemoteKind()})`, () => {
  test('a full sync copies every row and type exactly', async () => {
    const s = await setup();
    await s.identical();
  });

  test('local inserts, updates and deletes reach the cloud, keyed and keyless', async () => {
    const s = await setup();
    const items = s.cloud.name('items');
    const events = s.cloud.name('events');
    await exec(s.local, `UPDATE ${items} SET name = 'local' WHERE id <= 5`, `DELETE FROM ${items} WHERE id > 195`, `INSERT INTO ${items} VALUES (500, 'new', 1.5, [], now())`);
    await exec(s.local, `INSERT INTO ${events} VALUES ('k1', 1), ('k1', 1)`, `DELETE FROM ${events} WHERE kind = 'k2'`);
    const r = await s.ok();
    assert.deepEqual(
      r.tables.map((t) => [t.rowsPushed > 0 || t.rowsDeleted > 0, t.status]),
      [
        [true, 'ok'],
        [true, 'ok'],
      ],
    );
    await s.identical();
  });

  test('cloud changes arrive: updates (cursor moved), deletes, keyless inserts', async () => {
    const s = await setup();
    const items = s.cloud.name('items');
    await s.cloud.exec(`UPDATE ${items} SET name = 'cloud', updated_at = now() WHERE id IN (10, 11)`, `DELETE FROM ${items} WHERE id = 12`);
    await s.cloud.exec(`INSERT INTO ${s.cloud.name('events')} VALUES ('cloud', 7)`);
    await s.ok();
    await s.identical();
    assert.deepEqual(await query(s.local, `SELECT id, name FROM ${items} WHERE id BETWEEN 10 AND 12 ORDER BY id`), [
      { id: 10, name: 'cloud' },
      { id: 11, name: 'cloud' },
    ]);
  });

  test('a row changed on both sides: the cloud wins by default, the local version is kept', async () => {
    const s = await setup();
    const items = s.cloud.name('items');
    await exec(s.local, `UPDATE ${items} SET name = 'mine' WHERE id = 20`);
    await s.cloud.exec(`UPDATE ${items} SET name = 'theirs' WHERE id = 20`);
    const r = await s.ok();
    assert.equal(r.tables.find((t) => t.name === s.cloud.tableName('items'))?.conflicts, 1);
    await s.identical();
    assert.deepEqual(await s.cloud.query(`SELECT name FROM ${items} WHERE id = 20`), [{ name: 'theirs' }]);
    const kept = await query(s.local, `SELECT CAST(local_version AS VARCHAR) AS v FROM dewey_sync_conflicts`);
    assert.equal(kept.length, 1);
    assert.match(String(kept[0]?.v), /mine/);
  });

  test('a table new locally is created on the cloud; a column added locally follows', async () => {
    const s = await setup(['notes']);
    const notes = s.cloud.name('notes');
    const schema = notes.split('.')[0] as string;
    await exec(s.local, `CREATE SCHEMA IF NOT EXISTS ${schema}`, `CREATE TABLE ${notes} (id INTEGER PRIMARY KEY, body VARCHAR)`, `INSERT INTO ${notes} VALUES (1, 'one'), (2, 'two')`);
    await exec(s.local, `ALTER TABLE ${s.cloud.name('items')} ADD COLUMN color VARCHAR`, `UPDATE ${s.cloud.name('items')} SET color = 'red' WHERE id = 1`);
    await s.ok();
    await s.identical();
    assert.deepEqual(await s.cloud.query(`SELECT * FROM ${notes} ORDER BY id`), [
      { id: 1, body: 'one' },
      { id: 2, body: 'two' },
    ]);
    assert.deepEqual(await s.cloud.query(`SELECT color FROM ${s.cloud.name('items')} WHERE id = 1`), [{ color: 'red' }]);
  });

  test('a dry run and a pull never write the cloud', async () => {
    const s = await setup();
    await exec(s.local, `UPDATE ${s.cloud.name('items')} SET name = 'waiting' WHERE id = 30`, `INSERT INTO ${s.cloud.name('events')} VALUES ('waiting', 1)`);
    const before = [await s.cloudRows('items'), await s.cloudRows('events')];
    await s.ok({ dryRun: true });
    await s.ok({ direction: 'pull' });
    assert.deepEqual([await s.cloudRows('items'), await s.cloudRows('events')], before);
    await s.ok();
    await s.identical();
  });

  test('the library: a write is marked and pushed by flush()', async () => {
    const s = await setup();
    const db = await openSyncedDatabase({ local: s.local, remote: s.cloud.uri, autoSync: false, initialSync: false });
    try {
      assert.equal(await db.run(`UPDATE ${s.cloud.name('items')} SET name = 'library' WHERE id = 40`), 1);
      const pushed = await db.flush();
      assert.equal(pushed.ok, true, JSON.stringify(pushed.tables));
    } finally {
      await db.close({ flush: false });
    }
    assert.deepEqual(await s.cloud.query(`SELECT name FROM ${s.cloud.name('items')} WHERE id = 40`), [{ name: 'library' }]);
  });

  test('schema objects both ways: a sequence, a DEFAULT, CHECK, UNIQUE, a view, a macro and comments come from the cloud; a local view and table go to it', async () => {
    const s = await setup();
    const { cloud, local } = s;
    const seq = cloud.tableName('order_ids');
    await cloud.exec(
      `CREATE SEQUENCE ${cloud.name('order_ids')} START 100`,
      `CREATE TABLE ${cloud.name('orders')} (id INTEGER PRIMARY KEY DEFAULT nextval('${seq}'), qty INTEGER NOT NULL CHECK (qty > 0), ref VARCHAR UNIQUE)`,
      `INSERT INTO ${cloud.name('orders')} (qty, ref) VALUES (5, 'a'), (7, 'b')`,
      `CREATE VIEW ${cloud.name('big_orders')} AS SELECT id, qty FROM ${cloud.name('orders')} WHERE qty > 5`,
      `CREATE MACRO ${cloud.name('twice')}(a) AS a * 2`,
      `COMMENT ON TABLE ${cloud.name('orders')} IS 'every order'`,
    );
    // Objects follow a sync of the whole database (a sync of named tables leaves them alone).
    const whole = (options: SyncOptions = {}) => s.ok({ tables: undefined, ...options });
    await whole();
    const sameOnBoth = async (sql: string): Promise<void> => assert.deepEqual(await query(local, sql), await cloud.query(sql), sql);
    await sameOnBoth(`SELECT * FROM ${cloud.name('big_orders')} ORDER BY id`);
    await sameOnBoth(`SELECT ${cloud.name('twice')}(21) AS v`);
    await sameOnBoth(`SELECT comment FROM duckdb_tables() WHERE table_name = 'orders' AND database_name = current_database()`);
    // The constraints hold locally as on the cloud, and the sequence goes on from the cloud's value.
    await assert.rejects(exec(local, `INSERT INTO ${cloud.name('orders')} (qty, ref) VALUES (0, 'zero')`), /CHECK|constraint/i);
    await assert.rejects(exec(local, `INSERT INTO ${cloud.name('orders')} (qty, ref) VALUES (3, 'a')`), /unique|duplicate|constraint/i);
    await exec(local, `INSERT INTO ${cloud.name('orders')} (qty, ref) VALUES (9, 'c')`);
    assert.deepEqual(await query(local, `SELECT id FROM ${cloud.name('orders')} WHERE ref = 'c'`), [{ id: 102 }]);

    const schema = cloud.name('x').split('.')[0] as string;
    await exec(
      local,
      `CREATE VIEW ${cloud.name('small_orders')} AS SELECT id FROM ${cloud.name('orders')} WHERE qty < 8`,
      `CREATE SCHEMA IF NOT EXISTS ${schema}`,
      `CREATE TABLE ${cloud.name('limits')} (id INTEGER PRIMARY KEY, cap INTEGER CHECK (cap < 100), code VARCHAR UNIQUE)`,
      `INSERT INTO ${cloud.name('limits')} VALUES (1, 10, 'x')`,
    );
    await whole({ pushObjects: [cloud.tableName('small_orders')] });
    await sameOnBoth(`SELECT * FROM ${cloud.name('small_orders')} ORDER BY id`);
    assert.deepEqual(await cloud.query(`SELECT id, qty, ref FROM ${cloud.name('orders')} WHERE ref = 'c'`), [{ id: 102, qty: 9, ref: 'c' }]);
    await assert.rejects(cloud.exec(`INSERT INTO ${cloud.name('limits')} VALUES (2, 500, 'y')`), /CHECK|constraint/i);
    await assert.rejects(cloud.exec(`INSERT INTO ${cloud.name('limits')} VALUES (3, 5, 'x')`), /unique|duplicate|constraint/i);
    await s.identical();
  });

  test('two clients syncing the same cloud tables at the same moment, round after round, converge with nothing lost or doubled', async () => {
    const s = await setup();
    const { cloud } = s;
    const items = cloud.name('items');
    const events = cloud.name('events');
    const dir = join(s.local, '..');
    const ROUNDS = 3;
    const localOf = (c: string): string => join(dir, `client-${c}.duckdb`);
    // Each client its own process, as two machines would be; live, the token is passed on.
    const env = cleanEnv(testRemoteKind() === 'motherduck' ? { motherduck_token: process.env.motherduck_token } : {});
    const syncOf = (c: string) =>
      runCli(['sync', '--local', localOf(c), '--remote', cloud.uri, '--table', cloud.tableName('items'), '--table', cloud.tableName('events'), '--json'], {
        cwd: dir,
        env: { ...env, DUCKDB_SYNC_CACHE_DIR: join(dir, `cache-${c}`) },
        timeoutMs: 180_000,
      });
    for (const c of ['a', 'b']) assert.equal((await syncOf(c)).code, 0);
    const failures: string[] = [];
    const client = async (c: 'a' | 'b', offset: number): Promise<void> => {
      for (let round = 1; round <= ROUNDS; round++) {
        await exec(
          localOf(c),
          `INSERT INTO ${items} VALUES (${offset + round}, '${c} ${round}', ${round}, [], now())`,
          `UPDATE ${items} SET price = price + 1, updated_at = now() WHERE id % 2 = ${c === 'a' ? 0 : 1} AND id <= 20`,
          `INSERT INTO ${events} VALUES ('${c}', ${round})`,
        );
        const r = await syncOf(c);
        if (r.code !== 0) failures.push(`${c} round ${round}: exit ${r.code}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
      }
    };
    await Promise.all([client('a', 1000), client('b', 2000)]);
    assert.deepEqual(failures, [], 'every sync of both clients succeeded');
    for (const c of ['a', 'b']) assert.equal((await syncOf(c)).code, 0);
    const count = async (sql: string): Promise<number> => Number((await cloud.query(sql))[0]?.n);
    assert.equal(await count(`SELECT count(*) AS n FROM ${items} WHERE id > 1000`), 2 * ROUNDS, 'every insert arrived once');
    assert.equal(await count(`SELECT count(*) AS n FROM ${items} WHERE id <= 20 AND price <> CAST(id / 4 AS DECIMAL(10, 2)) + ${ROUNDS}`), 0, 'every update of every round arrived');
    assert.equal(await count(`SELECT count(*) AS n FROM ${events} WHERE kind IN ('a', 'b')`), 2 * ROUNDS, 'each keyless append arrived exactly once');
    for (const c of ['a', 'b']) {
      for (const t of ['items', 'events']) assert.deepEqual(await query(localOf(c), `SELECT * FROM ${cloud.name(t)} ORDER BY ALL`), await s.cloudRows(t), `${c}: ${t}`);
    }
  });
});
