import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFileStamp } from '../../src/db/fileStamp.js';
import { SettledStore } from '../../src/engine/state/settledStore.js';
import { silentLogger } from '../../src/log/logger.js';
import { exec, withDuck } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';

const root = tempDir();

test('a recorded stamp holds while nothing writes the file: reads keep it, any write breaks it', async () => {
  const db = join(root, 'a.duckdb');
  await exec(db, 'CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR)', "INSERT INTO t VALUES (1, 'x')");
  const store = new SettledStore(join(root, 'cache-a'), silentLogger);
  assert.deepEqual([...store.unchangedTables(db, readFileStamp(db))], [], 'nothing recorded yet');
  store.record(db, ['t', 'u'], readFileStamp(db));
  assert.deepEqual([...store.unchangedTables(db, readFileStamp(db))].sort(), ['t', 'u']);
  // Another program opening the file and only reading it changes nothing.
  await withDuck(db, async (q) => {
    await q.all('SELECT * FROM t');
  });
  assert.deepEqual([...store.unchangedTables(db, readFileStamp(db))].sort(), ['t', 'u']);
  // An update that keeps the row's size: the DuckDB headers change at the checkpoint of its close.
  const before = readFileStamp(db);
  await exec(db, "UPDATE t SET v = 'y' WHERE id = 1");
  assert.notEqual(readFileStamp(db)?.header, before?.header);
  assert.deepEqual([...store.unchangedTables(db, readFileStamp(db))], []);
});

test('an unreadable or foreign entry counts as none', async () => {
  const db = join(root, 'b.duckdb');
  await exec(db, 'CREATE TABLE t (id INTEGER)');
  const dir = join(root, 'cache-b');
  const store = new SettledStore(dir, silentLogger);
  store.record(db, ['t'], readFileStamp(db));
  const [entry] = readdirSync(dir);
  assert.ok(entry);
  writeFileSync(join(dir, entry), '{"version":1,"path":');
  assert.deepEqual([...store.unchangedTables(db, readFileStamp(db))], []);
  writeFileSync(join(dir, entry), JSON.stringify({ version: 1, path: '/elsewhere.duckdb', stamp: readFileStamp(db), settled: ['t'] }));
  assert.deepEqual([...store.unchangedTables(db, readFileStamp(db))], []);
});

test('past 256 entries, those of deleted database files are removed', async () => {
  const dir = join(root, 'cache-c');
  const store = new SettledStore(dir, silentLogger);
  const kept = join(root, 'kept.duckdb');
  await exec(kept, 'CREATE TABLE t (id INTEGER)');
  store.record(kept, ['t'], readFileStamp(kept));
  // Entries of files deleted since (an empty file has a stamp all the same).
  const gone = Array.from({ length: 300 }, (_, i) => join(root, `gone-${i}.duckdb`));
  for (const file of gone) {
    writeFileSync(file, '');
    store.record(file, [], readFileStamp(file));
  }
  assert.equal(readdirSync(dir).length, 301, 'nothing removed while the files exist');
  for (const file of gone) rmSync(file);
  const current = join(root, 'current.duckdb');
  await exec(current, 'CREATE TABLE t (id INTEGER)');
  store.record(current, ['t'], readFileStamp(current));
  assert.equal(readdirSync(dir).length, 2);
  assert.deepEqual([...store.unchangedTables(kept, readFileStamp(kept))], ['t']);
  assert.deepEqual([...store.unchangedTables(current, readFileStamp(current))], ['t']);
});
