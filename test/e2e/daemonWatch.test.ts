/**
 * `duckdb-sync daemon --watch`: writes made by plain DuckDB clients in their own processes (not by
 * duckdb-sync) reach the cloud soon after the client lets go of the file; a client holding the file
 * is waited for; bursts end in a few pushes; kills, a deleted local file and an unreachable cloud
 * are lived through; `status` shows what waits.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, test } from 'node:test';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import { exec, query } from '../helpers/duck.js';
import { holdFile } from '../helpers/holdFile.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

const CLIENT = fileURLToPath(new URL('../fixtures/duckdbClient.mjs', import.meta.url));
const root = tempDir('duckdb-sync-watch-');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Client {
  pid: number;
  /** Resolves once the file is open (not for reopenEach). */
  open: Promise<void>;
  /** Resolves when the client closed the file and exited: the opens it retried because a push held the file. */
  done: Promise<{ retriedOpens: number; exitedAt: number }>;
}

/** A plain DuckDB client in its own process (test/fixtures/duckdbClient.mjs). */
function client(path: string, statements: string[], options: { holdMs?: number; reopenEach?: boolean } = {}): Client {
  const child = spawn(process.execPath, [CLIENT, JSON.stringify({ path, statements, ...options })], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const open = new Promise<void>((resolve) => child.stdout?.on('data', (d: Buffer) => (out += d.toString()).includes('open\n') && resolve()));
  const done = new Promise<{ retriedOpens: number; exitedAt: number }>((resolve, reject) =>
    child.on('close', (code) => {
      const m = /done (\d+)/.exec(out);
      if (code === 0 && m) resolve({ retriedOpens: Number(m[1]), exitedAt: Date.now() });
      else reject(new Error(`DuckDB client exited with ${code}: ${err}`));
    }),
  );
  return { pid: child.pid as number, open, done };
}

interface Daemon {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

interface Setup {
  dir: string;
  local: string;
  cloud: string;
  env: NodeJS.ProcessEnv;
  args: string[];
}

let counter = 0;

/** A cloud with 100 rows and a local copy synced once; the daemon's arguments for them. */
async function setup(extraRows = 0): Promise<Setup> {
  const dir = join(root, `case-${++counter}`);
  const cloud = join(dir, 'cloud.duckdb');
  const local = join(dir, 'local.duckdb');
  mkdirSync(dir);
  await exec(cloud, 'CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR)', `INSERT INTO t SELECT i, 'v' || i FROM range(1, ${101 + extraRows}) r(i)`);
  const env = cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') });
  const args = ['--local', local, '--remote', remoteUri(cloud), '--log-dir', join(dir, 'logs')];
  const first = await runCli(['sync', ...args], { env });
  assert.equal(first.code, 0, first.stderr);
  return { dir, local, cloud, env, args };
}

function startDaemon(s: Setup, extra: string[] = []): Daemon {
  const child = startCli(['daemon', '--watch', '--incremental-every', '0', '--full-sync-cron', '0 0 1 1 *', '--json', ...s.args, ...extra], { env: s.env });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stderr: () => stderr, stdout: () => stdout, exited };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    // Not more often: each look at the cloud holds its file, as any other client's would.
    await sleep(250);
  }
}

/** Rows of the cloud table, read as another client (retried while a push holds the file). */
async function cloudRows(s: Setup, sql = 'SELECT id, v FROM t ORDER BY id'): Promise<Array<Record<string, unknown>>> {
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      return await query(s.cloud, sql);
    } catch (error) {
      if (!/Could not set lock/.test(String(error)) || Date.now() > until) throw error;
      await sleep(20);
    }
  }
}

async function stop(d: Daemon): Promise<{ code: number | null; doc: { ok: boolean; watching: boolean; writesWaiting: boolean; runs: Array<{ id: number; trigger: string; outcome: string; startedAt: string }> } }> {
  d.child.kill('SIGTERM');
  const code = await d.exited;
  return { code, doc: JSON.parse(d.stdout()) };
}

const started = (d: Daemon): boolean => d.stderr().includes('daemon started:');

describe('duckdb-sync daemon --watch', () => {
  test('a write by another program is on the cloud a few seconds after it closes the file; SIGTERM exits 0', async (t) => {
    const s = await setup();
    const d = startDaemon(s);
    await waitFor('the daemon to start', () => started(d));
    const { exitedAt } = await client(s.local, ["INSERT INTO t VALUES (1001, 'from the DuckDB CLI')", "UPDATE t SET v = 'changed' WHERE id = 7", 'DELETE FROM t WHERE id = 8']).done;
    // Debounce 2 s, then the push: well inside the 15 s this waits.
    await waitFor('the write on the cloud', async () => (await cloudRows(s, 'SELECT count(*)::INTEGER AS n FROM t WHERE id = 1001')).at(0)?.n === 1, 15_000);
    t.diagnostic(`on the cloud ${Date.now() - exitedAt} ms after the client closed the file`);
    assert.deepEqual(await cloudRows(s, 'SELECT id, v FROM t WHERE id IN (7, 8, 1001) ORDER BY id'), [
      { id: 7, v: 'changed' },
      { id: 1001, v: 'from the DuckDB CLI' },
    ]);
    const { code, doc } = await stop(d);
    assert.equal(code, 0, d.stderr());
    assert.equal(doc.ok, true);
    assert.equal(doc.watching, true);
    assert.equal(doc.writesWaiting, false);
    assert.ok(doc.runs.some((r) => r.trigger === 'watch' && r.outcome === 'ok'), JSON.stringify(doc.runs));
    assert.match(d.stderr(), /daemon run \d+ \(watched push\): ok, 1 table\(s\), 0 rows pulled, 2 pushed/);
    assert.deepEqual(await cloudRows(s), await query(s.local, 'SELECT id, v FROM t ORDER BY id'));
  });

  test('a client that keeps the file open for 10 s: waited for (logged once), its writes pushed after it closes', async () => {
    const s = await setup();
    const d = startDaemon(s, ['--verbose']);
    await waitFor('the daemon to start', () => started(d));
    const c = client(s.local, ["INSERT INTO t VALUES (2001, 'held')"], { holdMs: 10_000 });
    await c.open;
    await waitFor('the push to find the file held', () => d.stderr().includes(`local file is held by another process (PID ${c.pid}`), 15_000);
    assert.deepEqual(await cloudRows(s, 'SELECT count(*)::INTEGER AS n FROM t WHERE id = 2001'), [{ n: 0 }], 'not pushed while the client holds the file');
    const { exitedAt } = await c.done;
    await waitFor('the write on the cloud', async () => (await cloudRows(s, 'SELECT count(*)::INTEGER AS n FROM t WHERE id = 2001')).at(0)?.n === 1, 15_000);
    const { code, doc } = await stop(d);
    assert.equal(code, 0, d.stderr());
    const log = d.stderr();
    assert.equal(log.match(/local file is held by another process/g)?.length, 1, 'the wait is logged once');
    assert.ok((log.match(/local file still held: next attempt/g)?.length ?? 0) >= 2, 'several attempts while held');
    // Ten seconds of attempts are no runs; a run may still fail when this test's own reads hold the cloud.
    const watched = doc.runs.filter((r) => r.trigger === 'watch');
    assert.ok(watched.length >= 1 && watched.length <= 3, `the attempts while held are not runs: ${JSON.stringify(doc.runs)}`);
    const pushed = watched.at(-1) as { outcome: string; startedAt: string };
    assert.equal(pushed.outcome, 'ok');
    assert.ok(Date.parse(pushed.startedAt) >= exitedAt - 1000, 'the push that ran started after the client let go');
  });

  test('a burst of 1,000 writes, then 100 opens and closes, ends in a few pushes', async (t) => {
    const s = await setup();
    const d = startDaemon(s);
    await waitFor('the daemon to start', () => started(d));
    const session = Array.from({ length: 1000 }, (_, i) => `INSERT INTO t VALUES (${10_000 + i}, 'burst')`);
    await client(s.local, session).done;
    const cycles = Array.from({ length: 100 }, (_, i) => `INSERT INTO t VALUES (${20_000 + i}, 'cycle')`);
    const { retriedOpens } = await client(s.local, cycles, { reopenEach: true }).done;
    await waitFor('every write on the cloud', async () => (await cloudRows(s, 'SELECT count(*)::INTEGER AS n FROM t')).at(0)?.n === 1200, 20_000);
    const { code, doc } = await stop(d);
    assert.equal(code, 0, d.stderr());
    const pushes = doc.runs.filter((r) => r.trigger === 'watch');
    t.diagnostic(`${pushes.length} watched pushes for 1,100 writes; the client retried ${retriedOpens} opens while a push held the file`);
    assert.ok(pushes.length >= 1 && pushes.length <= 10, `a few pushes, not one per write: ${pushes.length}`);
    assert.ok(pushes.every((r) => r.outcome === 'ok'));
  });

  test('SIGKILL during a push: the restarted daemon pushes what was left, and both sides agree', async () => {
    const s = await setup(100_000);
    const d = startDaemon(s, ['--watch-debounce', '200']);
    await waitFor('the daemon to start', () => started(d));
    await client(s.local, ["UPDATE t SET v = v || ' edited' WHERE id % 2 = 0"]).done;
    await waitFor('a watched push to start', () => /daemon run \d+ \(watched push\): started/.test(d.stderr()));
    await sleep(150);
    d.child.kill('SIGKILL');
    await d.exited;
    // Killed before its record, the push left the file unlike the last record: the restart pushes at once.
    const again = startDaemon(s, ['--watch-debounce', '200']);
    const sum = "SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE v LIKE '% edited')::INTEGER AS edited FROM t";
    await waitFor('the cloud to have every edit', async () => JSON.stringify(await cloudRows(s, sum)) === JSON.stringify([{ n: 100_100, edited: 50_050 }]), 60_000);
    const { code } = await stop(again);
    assert.equal(code, 0, again.stderr());
    assert.deepEqual(await query(s.local, sum), [{ n: 100_100, edited: 50_050 }]);
  });

  test('the local file deleted or replaced underneath: a clear message, the daemon keeps running and pushes once it is back', async () => {
    const s = await setup();
    const d = startDaemon(s, ['--watch-debounce', '300']);
    await waitFor('the daemon to start', () => started(d));
    renameSync(s.local, `${s.local}.moved`);
    await waitFor('the message', () => d.stderr().includes(`local file ${s.local} is gone (deleted or moved): watched pushes wait until it is back`));
    await sleep(500);
    assert.equal(d.child.exitCode, null, 'still running');
    renameSync(`${s.local}.moved`, s.local);
    await client(s.local, ["INSERT INTO t VALUES (3001, 'after the move')"]).done;
    await waitFor('the write on the cloud', async () => (await cloudRows(s, 'SELECT count(*)::INTEGER AS n FROM t WHERE id = 3001')).at(0)?.n === 1, 15_000);
    // Replaced by a file that is no database: refused with the reason, not retried in a loop, the daemon runs on.
    renameSync(s.local, `${s.local}.real`);
    writeFileSync(s.local, 'id,v\n1,a csv file\n');
    await waitFor('the refusal', () => /the local writes were not pushed \(.*not a DuckDB database.*\): tried again after the next write/.test(d.stderr()));
    await sleep(1500);
    assert.equal(d.stderr().match(/not a DuckDB database/g)?.length, 2, 'one failed run and its one message, no retry loop');
    assert.equal(d.child.exitCode, null, 'still running');
    rmSync(s.local);
    renameSync(`${s.local}.real`, s.local);
    await client(s.local, ["INSERT INTO t VALUES (3002, 'back again')"]).done;
    await waitFor('the write on the cloud', async () => (await cloudRows(s, 'SELECT count(*)::INTEGER AS n FROM t WHERE id = 3002')).at(0)?.n === 1, 15_000);
    const { code } = await stop(d);
    assert.equal(code, 0, d.stderr());
    assert.match(await readFile(`${s.local}`, 'latin1').then((b) => b.slice(8, 12)), /DUCK/, 'the local file is the database again');
  });

  test('the cloud unreachable: the push is retried with backoff, nothing is lost, and it lands when the cloud is back', async () => {
    const s = await setup();
    // One attempt per run: the daemon's own backoff is what this test is about.
    const d = startDaemon(s, ['--watch-debounce', '200', '--max-retries', '1', '--retry-delay', '50']);
    await waitFor('the daemon to start', () => started(d));
    // Another process holds the cloud's file: every attempt to reach it fails for a while.
    const holder = holdFile(s.cloud);
    await holder.ready;
    await client(s.local, ["INSERT INTO t VALUES (4001, 'while the cloud was down')"]).done;
    await waitFor('two failed attempts', () => (d.stderr().match(/the local writes were not pushed \(.*\): retried in/g)?.length ?? 0) >= 2, 20_000);
    await holder.release();
    await waitFor('the write on the cloud', async () => (await cloudRows(s, 'SELECT count(*)::INTEGER AS n FROM t WHERE id = 4001')).at(0)?.n === 1, 20_000);
    const { code, doc } = await stop(d);
    assert.equal(code, 0, d.stderr());
    assert.deepEqual(doc.runs.filter((r) => r.trigger === 'watch').map((r) => r.outcome).slice(-1), ['ok']);
    assert.ok(doc.runs.some((r) => r.trigger === 'watch' && r.outcome !== 'ok'), 'failed attempts are runs');
  });

  test('status: local writes waiting and since when, the watching daemon; nothing waiting after a sync', async () => {
    const s = await setup();
    const d = startDaemon(s, ['--watch-debounce', '600000', '--watch-max-delay', '600000']);
    await waitFor('the daemon to start', () => started(d));
    await client(s.local, ["INSERT INTO t VALUES (5001, 'waiting')"]).done;
    type Status = { localWrites: { waiting: boolean | null; lastWriteAt: string | null; watcher: { pid: number; waitingSince: string | null } | null } };
    const status = async (): Promise<Status> => {
      const r = await runCli(['status', '--json', ...s.args], { env: s.env });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as Status;
    };
    await waitFor('the daemon to notice the write', async () => (await status()).localWrites.watcher?.waitingSince != null);
    const watched = await status();
    assert.equal(watched.localWrites.waiting, true);
    assert.equal(watched.localWrites.watcher?.pid, d.child.pid);
    const text = await runCli(['status', ...s.args], { env: s.env });
    assert.match(text.stdout, /local file written since the last sync .*: not pushed yet/);
    assert.match(text.stdout, new RegExp(`watched by duckdb-sync daemon \\(PID ${d.child.pid}\\)`));
    assert.match(text.stdout, /writes waiting for its push since /);
    assert.equal((await stop(d)).code, 0);
    const alone = await status();
    assert.equal(alone.localWrites.waiting, true);
    assert.equal(alone.localWrites.watcher, null, 'no daemon any more');
    assert.equal((await runCli(['sync', ...s.args], { env: s.env })).code, 0);
    assert.equal((await status()).localWrites.waiting, false);
  });

  test('bad watch settings: exit 2 before starting', async () => {
    const s = await setup();
    for (const bad of [['--watch-debounce', 'soon'], ['--watch-poll', '10'], ['--watch-max-delay', '-1']]) {
      const r = await runCli(['daemon', '--watch', ...s.args, ...bad], { env: s.env });
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${bad[0]}.*expected an integer`));
    }
  });
});
