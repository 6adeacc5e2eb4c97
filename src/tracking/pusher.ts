import { backoffDelay } from '../db/failures/withRetry.js';
import { PushError, toSyncError, type SyncError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { SerialQueue } from './serialQueue.js';
import type { SyncResult } from '../engine/api.js';

export interface PusherOptions {
  /** Pushes what is marked dirty; resolves with the per-table results. */
  push: () => Promise<SyncResult>;
  /** Quiet time after the last write before a background push. */
  debounceMs: number;
  /** The longest a write waits for its background push while writes keep coming (a ceiling on the debounce). */
  maxDelayMs: number;
  /** Retry failed pushes in the background (else only the next flush() or schedule() pushes). */
  retry: boolean;
  /** First delay before retrying a failed push; doubles (with ±50% jitter) up to 30 s. */
  retryMs: number;
  logger: Logger;
  onPushed: (result: SyncResult) => void;
  onError: (error: SyncError) => void;
}

/**
 * Background pushes: debounced after writes (a burst of writes makes one push), but never later
 * than `maxDelayMs` after the first write not yet pushed (a steady writer is pushed too); one at a
 * time, retried with backoff after a failure (the tables stay marked dirty meanwhile). `flush()`
 * pushes at once, after the push in progress, and rejects when that push fails.
 */
export class Pusher {
  private debounce: NodeJS.Timeout | undefined;
  /** When the first write that no push has started for happened (ms since the epoch). */
  private waitingSince: number | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly queue = new SerialQueue();
  private closed = false;

  constructor(private readonly options: PusherOptions) {}

  /** A write happened: push after the debounce delay (restarted by further writes), or at the ceiling. */
  schedule(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    const now = Date.now();
    this.waitingSince ??= now;
    const ceiling = this.waitingSince + this.options.maxDelayMs - now;
    this.debounce = setTimeout(() => this.background(), Math.max(0, Math.min(this.options.debounceMs, ceiling)));
  }

  /** Pushes now (after the push in progress, if any); rejects with the error when the push fails. */
  flush(): Promise<SyncResult> {
    clearTimeout(this.debounce);
    this.debounce = undefined;
    this.waitingSince = undefined;
    return this.enqueue();
  }

  /** Stops scheduling; waits for the push in progress. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.debounce);
    clearTimeout(this.retry);
    await this.queue.idle();
  }

  private background(): void {
    this.debounce = undefined;
    // Writes from now on wait for the next push: their ceiling starts with the first of them.
    this.waitingSince = undefined;
    // Failures are reported through onError and retried: nothing to do with the rejection here.
    this.enqueue().catch(() => undefined);
  }

  /** Runs `task` between pushes, never alongside one. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run(task);
  }

  private enqueue(): Promise<SyncResult> {
    return this.exclusive(() => this.attempt());
  }

  private async attempt(): Promise<SyncResult> {
    clearTimeout(this.retry);
    this.retry = undefined;
    try {
      const result = await this.options.push();
      const failed = result.tables.filter((t) => t.status === 'error');
      if (failed.length) throw new PushError(failed);
      this.failures = 0;
      if (result.tables.length) this.options.onPushed(result);
      return result;
    } catch (error) {
      const e = toSyncError(error);
      this.failures++;
      if (!this.closed && this.options.retry) {
        const delay = backoffDelay(this.failures - 1, this.options.retryMs);
        this.options.logger.warn(`push failed (attempt ${this.failures}): ${e.message}; retrying in ${(delay / 1000).toFixed(1)} s`, { code: e.code });
        // The retry timer does not keep the process alive: the marks are durable, the next start pushes them.
        this.retry = setTimeout(() => this.background(), delay);
        this.retry.unref();
      }
      this.options.onError(e);
      throw e;
    }
  }
}
