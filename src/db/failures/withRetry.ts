import { RemoteUnavailableError, type SyncError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { asLockError } from './lockError.js';

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First delay in milliseconds; doubles each retry, with ±50% jitter. */
  delayMs: number;
  logger: Logger;
  /** What is being attempted, for the log. */
  what: string;
  signal?: AbortSignal;
  /** Which errors are retried: by default DuckDB lock conflicts and a remote that could not be reached. */
  retryOn?: (error: unknown) => SyncError | undefined;
  /** Runs before each retry (e.g. attach the remote again). */
  beforeRetry?: () => Promise<void>;
}

/** A lock conflict, or a remote that could not be reached (a network error): both may pass. */
function passingError(error: unknown): SyncError | undefined {
  return asLockError(error) ?? (error instanceof RemoteUnavailableError ? error : undefined);
}

/** Runs `attempt`, retrying errors that may pass with exponential backoff and jitter. */
export async function withRetry<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const retryOn = options.retryOn ?? passingError;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = retryOn(error);
      if (!retryable) throw error;
      if (n >= options.maxRetries || options.signal?.aborted) throw retryable;
      const delay = backoffDelay(n, options.delayMs);
      options.logger.debug(`${options.what}: ${retryable.message}; retry ${n + 1}/${options.maxRetries} in ${delay} ms`);
      await sleep(delay);
      await options.beforeRetry?.();
    }
  }
}

/** Delay before retry `n` (0-based): delayMs·2ⁿ, jittered into [50%, 150%), capped at 30 s. */
export function backoffDelay(n: number, delayMs: number, random: () => number = Math.random): number {
  const base = Math.min(delayMs * 2 ** n, 30_000);
  return Math.round(base * (0.5 + random()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
