import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SyncOptions } from '../../src/run/sync.js';
import type { Logger } from '../../src/log/logger.js';
import { exec } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { conflictRows, counts, newPair, rows, type Pair } from './incrementalSupport.js';

/**
 * A local file exactly as the last sync left it (same stamp: inode, size, times, DuckDB headers,
 * no WAL) has no local change in the tables that sync settled: they are not compared with their
 * baselines. Every other case must still find every local change.
 */

const root = tempDir();
const WRITE_AND_DIE = fileURLToPath(new URL('../fixtures/writeAndDie.mjs', import.meta.url));

const ITEMS = 'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, qty INTEGER, updated_at TIMESTAMP)';
const ITEMS_ROWS = "INSERT INTO items SELECT i, 'n' || i, i, TIMESTAMP '2024-03-01 10:00:00' FROM range(1, 101) t(i)";

/** A sync that records which tables were not compared (from the debug log). */
async function syncSeeing(p: Pair, options: SyncOptions = {}): Promise<{ notCompared: string[]; result: Awaited<ReturnType<Pair['sync']>> }> {
  const notCompared: string[] = [];
  const logger: Logger = {
    debug: (m) => {
      const hit = /^(\S+): not compared with its baseline/.exec(m);
      if (hit?.[1]) notCompared.push(hit[1]);
    },
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };
  const result = await p.syncOk({ logger, ...options });
  return { notCompared, result };
}

async function syncedPair(): Promise<Pair> {
  const p = newPair(root);
  await exec(p.remote, ITEMS, ITEMS_ROWS, 'CREATE TABLE tags (tag VARCHAR)', "INSERT INTO tags VALUES ('a'), ('a'), ('b')");
  await p.syncOk();
  return p;
}

test('a local file the last sync left as it is: its tables are not compared, remote changes still arrive', async () => {
  const p = await syncedPair();
  await exec(p.remote, "UPDATE items SET qty = 1000 WHERE id = 7", 'DELETE FROM items WHERE id = 8', "INSERT INTO tags VALUES ('c')");
  const { notCompared, result } = await syncSeeing(p);
  // With a key or without (tags: its rows' counts are taken from the baseline).
  assert.deepEqual(notCompared, ['items', 'tags']);
  assert.deepEqual(counts(result, 'items'), { status: 'ok', pulled: 1, pushed: 0, deleted: 1, conflicts: 0 });
  assert.deepEqual(counts(result, 'tags'), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 0 });
  // Still settled after that sync: the next one skips the comparison again.
  assert.deepEqual((await syncSeeing(p)).notCompared, ['items', 'tags']);
});

test('a write by another program right after a sync is found, whatever it changed', async () => {
  for (const sql of ["UPDATE items SET qty = qty + 1 WHERE id = 3", "INSERT INTO items VALUES (500, 'new', 1, NULL)", 'DELETE FROM items WHERE id = 4']) {
    const p = await syncedPair();
    await exec(p.local, sql);
    const { notCompared, result } = await syncSeeing(p);
    assert.deepEqual(notCompared, [], sql);
    const c = counts(result, 'items');
    assert.equal(c.pushed + c.deleted, 1, `${sql}: ${JSON.stringify(c)}`);
    assert.deepEqual(await rows(p.remote, 'items'), await rows(p.local, 'items'), sql);
  }
});

test('a write left in the WAL by a program that died is found', async () => {
  const p = await syncedPair();
  const child = spawnSync(process.execPath, [WRITE_AND_DIE, p.local, "UPDATE items SET name = 'from a dead writer' WHERE id = 9"], { encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  assert.ok(existsSync(`${p.local}.wal`), 'the write is in the WAL');
  const { notCompared, result } = await syncSeeing(p);
  assert.deepEqual(notCompared, []);
  assert.deepEqual(counts(result, 'items'), { status: 'ok', pulled: 0, pushed: 1, deleted: 0, conflicts: 0 });
  assert.deepEqual(await rows(p.remote, 'items WHERE id = 9'), [{ id: 9, name: 'from a dead writer', qty: 9, updated_at: '2024-03-01 10:00:00' }]);
});

test('local changes a pull-only sync left behind are pushed by the next sync, though the file did not change since', async () => {
  const p = await syncedPair();
  await exec(p.local, "UPDATE items SET name = 'kept locally' WHERE id = 2");
  const pulled = await syncSeeing(p, { direction: 'pull' });
  assert.deepEqual(counts(pulled.result, 'items'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
  const next = await syncSeeing(p);
  assert.deepEqual(next.notCompared, ['tags'], 'items is not settled: it still had a local change');
  assert.deepEqual(counts(next.result, 'items'), { status: 'ok', pulled: 0, pushed: 1, deleted: 0, conflicts: 0 });
  assert.deepEqual(await rows(p.remote, 'items WHERE id = 2'), [{ id: 2, name: 'kept locally', qty: 2, updated_at: '2024-03-01 10:00:00' }]);
});

test('a conflict left by the fail policy is found again by the next sync', async () => {
  const p = await syncedPair();
  await exec(p.local, "UPDATE items SET name = 'local' WHERE id = 5");
  await exec(p.remote, "UPDATE items SET name = 'remote' WHERE id = 5");
  const failed = await p.sync({ mode: 'incremental', onConflict: 'fail' });
  assert.equal(counts(failed, 'items').status, 'error');
  const { notCompared, result } = await syncSeeing(p);
  assert.deepEqual(notCompared, ['tags'], 'items is not settled: it failed');
  assert.deepEqual(counts(result, 'items'), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 1 });
  const [conflict] = await conflictRows(p.local);
  assert.deepEqual([conflict?.key_json, (conflict?.local_version as { name: string }).name, (conflict?.remote_version as { name: string }).name], ['{"id":5}', 'local', 'remote']);
});

test('a local file replaced by an older copy is compared in full', async () => {
  const p = await syncedPair();
  const older = join(p.dir, 'older.duckdb');
  copyFileSync(p.local, older);
  await exec(p.remote, "UPDATE items SET qty = 77 WHERE id = 11");
  await syncSeeing(p);
  // The user restores the copy taken before that sync, then edits it.
  copyFileSync(older, p.local);
  await exec(p.local, "UPDATE items SET qty = 1200 WHERE id = 12");
  const { notCompared, result } = await syncSeeing(p);
  assert.deepEqual(notCompared, []);
  assert.deepEqual(counts(result, 'items'), { status: 'ok', pulled: 1, pushed: 1, deleted: 0, conflicts: 0 });
});

test('compareAll, a table left out of a sync, and a lost cache entry', async () => {
  const p = await syncedPair();
  assert.deepEqual((await syncSeeing(p, { compareAll: true })).notCompared, []);
  // Settled by the compareAll sync; a sync of another table leaves it settled.
  assert.deepEqual((await syncSeeing(p, { tables: ['tags'] })).notCompared, ['tags']);
  assert.deepEqual((await syncSeeing(p)).notCompared, ['items', 'tags']);
  // The cache is only a shortcut: without it every table is compared.
  for (const f of readdirSync(join(p.dir, 'cache'))) rmSync(join(p.dir, 'cache', f));
  assert.deepEqual((await syncSeeing(p)).notCompared, []);
  assert.deepEqual((await syncSeeing(p)).notCompared, ['items', 'tags']);
});
