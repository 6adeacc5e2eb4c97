import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asLockError } from '../../src/db/failures/lockError.js';
import { backoffDelay, withRetry } from '../../src/db/failures/withRetry.js';
import { LockError } from '../../src/errors.js';
import type { Logger } from '../../src/log/logger.js';

/** DuckDB's real lock error text (DuckDB 1.x). */
function duckLockMessage(file: string, pid: number): string {
  return `IO Error: Could not set lock on file "${file}": Conflicting lock is held in /usr/bin/node (PID ${pid}). See also https://duckdb.org/docs/stable/connect/concurrency`;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const add = (m: string): void => {
    lines.push(m);
  };
  return { lines, debug: add, info: add, warn: add, error: add };
}

describe('asLockError', () => {
  test("recognizes DuckDB's message and names the file and PID", () => {
    const e = asLockError(new Error(duckLockMessage('/x/y.duckdb', 1234)));
    assert.ok(e instanceof LockError);
    assert.equal(e.file, '/x/y.duckdb');
    assert.equal(e.pid, 1234);
    assert.equal(e.holder, '/usr/bin/node');
    assert.equal(e.code, 'E_LOCKED');
    assert.equal(e.transient, true);
    assert.match(e.message, /\/x\/y\.duckdb/);
    assert.match(e.message, /PID 1234/);
  });

  test('a path with spaces and non-ASCII letters is kept whole', () => {
    const e = asLockError(duckLockMessage('/tmp/my data/ünï côde.duckdb', 7));
    assert.equal(e?.file, '/tmp/my data/ünï côde.duckdb');
    assert.equal(e?.pid, 7);
  });

  test('a lock message without a PID still becomes a LockError', () => {
    const e = asLockError(new Error('IO Error: Could not set lock on file "/a/b.duckdb": Resource temporarily unavailable'));
    assert.ok(e instanceof LockError);
    assert.equal(e.file, '/a/b.duckdb');
    assert.equal(e.pid, undefined);
  });

  test('other errors are not lock errors', () => {
    assert.equal(asLockError(new Error('Catalog Error: Table with name x does not exist!')), undefined);
    assert.equal(asLockError('IO Error: Cannot open file "/x": No such file or directory'), undefined);
  });

  test('a LockError stays as it is', () => {
    const e = new LockError('/f', 1, 'node');
    assert.equal(asLockError(e), e);
  });
});

describe('backoffDelay', () => {
  test('doubles each retry', () => {
    const mid = (): number => 0.5; // no jitter
    assert.deepEqual([0, 1, 2, 3, 4].map((n) => backoffDelay(n, 100, mid)), [100, 200, 400, 800, 1600]);
  });

  test('jitter stays within [50%, 150%) of the base', () => {
    for (let n = 0; n < 6; n++) {
      const base = 250 * 2 ** n;
      assert.equal(backoffDelay(n, 250, () => 0), base * 0.5);
      assert.ok(backoffDelay(n, 250, () => 0.999999) < base * 1.5 + 1);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(n, 250);
        assert.ok(d >= base * 0.5 && d <= base * 1.5, `delay ${d} for retry ${n} outside [${base * 0.5}, ${base * 1.5}]`);
      }
    }
  });

  test('is capped at 30 s before jitter', () => {
    assert.equal(backoffDelay(20, 1000, () => 0.5), 30_000);
    assert.ok(backoffDelay(40, 250) <= 45_000);
  });
});

describe('withRetry', () => {
  test('retries lock errors, then succeeds', async () => {
    let attempts = 0;
    const logger = recordingLogger();
    const value = await withRetry(
      async () => {
        attempts++;
        if (attempts < 3) throw new Error(duckLockMessage('/x/y.duckdb', 1234));
        return 'done';
      },
      { maxRetries: 5, delayMs: 1, logger, what: 'open /x/y.duckdb' },
    );
    assert.equal(value, 'done');
    assert.equal(attempts, 3);
    assert.equal(logger.lines.length, 2, 'one log line per retry');
    assert.match(logger.lines[0] ?? '', /retry 1\/5/);
  });

  test('gives up after maxRetries and throws a LockError naming the file and PID', async () => {
    let attempts = 0;
    await assert.rejects(
      withRetry(
        async () => {
          attempts++;
          throw new Error(duckLockMessage('/x/y.duckdb', 1234));
        },
        { maxRetries: 3, delayMs: 1, logger: recordingLogger(), what: 'open' },
      ),
      (e: unknown) => e instanceof LockError && e.file === '/x/y.duckdb' && e.pid === 1234 && /PID 1234/.test(e.message),
    );
    assert.equal(attempts, 4, 'first attempt + 3 retries');
  });

  test('maxRetries 0: one attempt only', async () => {
    let attempts = 0;
    await assert.rejects(
      withRetry(
        async () => {
          attempts++;
          throw new Error(duckLockMessage('/x/y.duckdb', 1));
        },
        { maxRetries: 0, delayMs: 1, logger: recordingLogger(), what: 'open' },
      ),
      LockError,
    );
    assert.equal(attempts, 1);
  });

  test('non-lock errors are not retried and are rethrown unchanged', async () => {
    let attempts = 0;
    const original = new Error('Catalog Error: Table with name x does not exist!');
    await assert.rejects(
      withRetry(
        async () => {
          attempts++;
          throw original;
        },
        { maxRetries: 5, delayMs: 1, logger: recordingLogger(), what: 'query' },
      ),
      (e: unknown) => e === original,
    );
    assert.equal(attempts, 1);
  });

  test('an aborted signal stops retrying', async () => {
    let attempts = 0;
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      withRetry(
        async () => {
          attempts++;
          throw new Error(duckLockMessage('/x/y.duckdb', 9));
        },
        { maxRetries: 5, delayMs: 1, logger: recordingLogger(), what: 'open', signal: controller.signal },
      ),
      LockError,
    );
    assert.equal(attempts, 1);
  });

  test('waits between attempts with growing delays', async () => {
    const times: number[] = [];
    await assert.rejects(
      withRetry(
        async () => {
          times.push(performance.now());
          throw new Error(duckLockMessage('/x/y.duckdb', 9));
        },
        { maxRetries: 2, delayMs: 20, logger: recordingLogger(), what: 'open' },
      ),
      LockError,
    );
    assert.equal(times.length, 3);
    // Jitter keeps each delay at ≥ 50% of delayMs·2ⁿ: ≥ 10 ms, then ≥ 20 ms (minus timer slack).
    assert.ok((times[1] as number) - (times[0] as number) >= 9);
    assert.ok((times[2] as number) - (times[1] as number) >= 19);
  });
});
