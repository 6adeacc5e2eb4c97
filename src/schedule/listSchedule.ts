import { parseCronLine } from './cronEntry.js';
import { nextCronRun } from '../config/cronExpression.js';
import { systemCrontab, type CrontabAccess } from './crontab.js';
import { findManagedEntry } from './crontabText.js';

export type ListedSchedule =
  | { installed: false }
  | {
      installed: true;
      /** The job line as it is in the crontab. */
      line: string;
      /** The cron schedule, e.g. `0 3 * * *`. */
      schedule: string;
      /** The command cron hands to sh. */
      command: string;
      /** The next run (host local time, as cron uses it); null when the schedule never fires. */
      nextRun: Date | null;
    };

/** duckdb-sync's entry in the current user's crontab, and when it runs next. */
export async function listSchedule(options: { crontab?: CrontabAccess | undefined; now?: Date } = {}): Promise<ListedSchedule> {
  const crontab = options.crontab ?? systemCrontab();
  const found = findManagedEntry(await crontab.read());
  const parsed = found?.line === undefined ? undefined : parseCronLine(found.line);
  if (!found?.line || !parsed) return { installed: false };
  let nextRun: Date | null = null;
  try {
    nextRun = nextCronRun(parsed.schedule, options.now);
  } catch {
    // An entry edited by hand into something croner cannot read: shown without a next run.
  }
  return { installed: true, line: found.line, schedule: parsed.schedule, command: parsed.command, nextRun };
}
