import { Cron } from 'croner';

/**
 * Cron expressions (5 fields, or 6 with seconds first) are parsed by croner. Times are the host's
 * local time, as cron uses them.
 */

/** Why `expression` is not a valid cron expression, or undefined when it is. */
export function cronExpressionError(expression: string): string | undefined {
  try {
    const job = new Cron(expression);
    if (job.nextRun() === null) return `invalid cron expression "${expression}": it never runs`;
    return undefined;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return `invalid cron expression "${expression}": ${detail}`;
  }
}

/** The next time `expression` fires after `from` (default: now), or null when it never does. */
export function nextCronRun(expression: string, from: Date = new Date()): Date | null {
  return new Cron(expression).nextRun(from);
}
