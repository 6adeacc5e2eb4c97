import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { status } from '../../src/run/status.js';
import { sync } from '../../src/run/sync.js';
import { LockError, PushError, SyncError, UsageError } from '../../src/errors.js';
import { openSyncedDatabase, type SyncedDatabase, type SyncedDatabaseOptions } from '../../src/tracking/syncedDatabase.js';
import { exec, query } from '../helpers/duck.js';
import { holdFile } from '../helpers/holdFile.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import type { SyncResult } from '../../src/engine/api.js';

/**
 * The library (issue 4): writes through run() are marked dirty durably and pushed (flush, in the
 * background, at the next start or the next sync); reads never push; the cloud being busy never
 * fails the application's write.
 */

const root = tempDir();
const WRITER = fileURLToPath(new URL('../fixtures/libraryWriter.mjs', import.meta.url));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

let counter = 0;

/** The emulator, as MotherDuck, stays attached for the whole session: these are the file remote's own matters. */
const fileOnly = (reason: string): { skip: string | false } => ({ skip: testRemoteKind() !== 'file' && reason });

/** A remote with two keyed tables, and a local path (not created yet). */
async function newFiles(): Promise<{ dir: string; local: string; remote: string }> {
  const dir = join(root, `c${++counter}`);
  await exec(join(root, 'mkdir.duckdb'), `SELECT 1`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  const remote = join(dir, 'remote.duckdb');
  await exec(
    remote,
    'CREATE TABLE emails (id INTEGER PRIMARY KEY, subject VARCHAR)',
    "INSERT INTO emails VALUES (1, 'hello'), (2, 'world')",
    'CREATE TABLE contacts (id INTEGER PRIMARY KEY, name VARCHAR)',
    "INSERT INTO contacts VALUES (1, 'Ana')",
  );
  return { dir, local: join(dir, 'local.duckdb'), remote };
}

async function open(files: { dir: string; local: string; remote: string }, options: SyncedDatabaseOptions = {}): Promise<SyncedDatabase> {
  return openSyncedDatabase({ local: files.local, remote: remoteUri(files.remote), cwd: files.dir, env: {}, debounceMs: 50, ...options });
}

const rows = (path: string, table: string): Promise<Array<Record<string, unknown>>> => query(path, `SELECT * FROM ${table} ORDER BY ALL`);

async function marks(db: SyncedDatabase): Promise<string[]> {
  return (await db.all<{ table_name: string }>('SELECT table_name FROM _duckdb_sync.dirty ORDER BY seq')).map((r) => r.table_name);
}

function nextEvent<T>(db: SyncedDatabase, event: 'push' | 'error', timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event within ${timeoutMs} ms`)), timeoutMs);
    db.once(event, (value: unknown) => {
      clearTimeout(timer);
      resolve(value as T);
    });
  });
}

test('first open pulls the remote; writes are marked, and flush() puts them on the remote and clears the marks', async () => {
  const files = await newFiles();
  const db = await open(files, { autoSync: false });
  try {
    assert.deepEqual(await db.all('SELECT count(*)::INTEGER AS n FROM emails'), [{ n: 2 }]);
    assert.equal(await db.run('INSERT INTO emails VALUES ($1, $2)', [3, 'new']), 1);
    await db.run("UPDATE emails SET subject = 'changed' WHERE id = 1");
    await db.run('DELETE FROM emails WHERE id = 2');
    assert.deepEqual(await marks(db), ['emails'], 'one mark for a burst of writes to one table');
    const result = await db.flush();
    assert.deepEqual(
      result.tables.map((t) => [t.name, t.status]),
      [['emails', 'ok']],
      'only the written table is pushed',
    );
    assert.deepEqual(await marks(db), []);
    assert.deepEqual(await db.all('SELECT mode FROM dewey_sync_status'), [{ mode: 'full' }], 'pushes are not run records; the first sync is');
    assert.deepEqual(await db.all('SELECT rows_pushed::INTEGER AS n FROM dewey_sync_metadata WHERE table_name = $1', ['emails']), [{ n: 2 }]);
  } finally {
    await db.close();
  }
  assert.deepEqual(await rows(files.remote, 'emails'), [
    { id: 1, subject: 'changed' },
    { id: 3, subject: 'new' },
  ]);
});

test('memoryLimit reaches DuckDB: 600MB by default (auto), the given size, the start of auto:<size>, or DuckDB\'s own with "default"', async () => {
  const limit = async (memoryLimit?: string): Promise<string> => {
    const files = await newFiles();
    const db = await open(files, memoryLimit ? { memoryLimit } : {});
    try {
      const [row] = await db.all<{ m: string }>("SELECT current_setting('memory_limit') AS m");
      return String(row?.m);
    } finally {
      await db.close();
    }
  };
  assert.match(await limit(), /^(572\.2 MiB|600\.0 MB)$/);
  assert.match(await limit('300MB'), /^(286\.1 MiB|300\.0 MB)$/);
  assert.match(await limit('auto:300MB'), /^(286\.1 MiB|300\.0 MB)$/);
  assert.doesNotMatch(await limit('default'), /^(572\.2 MiB|600\.0 MB)$/);
});

test('reads never mark or push; a rolled-back transaction leaves no mark; a committed one does', async () => {
  const files = await newFiles();
  const db = await open(files, { autoSync: false });
  try {
    let pushes = 0;
    db.on('push', () => pushes++);
    await db.all('SELECT * FROM emails');
    await db.all('WITH x AS (SELECT * FROM emails) SELECT count(*) FROM x');
    await db.run("COPY emails TO '" + join(files.dir, 'out.csv') + "'");
    await db.all('DESCRIBE emails');
    await db.run('CREATE TEMP TABLE scratch AS SELECT * FROM emails');
    await db.run('INSERT INTO scratch VALUES (9, $$temp$$)');
    assert.deepEqual(await marks(db), []);
    assert.deepEqual((await db.flush()).tables, []);
    assert.equal(pushes, 0);

    await db.run('BEGIN TRANSACTION');
    await db.run("INSERT INTO contacts VALUES (2, 'Ben')");
    await db.run('ROLLBACK');
    assert.deepEqual(await marks(db), []);

    await db.run("BEGIN; INSERT INTO contacts VALUES (3, 'Chloé'); UPDATE emails SET subject = 'tx' WHERE id = 2; COMMIT");
    assert.deepEqual((await marks(db)).sort(), ['contacts', 'emails']);
    await db.flush();
  } finally {
    await db.close();
  }
  assert.deepEqual(await rows(files.remote, 'contacts'), [
    { id: 1, name: 'Ana' },
    { id: 3, name: 'Chloé' },
  ]);
  assert.deepEqual((await rows(files.remote, 'emails'))[1], { id: 2, subject: 'tx' });
});

test('without flush(): the background push sends a burst of writes in one push within seconds', async () => {
  const files = await newFiles();
  const db = await open(files, { debounceMs: 200 });
  try {
    const pushed = nextEvent<SyncResult>(db, 'push');
    for (let i = 10; i < 30; i++) await db.run('INSERT INTO emails VALUES ($1, $2)', [i, `burst ${i}`]);
    const result = await pushed;
    assert.deepEqual(result.tables.map((t) => [t.name, t.rowsPushed]), [['emails', 20]], 'one push for the burst');
    assert.deepEqual(await marks(db), []);
  } finally {
    await db.close();
  }
  assert.equal((await rows(files.remote, 'emails')).length, 22);
});

test('a steady writer that never pauses for debounceMs is still pushed, at least every maxPushDelayMs, for 30 s', async (t) => {
  const files = await newFiles();
  // Writes every 250 ms never leave the 1 s of quiet the debounce waits for: only the ceiling pushes.
  const db = await open(files, { debounceMs: 1000, maxPushDelayMs: 1500 });
  const pushes: Array<{ at: number; result: SyncResult }> = [];
  db.on('push', (result) => pushes.push({ at: Date.now(), result }));
  const started = Date.now();
  let written = 0;
  try {
    while (Date.now() - started < 30_000) {
      await db.run('INSERT INTO emails VALUES ($1, $2)', [1000 + written, `steady ${written}`]);
      written++;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // A push starts at most 1.5 s after the first write it takes; it ends with its own duration. The
    // loose bound (one ceiling, the push itself and a margin for this busy machine) is no timing assertion.
    const ends = [started, ...pushes.map((p) => p.at)];
    const gaps = ends.slice(1).map((at, i) => at - (ends[i] as number));
    t.diagnostic(`${pushes.length} pushes in 30 s; longest gap between pushes ${Math.max(...gaps)} ms`);
    assert.ok(pushes.length >= 8, `pushes while writing steadily for 30 s: ${pushes.length}`);
    assert.ok(pushes.every((p) => p.result.ok));
  } finally {
    await db.close();
  }
  assert.equal((await rows(files.remote, 'emails')).length, 2 + written);
});

test('bad delays (debounceMs, maxPushDelayMs, pushRetryMs) are refused before anything is opened', async () => {
  const files = await newFiles();
  for (const bad of [{ maxPushDelayMs: -1 }, { debounceMs: 1.5 }, { pushRetryMs: Number.NaN }, { maxPushDelayMs: 100_000_000 }]) {
    const name = Object.keys(bad)[0] as string;
    await assert.rejects(open(files, bad), (e: unknown) => e instanceof UsageError && e.message.startsWith(`invalid ${name}:`) && e.exitCode === 2, name);
  }
  const { existsSync } = await import('node:fs');
  assert.equal(existsSync(files.local), false, 'the local file is not created');
});

test('a table created, and statements whose target cannot be told (EXECUTE), are pushed', async () => {
  const files = await newFiles();
  const db = await open(files, { autoSync: false });
  try {
    await db.run('CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR); INSERT INTO notes VALUES (1, $$n$$)');
    await db.run('PREPARE add_contact AS INSERT INTO contacts VALUES ($1, $2)');
    await db.run("EXECUTE add_contact(7, 'Grace')");
    assert.ok((await marks(db)).includes('*'), 'an EXECUTE marks every table');
    const result = await db.flush();
    assert.deepEqual(result.tables.map((t) => t.name).sort(), ['contacts', 'emails', 'notes']);
  } finally {
    await db.close();
  }
  assert.deepEqual(await rows(files.remote, 'notes'), [{ id: 1, body: 'n' }]);
  assert.deepEqual((await rows(files.remote, 'contacts')).at(-1), { id: 7, name: 'Grace' });
});

test('after a push the file remote keeps its WAL (no checkpoint), until the WAL outgrows 1 MiB', fileOnly('the WAL left at detach is a file remote matter (the emulator stays attached and never checkpoints)'), async () => {
  const files = await newFiles();
  const db = await open(files, { autoSync: false });
  const { existsSync, statSync } = await import('node:fs');
  const wal = `${files.remote}.wal`;
  try {
    await db.run("INSERT INTO emails VALUES (500, 'small')");
    await db.flush();
    assert.ok(existsSync(wal) && statSync(wal).size > 0, 'a small push leaves the WAL');
    // ~1.7 MiB of rows: under DuckDB's own threshold for writing straight to the file, so they go to the WAL.
    await db.run("INSERT INTO emails SELECT 1000 + i, repeat('x', 60) || i FROM range(25000) t(i)");
    await db.flush();
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'a push taking the WAL past 1 MiB checkpoints it when it detaches');
    await db.run("INSERT INTO emails VALUES (501, 'after')");
    await db.flush();
    assert.ok(existsSync(wal) && statSync(wal).size > 0, 'small pushes leave the WAL again');
  } finally {
    await db.close();
  }
  assert.equal((await query(files.remote, 'SELECT count(*)::INTEGER AS n FROM emails'))[0]?.n, 25_004);
});

test('writes made during a push are picked up by the next one', async () => {
  const files = await newFiles();
  const db = await open(files, { autoSync: false });
  try {
    await db.run("INSERT INTO emails VALUES (100, 'first')");
    const first = db.flush();
    await db.run("INSERT INTO emails VALUES (101, 'during')");
    await first;
    await db.flush();
    assert.deepEqual(await marks(db), []);
  } finally {
    await db.close();
  }
  const ids = (await rows(files.remote, 'emails')).map((r) => r.id);
  assert.deepEqual(ids, [1, 2, 100, 101]);
});

/**
 * Writes (autocommit, deletes, transactions) while a push starts as soon as a write is seen: every
 * write lands somewhere in a push (before it reads the marks, between the marks and the comparison,
 * during it, after it compared), where once a key taken before the marks were read was settled
 * without being compared, and a row written again during a push moved the baseline to the new
 * version although the push had sent the old one. Returns the ids the remote should hold.
 */
async function raceWritesWithPushes(files: { dir: string; local: string; remote: string }, options: SyncedDatabaseOptions): Promise<number[]> {
  const db = await open(files, { debounceMs: 0, maxPushDelayMs: 0, ...options });
  const expected = new Set([1, 2]);
  try {
    for (let i = 1000; i < 1150; i++) {
      if (i % 10 === 0) {
        await db.run('BEGIN');
        await db.run('INSERT INTO emails VALUES ($1, $2)', [i, `tx ${i}`]);
        await db.run('INSERT INTO emails VALUES ($1, $2)', [i + 10_000, `tx ${i}`]);
        await db.run('COMMIT');
        expected.add(i).add(i + 10_000);
      } else if (i % 7 === 0) {
        await db.run('DELETE FROM emails WHERE id = $1', [i - 1]);
        expected.delete(i - 1);
      } else {
        await db.run('INSERT INTO emails VALUES ($1, $2)', [i, `steady ${i}`]);
        expected.add(i);
      }
      if (i % 3 === 0) await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 5)));
    }
  } finally {
    await db.close();
  }
  return [...expected].sort((a, b) => a - b);
}

test('writes racing continuous background pushes (autocommit, deletes, transactions) all reach the cloud by close()', async () => {
  const files = await newFiles();
  const expected = await raceWritesWithPushes(files, {});
  assert.deepEqual((await rows(files.remote, 'emails')).map((r) => Number(r.id)), expected);
});

test('the same race with canonical fingerprints (a MotherDuck server that hashes otherwise): the baseline takes the versions pushed', { skip: testRemoteKind() !== 'mdemu' && 'canonical fingerprints are a MotherDuck matter' }, async () => {
  const files = await newFiles();
  const expected = await raceWritesWithPushes(files, { fingerprints: 'canonical' });
  assert.deepEqual((await rows(files.remote, 'emails')).map((r) => Number(r.id)), expected);
});

test('writes through the raw connection are found by the next sync(), which compares with the baseline', async () => {
  const files = await newFiles();
  const db = await open(files, { autoSync: false });
  try {
    await db.connection.run("INSERT INTO contacts VALUES (50, 'raw')");
    assert.deepEqual(await marks(db), [], 'the raw connection is not tracked');
    const result = await db.sync();
    assert.equal(result.ok, true);
    assert.equal(result.tables.find((t) => t.name === 'contacts')?.rowsPushed, 1);
  } finally {
    await db.close();
  }
  assert.deepEqual((await rows(files.remote, 'contacts')).at(-1), { id: 50, name: 'raw' });
});

test('bad input: parameters with several statements, an SQL error, a closed database; nothing is marked', async () => {
  const files = await newFiles();
  const db = await open(files, { autoSync: false });
  await assert.rejects(db.run('INSERT INTO emails VALUES ($1, $2); SELECT 1', [5, 'x']), UsageError);
  await assert.rejects(db.run("INSERT INTO emails VALUES (1, 'duplicate key')"), (e: unknown) => e instanceof SyncError && /Constraint|PRIMARY KEY|duplicate/i.test(e.message));
  await assert.rejects(db.run('INSERT INTO no_such_table VALUES (1)'), SyncError);
  assert.deepEqual(await marks(db), []);
  await db.close();
  await assert.rejects(db.run('SELECT 1'), (e: unknown) => e instanceof SyncError && /closed/.test(e.message));
  await db.close();
});

test('the cloud held by another process: the write returns, flush() rejects, the error event fires, and the change arrives once it is free', fileOnly('a remote file locked by another process is a file remote matter (MotherDuck has no file lock)'), async () => {
  const files = await newFiles();
  const db = await open(files, { maxRetries: 0, retryDelayMs: 10, pushRetryMs: 200, debounceMs: 20 });
  const errors: SyncError[] = [];
  db.on('error', (e) => errors.push(e));
  const holder = holdFile(files.remote);
  await holder.ready;
  try {
    await db.run("INSERT INTO emails VALUES (200, 'while busy')");
    assert.deepEqual(await db.all('SELECT subject FROM emails WHERE id = 200'), [{ subject: 'while busy' }], 'the local write is done');
    await assert.rejects(db.flush(), (e: unknown) => e instanceof LockError || e instanceof PushError);
    assert.ok(errors.length >= 1, 'the error event fired');
    assert.deepEqual(await marks(db), ['emails'], 'the table stays dirty');
    const pushed = nextEvent<SyncResult>(db, 'push', 30_000);
    await holder.release();
    await pushed;
    assert.deepEqual(await marks(db), []);
  } finally {
    await db.close();
  }
  assert.deepEqual((await rows(files.remote, 'emails')).at(-1), { id: 200, subject: 'while busy' });
});

test('an error without an error listener reaches only the logger (the application does not crash)', fileOnly('the error here is another process locking the remote file, a file remote matter'), async () => {
  const files = await newFiles();
  const logged: string[] = [];
  const logger = { debug: () => undefined, info: () => undefined, warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };
  const db = await open(files, { maxRetries: 0, retryDelayMs: 10, pushRetryMs: 60_000, debounceMs: 10, logger });
  const holder = holdFile(files.remote);
  await holder.ready;
  try {
    await db.run("INSERT INTO emails VALUES (300, 'x')");
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(logged.some((m) => /lock/i.test(m)), `logged: ${logged.join(' | ')}`);
  } finally {
    await holder.release();
    await db.close();
  }
  assert.deepEqual((await rows(files.remote, 'emails')).at(-1), { id: 300, subject: 'x' }, 'close() flushed');
});

/** Runs the writer fixture (the built library in an application process of its own). */
function startWriter(spec: Record<string, unknown>): { child: ChildProcess; lines: string[]; waitFor: (prefix: string, timeoutMs?: number) => Promise<string> } {
  const child = spawn(process.execPath, [WRITER, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  const waiters: Array<{ prefix: string; resolve: (line: string) => void }> = [];
  let buffer = '';
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => line.startsWith(x.prefix))) w.resolve(line);
    }
  });
  const waitFor = (prefix: string, timeoutMs = 20_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const seen = lines.find((l) => l.startsWith(prefix));
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`writer: no "${prefix}" within ${timeoutMs} ms; got ${JSON.stringify(lines)}`)), timeoutMs);
      child.on('exit', (code, signal) => reject(new Error(`writer exited (${code ?? signal}) before "${prefix}"; got ${JSON.stringify(lines)}`)));
      waiters.push({
        prefix,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  return { child, lines, waitFor };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

test('in an application process that stays alive, writes reach the cloud file within seconds without flush()', async () => {
  const files = await newFiles();
  await sync({ local: files.local, remote: remoteUri(files.remote), cwd: files.dir, env: {} });
  const writer = startWriter({ local: files.local, remote: remoteUri(files.remote), cwd: files.dir, statements: ["INSERT INTO emails VALUES (400, 'background')"], autoSync: true, debounceMs: 100 });
  await writer.waitFor('written');
  await writer.waitFor('pushed emails');
  // The file remote is detached between pushes: readable while the application is still running.
  // The emulator stays attached for the application's session (as MotherDuck does): it is read once
  // the application closed without a flush, so the row there is the background push's.
  const readWhileRunning = testRemoteKind() === 'file';
  if (readWhileRunning) assert.deepEqual((await rows(files.remote, 'emails')).at(-1), { id: 400, subject: 'background' });
  writer.child.stdin?.end();
  await new Promise((r) => writer.child.on('exit', r));
  if (!readWhileRunning) assert.deepEqual((await rows(files.remote, 'emails')).at(-1), { id: 400, subject: 'background' });
});

test('a write acknowledged just before SIGKILL reaches the cloud at the next start, and at the next `sync`', async () => {
  for (const next of ['start', 'sync'] as const) {
    const files = await newFiles();
    await sync({ local: files.local, remote: remoteUri(files.remote), cwd: files.dir, env: {} });
    // No background push: the process dies with the change only in the local file (and its mark).
    const writer = startWriter({
      local: files.local,
      remote: remoteUri(files.remote),
      cwd: files.dir,
      statements: ["UPDATE emails SET subject = 'acknowledged' WHERE id = 2", "INSERT INTO contacts VALUES (9, 'Ines')"],
      autoSync: false,
    });
    await writer.waitFor('written');
    await killed(writer.child);
    assert.equal((await rows(files.remote, 'emails'))[1]?.subject, 'world', 'not pushed before the kill');
    assert.deepEqual((await status({ local: files.local, cwd: files.dir, env: {} })).pending.sort(), ['contacts', 'emails'], 'status shows the tables waiting');
    if (next === 'start') {
      const db = await open(files, { debounceMs: 10 });
      const pushed = nextEvent<SyncResult>(db, 'push');
      const result = await pushed;
      assert.deepEqual(result.tables.map((t) => t.name).sort(), ['contacts', 'emails'], 'the marked tables are pushed at start');
      await db.close();
    } else {
      const result = await sync({ local: files.local, remote: remoteUri(files.remote), cwd: files.dir, env: {}, mode: 'incremental' });
      assert.equal(result.ok, true);
      assert.deepEqual(await query(files.local, 'SELECT count(*)::INTEGER AS n FROM _duckdb_sync.dirty'), [{ n: 0 }], 'the sync settled the marks');
    }
    assert.equal((await rows(files.remote, 'emails'))[1]?.subject, 'acknowledged', `after the next ${next}`);
    assert.deepEqual((await rows(files.remote, 'contacts')).at(-1), { id: 9, name: 'Ines' });
  }
});
