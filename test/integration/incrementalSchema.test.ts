import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { counts, dump, newPair, rows, table, type Pair } from './incrementalSupport.js';

/**
 * Schema follows data (issue 3, design decision 8): added columns propagate both ways with their
 * values; dropped columns and type changes are reported, not applied; tables missing on one side
 * are created there; a table dropped on the remote is not dropped locally.
 */

const root = tempDir();

async function setUp(): Promise<Pair> {
  const p = newPair(root);
  await exec(
    p.remote,
    'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, updated_at TIMESTAMP)',
    "INSERT INTO items VALUES (1, 'a', '2024-01-01 00:00:00'), (2, 'b', '2024-01-01 00:00:00'), (3, 'c', '2024-01-01 00:00:00')",
  );
  const first = await p.sync();
  assert.equal(first.ok, true);
  return p;
}

async function columns(path: string, tableName: string): Promise<unknown> {
  return query(path, `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '${tableName}' ORDER BY column_index`);
}

test('a column added on the remote is added locally with its values; row changes on both sides still sync', async () => {
  const p = await setUp();
  await exec(p.remote, 'ALTER TABLE items ADD COLUMN price DECIMAL(8, 2)', 'UPDATE items SET price = id * 1.5', "UPDATE items SET name = 'B', updated_at = '2024-01-02 00:00:00' WHERE id = 2");
  await exec(p.local, "UPDATE items SET name = 'C' WHERE id = 3");
  const r = await p.syncOk();
  const t = table(r, 'items');
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 1, pushed: 1, deleted: 0, conflicts: 0 });
  assert.match((t.warnings ?? []).join(' '), /price/);
  const expected = [
    { id: 1, name: 'a', updated_at: '2024-01-01 00:00:00', price: '1.50' },
    { id: 2, name: 'B', updated_at: '2024-01-02 00:00:00', price: '3.00' },
    { id: 3, name: 'C', updated_at: '2024-01-01 00:00:00', price: '4.50' },
  ];
  assert.deepEqual(await rows(p.local, 'items'), expected);
  assert.deepEqual(await rows(p.remote, 'items'), expected);
  assert.deepEqual(await columns(p.local, 'items'), await columns(p.remote, 'items'));

  // The new column is now part of the baseline: changes to it sync like any other.
  await exec(p.remote, "UPDATE items SET price = 9.99, updated_at = '2024-01-03 00:00:00' WHERE id = 1");
  await exec(p.local, 'UPDATE items SET price = 0.01 WHERE id = 2');
  const r2 = await p.syncOk();
  assert.deepEqual(counts(r2, 'items'), { status: 'ok', pulled: 1, pushed: 1, deleted: 0, conflicts: 0 });
  assert.deepEqual(await query(p.local, 'SELECT id, price FROM items ORDER BY id'), [
    { id: 1, price: '9.99' },
    { id: 2, price: '0.01' },
    { id: 3, price: '4.50' },
  ]);
  assert.deepEqual(await rows(p.remote, 'items'), await rows(p.local, 'items'));
});

test('a column added locally is added on the remote with its values', async () => {
  const p = await setUp();
  await exec(p.local, 'ALTER TABLE items ADD COLUMN tags VARCHAR[]', "UPDATE items SET tags = ['t' || id, 'x'] WHERE id <> 2", "INSERT INTO items VALUES (4, 'd', '2024-01-05 00:00:00', ['new'])");
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 0, pushed: 1, deleted: 0, conflicts: 0 });
  const expected = [
    { id: 1, name: 'a', updated_at: '2024-01-01 00:00:00', tags: ['t1', 'x'] },
    { id: 2, name: 'b', updated_at: '2024-01-01 00:00:00', tags: null },
    { id: 3, name: 'c', updated_at: '2024-01-01 00:00:00', tags: ['t3', 'x'] },
    { id: 4, name: 'd', updated_at: '2024-01-05 00:00:00', tags: ['new'] },
  ];
  assert.deepEqual(await rows(p.remote, 'items', 'id'), expected);
  assert.deepEqual(await rows(p.local, 'items', 'id'), expected);
  assert.deepEqual(await columns(p.remote, 'items'), [
    { column_name: 'id', data_type: 'INTEGER' },
    { column_name: 'name', data_type: 'VARCHAR' },
    { column_name: 'updated_at', data_type: 'TIMESTAMP' },
    { column_name: 'tags', data_type: 'VARCHAR[]' },
  ]);
  const again = await p.syncOk();
  assert.deepEqual(counts(again, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
});

test('a column dropped on the remote, or a type changed, is reported (E_SCHEMA) and nothing is changed', async () => {
  for (const change of ['ALTER TABLE items DROP COLUMN name', 'ALTER TABLE items ALTER COLUMN name TYPE INTEGER USING length(name)']) {
    const p = await setUp();
    await exec(p.remote, change, "INSERT INTO items (id, updated_at) VALUES (9, '2024-02-01 00:00:00')");
    await exec(p.local, "UPDATE items SET name = 'local edit' WHERE id = 1");
    const localBefore = await dump(p.local);
    const remoteBefore = await dump(p.remote);
    const r = await p.sync({ mode: 'incremental' });
    assert.equal(r.ok, false, change);
    const t = table(r, 'items');
    assert.equal(t.status, 'error', change);
    assert.equal(t.errorCode, 'E_SCHEMA', change);
    assert.match(t.error ?? '', /name/, change);
    assert.deepEqual([t.rowsPulled, t.rowsPushed, t.rowsDeleted, t.conflicts], [0, 0, 0, 0]);
    assert.deepEqual(await dump(p.local), localBefore, `${change}: local unchanged`);
    assert.deepEqual(await dump(p.remote), remoteBefore, `${change}: remote unchanged`);
  }
});

test('a column dropped locally is reported (E_SCHEMA) and not applied to the remote, with a key or without', async () => {
  const p = await setUp();
  await exec(p.remote, 'CREATE TABLE bag (x INTEGER, y VARCHAR)', "INSERT INTO bag VALUES (1, 'a'), (1, 'a')");
  await p.syncOk();
  await exec(p.local, 'ALTER TABLE items DROP COLUMN name', 'ALTER TABLE bag DROP COLUMN y');
  const remoteBefore = await dump(p.remote);
  const localBefore = await dump(p.local);
  const r = await p.sync({ mode: 'incremental' });
  const dropped = [
    ['items', 'name'],
    ['bag', 'y'],
  ] as const;
  for (const [name, column] of dropped) {
    const t = table(r, name);
    assert.equal(t.status, 'error', name);
    assert.equal(t.errorCode, 'E_SCHEMA', `${name}: ${t.error}`);
    assert.equal(t.error, `schema change not applied: column ${column} was dropped locally`);
  }
  assert.deepEqual(await dump(p.remote), remoteBefore);
  assert.deepEqual(await dump(p.local), localBefore);
});

test('a local-only table is created on the remote (columns, types, key, rows); later changes sync incrementally', async () => {
  const p = await setUp();
  await exec(
    p.local,
    'CREATE SCHEMA app',
    "CREATE TYPE mood AS ENUM ('ok', 'sad')",
    'CREATE TABLE app.notes (note_id BIGINT PRIMARY KEY, body VARCHAR NOT NULL, m mood, meta STRUCT(a INTEGER, b VARCHAR[]))',
    "INSERT INTO app.notes VALUES (1, 'first', 'ok', {'a': 1, 'b': ['x']}), (2, 'second', NULL, NULL)",
  );
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'app.notes'), { status: 'ok', pulled: 0, pushed: 2, deleted: 0, conflicts: 0 });
  assert.deepEqual(counts(r, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
  const remoteDump = (await dump(p.remote))['app.notes'];
  assert.deepEqual(remoteDump, (await dump(p.local))['app.notes']);
  assert.deepEqual((remoteDump as { key: unknown }).key, [{ c: ['note_id'] }]);
  assert.deepEqual(await rows(p.remote, 'app.notes'), [
    { note_id: '1', body: 'first', m: 'ok', meta: { a: 1, b: ['x'] } },
    { note_id: '2', body: 'second', m: null, meta: null },
  ]);

  await exec(p.local, "UPDATE app.notes SET body = 'first!' WHERE note_id = 1", "INSERT INTO app.notes VALUES (3, 'third', 'sad', NULL)");
  await exec(p.remote, 'DELETE FROM app.notes WHERE note_id = 2');
  const r2 = await p.syncOk();
  assert.deepEqual(counts(r2, 'app.notes'), { status: 'ok', pulled: 0, pushed: 2, deleted: 1, conflicts: 0 });
  const expected = [
    { note_id: '1', body: 'first!', m: 'ok', meta: { a: 1, b: ['x'] } },
    { note_id: '3', body: 'third', m: 'sad', meta: null },
  ];
  assert.deepEqual(await rows(p.local, 'app.notes'), expected);
  assert.deepEqual(await rows(p.remote, 'app.notes'), expected);
});

test('a table new on the remote is created locally by an incremental sync; a table dropped on the remote is reported, not dropped', async () => {
  const p = await setUp();
  await exec(p.remote, 'CREATE TABLE fresh (k VARCHAR PRIMARY KEY, v DOUBLE)', "INSERT INTO fresh VALUES ('x', 1.5), ('y', NULL)");
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'fresh'), { status: 'ok', pulled: 2, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await rows(p.local, 'fresh'), [
    { k: 'x', v: 1.5 },
    { k: 'y', v: null },
  ]);
  assert.deepEqual((await dump(p.local))['main.fresh'], (await dump(p.remote))['main.fresh']);

  await exec(p.remote, 'DROP TABLE fresh');
  const r2 = await p.sync({ mode: 'incremental' });
  assert.equal(r2.ok, false);
  assert.equal(table(r2, 'fresh').status, 'error');
  assert.equal(table(r2, 'fresh').errorCode, 'E_DROPPED');
  assert.equal(table(r2, 'items').status, 'ok');
  assert.deepEqual(await rows(p.local, 'fresh'), [
    { k: 'x', v: 1.5 },
    { k: 'y', v: null },
  ]);
  assert.equal((await dump(p.remote))['main.fresh'], undefined, 'not re-created on the remote');
});

test('a full sync keeps the values of a column added locally, and adds the column on the remote', async () => {
  const p = await setUp();
  await exec(p.local, 'ALTER TABLE items ADD COLUMN note VARCHAR', "UPDATE items SET note = 'note ' || id WHERE id >= 2");
  const r = await p.sync({ mode: 'full' });
  assert.equal(r.ok, true, JSON.stringify(r.tables));
  assert.equal(table(r, 'items').conflicts, 0);
  const expected = [
    { id: 1, name: 'a', updated_at: '2024-01-01 00:00:00', note: null },
    { id: 2, name: 'b', updated_at: '2024-01-01 00:00:00', note: 'note 2' },
    { id: 3, name: 'c', updated_at: '2024-01-01 00:00:00', note: 'note 3' },
  ];
  assert.deepEqual(await rows(p.local, 'items'), expected);
  assert.deepEqual(await rows(p.remote, 'items'), expected);
  await p.verifyOk();
});

test('a full pull-only sync keeps the values of a column only the local side has; a later two-way sync adds it on the remote', async () => {
  const p = await setUp();
  await exec(p.local, 'ALTER TABLE items ADD COLUMN note VARCHAR', "UPDATE items SET note = 'keep ' || id");
  await exec(p.remote, "UPDATE items SET name = 'B', updated_at = '2024-01-02 00:00:00' WHERE id = 2", 'DELETE FROM items WHERE id = 3');
  const remoteBefore = await dump(p.remote);
  const r = await p.sync({ mode: 'full', direction: 'pull' });
  assert.equal(r.ok, true, JSON.stringify(r.tables));
  assert.deepEqual(await dump(p.remote), remoteBefore);
  assert.deepEqual(await rows(p.local, 'items'), [
    { id: 1, name: 'a', updated_at: '2024-01-01 00:00:00', note: 'keep 1' },
    { id: 2, name: 'B', updated_at: '2024-01-02 00:00:00', note: 'keep 2' },
  ]);
  const r2 = await p.syncOk();
  assert.deepEqual(counts(r2, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await rows(p.remote, 'items'), [
    { id: 1, name: 'a', updated_at: '2024-01-01 00:00:00', note: 'keep 1' },
    { id: 2, name: 'B', updated_at: '2024-01-02 00:00:00', note: 'keep 2' },
  ]);
});
