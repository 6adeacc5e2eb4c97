import type { Logger } from '../../log/logger.js';
import { asLockError } from './lockError.js';

/** How long a step waits for an emulated server's file that another client's steps hold. */
export const SHARED_FILE_WAIT_MS = 120_000;

/**
 * Runs `attempt` (taking an emulated server's file), again while another process holds the file:
 * a server queues a client rather than refusing it, so this waits, polling every 25–500 ms, up to
 * `waitMs`, then throws the LockError. Other errors are thrown at once.
 */
export async function waitWhileHeld<T>(attempt: () => Promise<T>, logger: Logger, what: string, waitMs = SHARED_FILE_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const lock = asLockError(error);
      if (!lock) throw error;
      if (Date.now() >= deadline) throw lock;
      if (n === 0) logger.debug(`${what}: another client's step holds the file; waiting for it`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(25 * 2 ** n, 500)));
    }
  }
}
