/**
 * `duckdb-sync daemon` as a user runs it: a foreground process with a fast test schedule (croner's
 * seconds field), stopped with SIGTERM / SIGINT.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, before, describe, test } from 'node:test';
import { cleanEnv, startCli } from '../helpers/cli.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

const BIG_TABLES = ['t1', 't2', 't3', 't4', 't5', 't6'];
const BIG_ROWS = 300_000;

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Daemons started by the test running now: killed after it, also when it failed before stopping them. */
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startDaemon(args: string[], cwd: string): Running {
  const child = startCli(['daemon', ...args], { cwd, env: cleanEnv() });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function stop(d: Running, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  d.child.kill(signal);
  const timer = setTimeout(() => d.child.kill('SIGKILL'), 30_000);
  try {
    return await d.exited;
  } finally {
    clearTimeout(timer);
  }
}

interface LogLine {
  at: number;
  level: string;
  text: string;
}

/** The daily log files' lines with their timestamps. */
function readLog(dir: string): LogLine[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('duckdb-sync-') && f.endsWith('.log'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .flatMap((line) => {
      const m = /^(\S+) (\w+)\s+\[\d+\] (.*)$/.exec(line);
      return m ? [{ at: Date.parse(m[1] as string), level: m[2] as string, text: m[3] as string }] : [];
    });
}

interface RunSpan {
  id: number;
  mode: string;
  start: number;
  end: number | undefined;
  status: string | undefined;
}

/** Each run's start and status line (`daemon run N (mode): …`). */
function runsOf(log: LogLine[]): RunSpan[] {
  const runs = new Map<number, RunSpan>();
  for (const l of log) {
    const m = /^daemon run (\d+) \((full|incremental)\): (.*)$/.exec(l.text);
    if (!m) continue;
    const id = Number(m[1]);
    if (m[3] === 'started') runs.set(id, { id, mode: m[2] as string, start: l.at, end: undefined, status: undefined });
    else {
      const run = runs.get(id);
      assert.ok(run, `status line of run ${id} after its start line`);
      run.end = l.at;
      run.status = m[3];
    }
  }
  return [...runs.values()].sort((a, b) => a.id - b.id);
}

function assertNoOverlap(runs: RunSpan[]): void {
  for (let i = 1; i < runs.length; i++) {
    const prev = runs[i - 1] as RunSpan;
    const run = runs[i] as RunSpan;
    assert.ok(prev.end !== undefined && run.start >= prev.end, `run ${run.id} started after run ${prev.id} ended`);
  }
}

describe('duckdb-sync daemon', () => {
  const root = tempDir('duckdb-sync-daemon-');
  const small = join(root, 'small.duckdb');
  const big = join(root, 'big.duckdb');

  before(async () => {
    await exec(
      small,
      `CREATE TABLE emails (id INTEGER PRIMARY KEY, subject VARCHAR)`,
      `INSERT INTO emails SELECT i, 'Subject ' || i FROM range(1, 501) t(i)`,
    );
    // Big enough that the first full sync takes more than a second: six tables, one local transaction each.
    await exec(
      big,
      ...BIG_TABLES.flatMap((t) => [
        `CREATE TABLE ${t} (id BIGINT PRIMARY KEY, v VARCHAR, x DOUBLE)`,
        `INSERT INTO ${t} SELECT i, md5(i::VARCHAR), i / 3 FROM range(${BIG_ROWS}) r(i)`,
      ]),
    );
  });

  test('full syncs on the cron schedule, incremental ones every N minutes, exit 0 on SIGINT', async () => {
    const cwd = join(root, 'on-time');
    const logs = join(cwd, 'logs');
    const d = startDaemon(['--local', 'local.duckdb', '--remote', remoteUri(small), '--log-dir', logs, '--full-sync-cron', '*/2 * * * * *', '--incremental-every', '0.01', '--json'], root);
    // Counted, not timed: on a loaded machine each run takes longer and fewer fit in a given time.
    const done = (mode: string): number => (d.stderr().match(new RegExp(`daemon run \\d+ \\(${mode}\\): ok`, 'g')) ?? []).length;
    const fullAfterIncremental = (): boolean => {
      const err = d.stderr();
      const firstIncremental = err.search(/daemon run \d+ \(incremental\): ok/);
      return firstIncremental >= 0 && err.slice(firstIncremental).search(/daemon run \d+ \(full\): ok/) >= 0;
    };
    await waitFor('three full syncs, two incremental ones, and a full one after them', () => done('full') >= 3 && done('incremental') >= 2 && fullAfterIncremental());
    const exit = await stop(d, 'SIGINT');
    assert.equal(exit.code, 0, d.stderr());

    const log = readLog(logs);
    const runs = runsOf(log);
    const full = runs.filter((r) => r.mode === 'full');
    assert.ok(full.length >= 3);
    for (const r of full) {
      const at = new Date(r.start);
      // On time: at an even second. Or, when it fell due during another run, queued and started right after it.
      const onTime = at.getSeconds() % 2 === 0 && at.getMilliseconds() < 750;
      const before = runs.find((p) => p.id === r.id - 1);
      const queued =
        before?.end !== undefined &&
        r.start - before.end < 750 &&
        log.some((l) => l.text === `full sync due while run ${before.id} (${before.mode}) is in progress: queued`);
      assert.ok(onTime || queued, `full run ${r.id} started on time or right after the run it waited for (${at.toISOString()})`);
      // The run in progress when SIGINT came, if any, stopped early; every other one synced the table.
      if (r !== runs.at(-1)) assert.match(r.status ?? '', /^ok, 1 table\(s\), \d+ rows pulled, \d+\.\d s$/);
      else assert.match(r.status ?? '', /^(ok|stopped), /);
    }
    assert.ok(full.some((r) => new Date(r.start).getMilliseconds() < 750 && new Date(r.start).getSeconds() % 2 === 0), 'some full runs on the even second');
    // Incremental runs keep coming between the full ones, and each one syncs the table.
    const incremental = runs.filter((r) => r.mode === 'incremental');
    assert.ok(incremental.length >= 2, `incremental runs: ${incremental.length}`);
    for (const r of incremental) {
      if (r !== runs.at(-1)) assert.match(r.status ?? '', /^ok, 1 table\(s\), \d+ rows pulled, /);
    }
    assert.ok((full.at(-1) as RunSpan).start > (incremental[0] as RunSpan).start, 'full syncs continue after incremental ones');
    assertNoOverlap(runs);

    const doc = JSON.parse(d.stdout()) as { ok: boolean; stoppedBy: string; runs: Array<{ mode: string; outcome: string }> };
    assert.equal(doc.ok, true);
    assert.equal(doc.stoppedBy, 'SIGINT');
    assert.equal(doc.runs.length, runs.length);
    assert.deepEqual(await query(join(root, 'local.duckdb'), 'SELECT count(*)::INTEGER AS n FROM emails'), [{ n: 500 }]);
  });

  test('never two syncs at once: a full sync due during another one is queued, incremental ones skipped', async () => {
    const cwd = join(root, 'overlap');
    const logs = join(cwd, 'logs');
    const local = join(cwd, 'local.duckdb');
    // A full sync is due every second and the first one takes longer than that.
    const d = startDaemon(['--local', local, '--remote', remoteUri(big), '--log-dir', logs, '--full-sync-cron', '* * * * * *', '--incremental-every', '0.005'], root);
    await waitFor('a second full sync to start', () => (d.stderr().match(/daemon run \d+ \(full\): started/g) ?? []).length >= 2, 120_000);
    const exit = await stop(d, 'SIGTERM');
    assert.equal(exit.code, 0, d.stderr());

    const log = readLog(logs);
    const runs = runsOf(log);
    assertNoOverlap(runs);
    const i = runs.findIndex((r) => r.mode === 'full');
    const first = runs[i] as RunSpan;
    const next = runs[i + 1] as RunSpan;
    assert.match(first.status ?? '', /^ok, 6 table\(s\)/);
    assert.ok((first.end as number) - first.start > 1000, 'the first full sync took longer than the schedule interval');
    assert.ok(log.some((l) => new RegExp(`^full sync due while run ${first.id} \\(full\\) is in progress: queued$`).test(l.text)), 'a due full sync waited');
    assert.ok(log.some((l) => new RegExp(`^incremental sync due while run ${first.id} \\(full\\) is in progress: skipped$`).test(l.text)), 'a due incremental sync was skipped');
    assert.equal(next.mode, 'full', 'the queued full sync runs next, before any incremental one');
    assert.ok(next.start - (first.end as number) < 1000, `the queued run started ${next.start - (first.end as number)} ms after the previous one ended`);
    assert.match(next.status ?? '', /^(ok|stopped), /);
  });

  test('SIGTERM in the middle of a sync: exit 0, the table in progress finishes, both databases intact', async () => {
    const cwd = join(root, 'sigterm');
    const logs = join(cwd, 'logs');
    const local = join(cwd, 'local.duckdb');
    const d = startDaemon(['--local', local, '--remote', remoteUri(big), '--log-dir', logs, '--full-sync-cron', '* * * * * *', '--incremental-every', '0'], root);
    await waitFor('the first table of the first sync', () => /^t1: pulled/m.test(d.stderr()));
    const exit = await stop(d, 'SIGTERM');
    assert.equal(exit.code, 0, d.stderr());
    assert.equal(exit.signal, null);
    assert.match(d.stderr(), /SIGTERM received: stopping/);
    assert.match(d.stderr(), /daemon run 1 \(full\): stopped, \d of 6 table\(s\) done/);
    assert.match(d.stderr(), /daemon stopped after 1 run\(s\)/);
    assert.equal(runsOf(readLog(logs)).length, 1, 'no run started after SIGTERM');

    // The local file opens; every table in it is whole; the ones not reached are absent.
    const present = (await query(local, `SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = 'main' AND table_name LIKE 't_' ORDER BY 1`)).map((r) => String(r.t));
    assert.ok(present.includes('t1'), `t1 was synced: ${present.join(', ')}`);
    assert.ok(present.length < BIG_TABLES.length, `the sync stopped before the last table: ${present.join(', ')}`);
    for (const t of present) {
      assert.deepEqual(await query(local, `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS k FROM ${t}`), [{ n: BIG_ROWS, k: BIG_ROWS }], `${t} is whole`);
    }
    // The remote is untouched and free.
    for (const t of BIG_TABLES) assert.deepEqual(await query(big, `SELECT count(*)::INTEGER AS n FROM ${t}`), [{ n: BIG_ROWS }]);
  });

  test('bad settings: exit 2 before starting', async () => {
    const d = startDaemon(['--local', 'l.duckdb', '--remote', remoteUri(small), '--full-sync-cron', '0 25 * * *'], root);
    const exit = await d.exited;
    assert.equal(exit.code, 2);
    assert.match(d.stderr(), /^duckdb-sync: invalid cron expression "0 25 \* \* \*"/m);
    const e = startDaemon(['--local', 'l.duckdb', '--remote', remoteUri(small), '--incremental-every', 'often'], root);
    assert.equal((await e.exited).code, 2);
    assert.match(e.stderr(), /--incremental-every must be a number of minutes/);
  });
});
