import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type { SyncMode } from '../../src/config/schema.js';
import { LockError, UsageError } from '../../src/errors.js';
import type { Logger } from '../../src/log/logger.js';
import { SyncDaemon } from '../../src/schedule/syncDaemon.js';
import { SettledStore } from '../../src/engine/state/settledStore.js';
import { readFileStamp } from '../../src/db/fileStamp.js';
import { silentLogger } from '../../src/log/logger.js';
import { tempDir } from '../helpers/tempDir.js';
import type { SyncResult } from '../../src/engine/api.js';

interface Call {
  mode: SyncMode;
  start: number;
  end: number;
  sawAbort: boolean;
}

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

function result(mode: SyncMode, tables: SyncResult['tables']): SyncResult {
  return { ok: tables.every((t) => t.status === 'ok'), mode, direction: 'pull', dryRun: false, tables, objects: [], durationMs: 0, remoteRoundTrips: 0 };
}

const table = (name: string, extra: Partial<SyncResult['tables'][number]> = {}): SyncResult['tables'][number] => ({
  name,
  status: 'ok',
  rowsPulled: 10,
  rowsPushed: 0,
  rowsDeleted: 0,
  conflicts: 0,
  ...extra,
});

/** A sync that takes `ms` and, like the real one, stops before its next "table" when aborted. */
function slowSync(calls: Call[], ms: number, active = { n: 0, max: 0 }) {
  return async (mode: SyncMode, signal: AbortSignal): Promise<SyncResult> => {
    const call: Call = { mode, start: Date.now(), end: 0, sawAbort: false };
    calls.push(call);
    active.n++;
    active.max = Math.max(active.max, active.n);
    try {
      if (mode === 'incremental') throw new LockError('/data/cloud.duckdb', 4242, '/usr/bin/node');
      const tables = [];
      for (const name of ['a', 'b', 'c', 'd']) {
        if (signal.aborted) {
          call.sawAbort = true;
          tables.push(table(name, { status: 'error', rowsPulled: 0, errorCode: 'E_ABORTED', error: 'not started: the sync was stopped' }));
          continue;
        }
        await sleep(ms / 4);
        tables.push(table(name));
      }
      return result(mode, tables);
    } finally {
      call.end = Date.now();
      active.n--;
    }
  };
}

describe('SyncDaemon', () => {
  test('full syncs on the cron schedule, a status line each, and close() waits', async () => {
    const calls: Call[] = [];
    const logger = memoryLogger();
    const daemon = new SyncDaemon({ fullSyncCron: '* * * * * *', incrementalEveryMinutes: 0, runSync: slowSync(calls, 40), logger });
    daemon.start();
    await sleep(2600);
    await daemon.close();
    assert.ok(calls.length >= 2 && calls.length <= 3, `${calls.length} runs in 2.6 s with a run every second`);

    for (const c of calls) {
      assert.equal(c.mode, 'full');
      assert.ok(new Date(c.start).getMilliseconds() < 300, `run started on a second boundary (+${new Date(c.start).getMilliseconds()} ms)`);
    }
    // close() may fall just as a run starts: that run stops before its first table ('stopped').
    const completed = calls.filter((c) => !c.sawAbort);
    assert.ok(completed.length >= 2, `${completed.length} runs completed`);
    const status = logger.lines.filter((l) => /daemon run \d+ \(full\): ok, 4 table\(s\), 40 rows pulled/.test(l));
    assert.equal(status.length, completed.length);
    assert.deepEqual(
      daemon.runs.map((r) => r.outcome),
      calls.map((c) => (c.sawAbort ? 'stopped' : 'ok')),
    );
  });

  test('never two syncs at once: a due full sync is queued, a due incremental one skipped', async () => {
    const calls: Call[] = [];
    const active = { n: 0, max: 0 };
    const logger = memoryLogger();
    // Every second a full sync is due, every 0.3 s an incremental one; each full sync takes 1.4 s.
    const daemon = new SyncDaemon({ fullSyncCron: '* * * * * *', incrementalEveryMinutes: 0.005, runSync: slowSync(calls, 1400, active), logger });
    daemon.start();
    await sleep(4200);
    await daemon.close();
    assert.equal(active.max, 1, 'at most one sync at a time');
    for (let i = 1; i < calls.length; i++) assert.ok((calls[i] as Call).start >= (calls[i - 1] as Call).end, 'runs do not overlap');
    assert.ok(calls.filter((c) => c.mode === 'full').length >= 2);
    assert.ok(logger.lines.some((l) => /full sync due while run \d+ \(full\) is in progress: queued/.test(l)));
    assert.ok(logger.lines.some((l) => /incremental sync due while run \d+ \(full\) is in progress: skipped/.test(l)));
    assert.ok(logger.lines.some((l) => /daemon stopped after \d+ run\(s\)/.test(l)));
  });

  test('incremental syncs every N minutes; a failing one is its run\'s status line and the daemon goes on', async () => {
    const calls: Call[] = [];
    const logger = memoryLogger();
    const daemon = new SyncDaemon({ fullSyncCron: '0 0 1 1 *', incrementalEveryMinutes: 0.005, runSync: slowSync(calls, 10), logger });
    daemon.start();
    await sleep(1100);
    await daemon.close();
    assert.ok(calls.length >= 3 && calls.length <= 4, `${calls.length} incremental runs in 1.1 s, one every 0.3 s`);
    assert.ok(calls.every((c) => c.mode === 'incremental'));
    const failures = logger.lines.filter((l) => /^error daemon run \d+ \(incremental\): failed, database file is locked by another process: \/data\/cloud\.duckdb .*\[E_LOCKED\]/.test(l));
    assert.equal(failures.length, calls.length);
  });

  test('close() during a sync: it stops before the next table and nothing runs afterwards', async () => {
    const calls: Call[] = [];
    const logger = memoryLogger();
    const daemon = new SyncDaemon({ fullSyncCron: '* * * * * *', incrementalEveryMinutes: 0, runSync: slowSync(calls, 2000), logger });
    daemon.start();
    while (!daemon.busy) await sleep(20);
    await sleep(300);
    await daemon.close();
    assert.equal(daemon.busy, false);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.sawAbort, true);
    assert.equal(daemon.runs[0]?.outcome, 'stopped');
    assert.ok(logger.lines.some((l) => /^warn daemon run 1 \(full\): stopped, 1 of 4 table\(s\) done/.test(l)), logger.lines.join('\n'));
    await sleep(1200);
    assert.equal(calls.length, 1, 'no run after close()');
  });

  test('table errors and thrown errors are status lines, not crashes', async () => {
    const logger = memoryLogger();
    let n = 0;
    const daemon = new SyncDaemon({
      fullSyncCron: '* * * * * *',
      incrementalEveryMinutes: 0,
      logger,
      runSync: async (mode) => {
        if (++n === 1) return result(mode, [table('a'), table('b', { status: 'error', error: 'boom', errorCode: 'E_DATABASE' })]);
        throw new Error('remote unreachable');
      },
    });
    daemon.start();
    while (daemon.runs.length < 2) await sleep(50);
    await daemon.close();
    assert.ok(logger.lines.some((l) => /^error daemon run 1 \(full\): errors, 1 of 2 table\(s\) failed \(b: boom\)/.test(l)));
    assert.ok(logger.lines.some((l) => /^error daemon run 2 \(full\): failed, remote unreachable \[E_DATABASE\]/.test(l)));
  });

  test('bad settings are refused up front', () => {
    const runSync = slowSync([], 1);
    assert.throws(() => new SyncDaemon({ fullSyncCron: '0 25 * * *', incrementalEveryMinutes: 15, runSync }), UsageError);
    assert.throws(() => new SyncDaemon({ fullSyncCron: '0 3 * * *', incrementalEveryMinutes: -1, runSync }), UsageError);
    assert.throws(() => new SyncDaemon({ fullSyncCron: '0 3 * * *', incrementalEveryMinutes: Number.NaN, runSync }), UsageError);
  });
  test('--watch: a write is pushed by a watched push; one that finds the file held is tried again quietly, under one run number', async () => {
    const dir = tempDir('duckdb-sync-daemon-watch-');
    const path = join(dir, 'local.duckdb');
    writeFileSync(path, 'synced');
    const cacheDir = join(dir, 'cache');
    const store = new SettledStore(cacheDir, silentLogger);
    store.record(path, [], readFileStamp(path));
    const logger = memoryLogger();
    const triggers: string[] = [];
    let held = 3;
    const daemon = new SyncDaemon({
      fullSyncCron: '0 0 1 1 *',
      incrementalEveryMinutes: 0,
      logger,
      watch: { local: path, cacheDir, debounceMs: 100, maxDelayMs: 1000, pollMs: 50, retry: { lockFirstMs: 30, lockMaxMs: 60, failureFirstMs: 100, failureMaxMs: 100 } },
      runSync: async (mode, _signal, trigger) => {
        triggers.push(`${mode}/${trigger}`);
        if (held-- > 0) throw new LockError(path, 4242, '/usr/bin/duckdb');
        store.record(path, [], readFileStamp(path)); // as a sync does when it lets go of the file
        return result(mode, [table('t', { rowsPulled: 0, rowsPushed: 1 })]);
      },
    });
    daemon.start();
    try {
      appendFileSync(path, 'a write by another program');
      const until = Date.now() + 5000;
      while (!daemon.runs.length && Date.now() < until) await sleep(20);
    } finally {
      await daemon.close();
    }
    assert.deepEqual(triggers, ['incremental/watch', 'incremental/watch', 'incremental/watch', 'incremental/watch']);
    assert.deepEqual(
      daemon.runs.map((r) => [r.id, r.mode, r.trigger, r.outcome]),
      [[1, 'incremental', 'watch', 'ok']],
      'the attempts that found the file held are not runs',
    );
    const info = logger.lines.filter((l) => !l.startsWith('debug'));
    assert.equal(info.filter((l) => l === 'info daemon run 1 (watched push): started').length, 1);
    assert.equal(info.filter((l) => l.includes('held by another process (PID 4242, /usr/bin/duckdb)')).length, 1, 'the wait is logged once');
    assert.ok(info.includes('info daemon run 1 (watched push): ok, 1 table(s), 0 rows pulled, 1 pushed, 0.0 s'), info.join('\n'));
    assert.equal(daemon.writesWaiting, false);
  });
});
