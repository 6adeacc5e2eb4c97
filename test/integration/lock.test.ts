import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { openSyncedDatabase } from '../../src/tracking/syncedDatabase.js';
import { LockError } from '../../src/errors.js';
import { exec, query } from '../helpers/duck.js';
import { holdFile } from '../helpers/holdFile.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/** A DuckDB file held by another process: retried, then a LockError naming the file and that process's PID. */

const dir = tempDir();
/** A remote file held by another process is the file remote's case: MotherDuck (and its emulator) has no file lock to wait for. */
const fileOnly = { skip: testRemoteKind() !== 'file' && 'a remote file locked by another process is a file remote matter (MotherDuck has no file lock)' };

test('a remote held by another process: LockError with its file and PID after the retries', fileOnly, async () => {
  const remote = join(dir, 'held-remote.duckdb');
  const local = join(dir, 'local-1.duckdb');
  await exec(remote, 'CREATE TABLE t (id INTEGER)', 'INSERT INTO t VALUES (1)');
  const holder = holdFile(remote);
  await holder.ready;
  try {
    const started = performance.now();
    await assert.rejects(sync({ local, remote, env: {}, cwd: dir, maxRetries: 2, retryDelayMs: 20 }), (e: unknown) => {
      assert.ok(e instanceof LockError, `expected LockError, got ${String(e)}`);
      assert.equal(e.file, remote);
      assert.equal(e.pid, holder.pid);
      assert.match(e.message, new RegExp(`PID ${holder.pid}`));
      assert.equal(e.transient, true);
      return true;
    });
    // Two retries: at least 10 + 20 ms of waiting (jitter ≥ 50%).
    assert.ok(performance.now() - started >= 25);
    assert.equal(existsSync(local), false, 'the local file opened for nothing is removed again');
  } finally {
    await holder.release();
  }
  // Released: the same sync now works.
  const r = await sync({ local, remote, env: {}, cwd: dir, maxRetries: 0 });
  assert.equal(r.ok, true);
});

test('a lock that clears while retrying: the sync goes through', fileOnly, async () => {
  const remote = join(dir, 'briefly-held.duckdb');
  const local = join(dir, 'local-2.duckdb');
  await exec(remote, 'CREATE TABLE t (id INTEGER)', 'INSERT INTO t VALUES (1), (2)');
  await holdFile(remote, 600).ready;
  const retries: string[] = [];
  const logger = { debug: (m: string) => void (/retry/.test(m) && retries.push(m)), info: () => undefined, warn: () => undefined, error: () => undefined };
  const r = await sync({ local, remote, env: {}, cwd: dir, maxRetries: 8, retryDelayMs: 100, logger });
  assert.equal(r.ok, true);
  assert.ok(retries.length >= 1, 'the lock was met and retried');
  assert.match(retries[0] ?? '', /PID \d+/);
  assert.deepEqual(await query(local, 'SELECT count(*) AS n FROM t'), [{ n: '2' }]);
});

test('a local file held by another process: LockError naming the local file', async () => {
  const remote = join(dir, 'free-remote.duckdb');
  const local = join(dir, 'held-local.duckdb');
  await exec(remote, 'CREATE TABLE t (id INTEGER)');
  await exec(local, 'CREATE TABLE mine (x INTEGER)');
  const holder = holdFile(local);
  await holder.ready;
  try {
    await assert.rejects(
      sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, maxRetries: 1, retryDelayMs: 10 }),
      (e: unknown) => e instanceof LockError && e.file === local && e.pid === holder.pid,
    );
  } finally {
    await holder.release();
  }
  assert.deepEqual(await query(local, "SELECT table_name FROM duckdb_tables() ORDER BY 1"), [{ table_name: 'mine' }], 'the existing local file is untouched');
});

/** Whether another process can open the file read-write now (DuckDB's lock refuses it while one holds it). */
function anotherProcessOpens(path: string): boolean {
  const script = `const { DuckDBInstance } = require('@duckdb/node-api');
    DuckDBInstance.create(${JSON.stringify(path)}).then((i) => { i.closeSync(); console.log('opened'); }, (e) => console.log(String(e)));`;
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: process.cwd() }).stdout;
  assert.match(out, /opened|Could not set lock/, out);
  return out.includes('opened');
}

test('an open synced database keeps its local file locked: reading the file\'s stamp never drops DuckDB\'s lock', async () => {
  // Closing any descriptor of a file drops every POSIX lock the process holds on it: the stamp
  // read at open and at close (settledStore.ts) once let other processes write the file meanwhile.
  const remote = join(dir, 'stamp-remote.duckdb');
  const local = join(dir, 'stamp-local.duckdb');
  await exec(remote, 'CREATE TABLE t (id INTEGER PRIMARY KEY)', 'INSERT INTO t VALUES (1)');
  await sync({ local, remote: remoteUri(remote), env: { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') }, cwd: dir });
  const db = await openSyncedDatabase({ local, remote: remoteUri(remote), env: { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') }, cwd: dir, autoSync: false });
  try {
    await db.run('INSERT INTO t VALUES (2)');
    await db.flush();
    assert.equal(anotherProcessOpens(local), false, 'the local file is still locked after open and a push');
  } finally {
    await db.close();
  }
  assert.equal(anotherProcessOpens(local), true, 'released by close()');
  assert.deepEqual(await query(local, 'SELECT count(*)::INTEGER AS n FROM t'), [{ n: 2 }]);
});

test('failIfLocalHeld: a held local file fails at once, whatever maxRetries says', async () => {
  const remote = join(dir, 'held-local-remote.duckdb');
  const local = join(dir, 'held-local.duckdb');
  await exec(remote, 'CREATE TABLE t (id INTEGER PRIMARY KEY)');
  await exec(local, 'CREATE TABLE other (id INTEGER)');
  const holder = holdFile(local);
  await holder.ready;
  try {
    const started = performance.now();
    // With 8 retries from 500 ms the wait would last minutes.
    await assert.rejects(sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, maxRetries: 8, retryDelayMs: 500, failIfLocalHeld: true }), (e: unknown) => e instanceof LockError && e.file === local && e.pid === holder.pid);
    assert.ok(performance.now() - started < 5000, 'no retries');
  } finally {
    await holder.release();
  }
});
