import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { installSchedule, type InstalledSchedule } from '../../schedule/installSchedule.js';
import { listSchedule, type ListedSchedule } from '../../schedule/listSchedule.js';
import { removeSchedule } from '../../schedule/removeSchedule.js';
import { addGlobalOptions, commonOptions, createCliLogger, type GlobalFlags } from '../globalOptions.js';
import { printJson, println } from '../output.js';

interface ScheduleFlags extends GlobalFlags {
  hour?: string;
  minute?: string;
  remove?: boolean;
  list?: boolean;
}

export function scheduleCommand(run: (action: () => Promise<number>, flags: GlobalFlags) => Promise<void>): Command {
  const cmd = new Command('schedule')
    .description('install a daily full sync in your crontab (one entry, replaced when run again); --list shows it, --remove deletes it')
    .option('--hour <H>', 'hour of the daily full sync, 0-23 (default: 3, or schedule.hour in the config)')
    .option('--minute <M>', 'minute, 0-59 (default: 0, or schedule.minute in the config)')
    .option('--remove', 'remove the duckdb-sync entry from the crontab (other entries stay)')
    .option('--list', 'show the duckdb-sync entry and its next run');
  addGlobalOptions(cmd).action(async (_opts: ScheduleFlags, command: Command) => {
    const flags = command.optsWithGlobals<ScheduleFlags>();
    await run(async () => {
      const hour = parseTimeFlag('--hour', flags.hour, 23);
      const minute = parseTimeFlag('--minute', flags.minute, 59);
      if (flags.remove && flags.list) throw new UsageError('--remove and --list cannot be used together', 'run them one after the other');
      if ((flags.remove || flags.list) && (hour !== undefined || minute !== undefined)) {
        throw new UsageError(`--${flags.remove ? 'remove' : 'list'} takes no --hour or --minute`, 'to change the time, run duckdb-sync schedule --hour H --minute M');
      }
      const logger = createCliLogger(flags);
      if (flags.list) {
        const listed = await listSchedule();
        if (flags.json) printJson(listJson(listed));
        else printListed(listed);
        return 0;
      }
      if (flags.remove) {
        const { removed } = await removeSchedule({ logger });
        if (flags.json) printJson({ ok: true, removed });
        else println(removed ? 'removed the duckdb-sync entry from the crontab' : 'there was no duckdb-sync entry in the crontab; nothing changed');
        return 0;
      }
      const installed = await installSchedule({ ...commonOptions(flags, logger), hour, minute });
      if (flags.json) printJson(installJson(installed));
      else printInstalled(installed);
      return 0;
    }, flags);
  });
  return cmd;
}

/** An integer option within 0..max; anything else is a usage error (exit 2). */
function parseTimeFlag(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) > max) {
    throw new UsageError(`${name} must be an integer from 0 to ${max}, got "${value}"`, 'for example --hour 3 --minute 30 runs the sync daily at 03:30');
  }
  return Number(text);
}

function installJson(s: InstalledSchedule): object {
  return {
    ok: true,
    action: s.replaced ? 'replaced' : 'installed',
    schedule: s.schedule,
    hour: s.hour,
    minute: s.minute,
    nextRun: s.nextRun?.toISOString() ?? null,
    command: s.command,
    line: s.line,
    outputFile: s.outputFile,
    tokenSource: s.tokenSource,
    ...(s.envFile ? { envFile: s.envFile, envFileWritten: s.envFileWritten } : {}),
  };
}

function listJson(s: ListedSchedule): object {
  if (!s.installed) return { ok: true, installed: false };
  return { ok: true, installed: true, schedule: s.schedule, nextRun: s.nextRun?.toISOString() ?? null, command: s.command, line: s.line };
}

function printInstalled(s: InstalledSchedule): void {
  println(`${s.replaced ? 'replaced the duckdb-sync entry' : 'installed'}: full sync daily at ${hhmm(s.hour, s.minute)} (cron "${s.schedule}")`);
  println(`next run: ${formatLocal(s.nextRun)}`);
  println(`output:   ${s.outputFile}`);
  const token =
    s.tokenSource === 'env-file'
      ? `read at run time from ${s.envFile} (mode 0600${s.envFileWritten ? ', written now from MOTHERDUCK_TOKEN' : ''}); never in the crontab`
      : s.tokenSource === 'config'
        ? 'read at run time from the config file; never in the crontab'
        : 'not needed (file remote)';
  println(`token:    ${token}`);
}

function printListed(s: ListedSchedule): void {
  if (!s.installed) {
    println('there is no duckdb-sync entry in the crontab (install one with duckdb-sync schedule)');
    return;
  }
  println(`schedule: ${s.schedule}`);
  println(`next run: ${formatLocal(s.nextRun)}`);
  println(`command:  ${s.command}`);
}

function hhmm(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** A date in the host's local time, as cron reads the schedule. */
function formatLocal(date: Date | null): string {
  if (!date) return 'never';
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())} (local time)`;
}
