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
});
