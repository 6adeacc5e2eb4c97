import { silentLogger, type Logger } from '../log/logger.js';
import { systemCrontab, type CrontabAccess } from './crontab.js';
import { assertRewritable, findManagedEntry, withoutManagedEntry } from './crontabText.js';

/**
 * Removes duckdb-sync's entry (marker and job line) from the current user's crontab; every other
 * line stays as it is. Returns whether there was one. A token file written by `schedule` is kept.
 */
export async function removeSchedule(options: { crontab?: CrontabAccess | undefined; logger?: Logger | undefined } = {}): Promise<{ removed: boolean }> {
  const crontab = options.crontab ?? systemCrontab();
  const current = await crontab.read();
  if (!findManagedEntry(current)) return { removed: false };
  assertRewritable(current);
  await crontab.write(withoutManagedEntry(current));
  (options.logger ?? silentLogger).info('removed the duckdb-sync crontab entry');
  return { removed: true };
}
