/**
 * When `daemon --watch` pushes: the trigger's decisions on a real file (any file has a stamp), with
 * short delays. The daemon's runs are played by the test: `request()` is answered by runStarted() and
 * runFinished() as the daemon would.
 */
import assert from 'node:assert/strict';
import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { readFileStamp, type FileStamp } from '../../src/db/fileStamp.js';
import type { Logger } from '../../src/log/logger.js';
import { WatchTrigger, type WatchTriggerOptions } from '../../src/schedule/watchTrigger.js';
import { tempDir } from '../helpers/tempDir.js';

const root = tempDir();
let n = 0;

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

interface Harness {
  path: string;
  trigger: WatchTrigger;
  logger: ReturnType<typeof memoryLogger>;
  /** Times (ms since the harness started) at which a push was asked for. */
  requests: number[];
  /** Records the file's stamp as a sync does when it lets go of the file. */
  record(): void;
  write(text?: string): void;
  close(): void;
}

/** `autoRun`: each request is answered at once by a run that takes what is there, as the daemon's would. */
function harness(options: Partial<WatchTriggerOptions> = {}, autoRun = false): Harness {
  const path = join(root, `f${++n}.db`);
  writeFileSync(path, 'start');
  let recorded: { stamp: FileStamp; recordedAt: number } | undefined = { stamp: readFileStamp(path) as FileStamp, recordedAt: Date.now() };
  const logger = memoryLogger();
  const requests: number[] = [];
  const t0 = Date.now();
  const trigger = new WatchTrigger({
    path,
    debounceMs: 150,
    maxDelayMs: 600,
    pollMs: 50,
    lastRecord: () => recorded,
    request: () => {
      requests.push(Date.now() - t0);
      if (!autoRun) return;
      setImmediate(() => {
        trigger.runStarted();
        recorded = { stamp: readFileStamp(path) as FileStamp, recordedAt: Date.now() };
        trigger.runFinished({ kind: 'ok' });
      });
    },
    retry: { lockFirstMs: 40, lockMaxMs: 160, failureFirstMs: 100, failureMaxMs: 400 },
    logger,
    ...options,
  });
  trigger.start();
  return {
    path,
    trigger,
    logger,
    requests,
    record: () => (recorded = { stamp: readFileStamp(path) as FileStamp, recordedAt: Date.now() }),
    write: (text = 'x') => appendFileSync(path, text),
    close: () => trigger.close(),
  };
}

test('a write is pushed after the debounce; a file as the last sync left it is not', async () => {
  const h = harness();
  try {
    await sleep(300);
    assert.deepEqual(h.requests, [], 'nothing written: no push');
    h.write();
    await sleep(80);
    assert.equal(h.requests.length, 0, 'not before the quiet of the debounce');
    await sleep(300);
    assert.equal(h.requests.length, 1);
    assert.ok(h.trigger.waiting);
    // The push runs and records what it left: nothing waits any more, nothing is asked again.
    h.trigger.runStarted();
    h.record();
    h.trigger.runFinished({ kind: 'ok' });
    assert.equal(h.trigger.waiting, false);
    await sleep(300);
    assert.equal(h.requests.length, 1);
  } finally {
    h.close();
  }
});

test('writes that keep coming are pushed at least every maxDelayMs, and a burst ends in a few pushes', async () => {
  const h = harness({}, true);
  try {
    // A write every 50 ms for 1.5 s never leaves 150 ms of quiet: only the ceiling (600 ms) pushes.
    for (let i = 0; i < 30; i++) {
      h.write();
      await sleep(50);
    }
    await sleep(400);
    assert.ok(h.requests.length >= 2 && h.requests.length <= 4, `pushes for 30 writes in 1.5 s: ${h.requests.join(', ')}`);
    assert.ok((h.requests[0] as number) < 900, `the first push came by the ceiling, at ${h.requests[0]} ms`);
  } finally {
    h.close();
  }
});

test('a write made while a run holds the file is judged when the run ends: pushed again if the run did not take it', async () => {
  const h = harness();
  try {
    h.trigger.runStarted();
    h.record(); // the run records what it leaves…
    h.write(); // …and a write lands right after it let go of the file
    await sleep(120); // the watcher's events come while the run is still "running": ignored
    h.trigger.runFinished({ kind: 'ok' });
    assert.ok(h.trigger.waiting, 'the write after the run waits');
    await sleep(300);
    assert.equal(h.requests.length, 1);
  } finally {
    h.close();
  }
});

test('a held file is waited for quietly (logged once), and a write brings the next attempt forward', async () => {
  const h = harness();
  try {
    h.write();
    await sleep(250);
    assert.equal(h.requests.length, 1);
    for (let i = 0; i < 4; i++) {
      h.trigger.runStarted();
      h.trigger.runFinished({ kind: 'locked', holder: 'PID 4242, /usr/bin/duckdb' });
      await sleep(200);
    }
    assert.equal(h.requests.length, 5, `attempts while the file is held: ${h.requests.join(', ')}`);
    assert.equal(h.logger.lines.filter((l) => l.startsWith('info') && l.includes('held by another process (PID 4242')).length, 1, 'the wait is logged once');
    // The holder's close writes the file: the next attempt follows within the first retry delay.
    h.trigger.runStarted();
    h.trigger.runFinished({ kind: 'locked', holder: 'PID 4242' });
    const before = h.requests.length;
    await sleep(20);
    h.write('closed');
    await sleep(100);
    assert.equal(h.requests.length, before + 1, 'an attempt soon after the holder wrote');
    h.trigger.runStarted();
    h.record();
    h.trigger.runFinished({ kind: 'ok' });
    assert.ok(h.logger.lines.some((l) => /the local file was let go after \d+\.\d s/.test(l)));
    assert.equal(h.trigger.waiting, false);
  } finally {
    h.close();
  }
});

test('a failed push is retried with a doubling delay; one no retry can mend waits for the next write', async () => {
  const h = harness();
  try {
    h.write();
    await sleep(200);
    assert.equal(h.requests.length, 1);
    for (let i = 0; i < 3; i++) {
      h.trigger.runStarted();
      h.trigger.runFinished({ kind: 'failed', transient: true, message: 'remote unreachable' });
      const asked: number = h.requests.length;
      while (h.requests.length === asked) await sleep(10);
    }
    const gaps = h.requests.slice(1).map((t, i) => t - (h.requests[i] as number));
    // 100, 200, 400 ms (the first gap also holds the wait for the first request).
    assert.ok((gaps[2] as number) > (gaps[0] as number) * 2 && (gaps[2] as number) >= 350, `delays double: ${gaps.join(', ')} ms`);
    assert.ok(h.trigger.waiting, 'the writes still wait');
    h.trigger.runStarted();
    h.trigger.runFinished({ kind: 'failed', transient: false, message: 'not a DuckDB database' });
    const count = h.requests.length;
    await sleep(700);
    assert.equal(h.requests.length, count, 'not retried without a new write');
    h.write();
    await sleep(300);
    assert.equal(h.requests.length, count + 1, 'the next write is pushed');
  } finally {
    h.close();
  }
});

test('a file deleted underneath: one warning, no push; back again: compared and pushed', async () => {
  const h = harness();
  try {
    renameSync(h.path, `${h.path}.away`);
    await sleep(200);
    rmSync(`${h.path}.wal`, { force: true });
    assert.equal(h.requests.length, 0);
    assert.equal(h.logger.lines.filter((l) => l.startsWith('warn') && l.includes('is gone (deleted or moved)')).length, 1);
    renameSync(`${h.path}.away`, h.path);
    h.write('replaced');
    await sleep(350);
    assert.equal(h.requests.length, 1);
    assert.ok(h.logger.lines.some((l) => l.includes('is back')));
  } finally {
    h.close();
  }
});

test('without file events, polling the stamp finds writes (network file systems)', async () => {
  const h = harness({ fileEvents: false, pollMs: 100 });
  try {
    h.write();
    await sleep(450);
    assert.equal(h.requests.length, 1);
  } finally {
    h.close();
  }
});

test('writes made while nothing watched are pushed at start; a run that could not record the stamp does not loop', async () => {
  const path = join(root, 'unsynced.db');
  writeFileSync(path, 'synced');
  const stamp = readFileStamp(path) as FileStamp;
  appendFileSync(path, 'written while the daemon was down');
  const logger = memoryLogger();
  const requests: number[] = [];
  const trigger = new WatchTrigger({ path, debounceMs: 50, maxDelayMs: 500, pollMs: 50, lastRecord: () => ({ stamp, recordedAt: 1 }), request: () => requests.push(Date.now()), logger });
  trigger.start();
  try {
    await sleep(200);
    assert.equal(requests.length, 1, 'pushed at start');
    // The run ends without recording (an unwritable cache folder): its stamp stands in, once warned.
    trigger.runStarted();
    trigger.runFinished({ kind: 'ok' });
    await sleep(300);
    assert.equal(requests.length, 1, 'no push loop');
    assert.equal(logger.lines.filter((l) => l.includes('could not record')).length, 1);
    appendFileSync(path, 'a new write');
    await sleep(300);
    assert.equal(requests.length, 2, 'a later write is still pushed');
  } finally {
    trigger.close();
  }
});
