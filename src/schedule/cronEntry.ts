import { UsageError } from '../errors.js';
import { shellQuote } from './shellQuote.js';

/** Name of the file in the log directory that receives the scheduled runs' output. */
export const CRON_OUTPUT_FILE = 'duckdb-sync-cron.log';

/** What the crontab entry runs. Every path must be absolute: cron starts jobs in a bare environment. */
export interface CronEntrySpec {
  hour: number;
  minute: number;
  /** The entry `cd`s here first (config discovery and relative paths in the config work as when scheduling). */
  workingDir: string;
  /** Absolute path of the node binary. */
  nodePath: string;
  /** Absolute path of the CLI script (dist/bin/duckdb-sync.js). */
  cliPath: string;
  /** CLI arguments, e.g. `sync --mode full --config /abs/duckdb-sync.config.json`. */
  args: string[];
  /** A `KEY=value` file sourced (exported) before the CLI starts: where the token comes from. */
  envFile?: string | undefined;
  /** stdout and stderr of every run are appended here. */
  outputFile: string;
}

export interface CronEntry {
  /** The five schedule fields, e.g. `0 3 * * *`. */
  schedule: string;
  /** The command as `sh -c` receives it. */
  command: string;
  /** The crontab line (the command with `%` escaped for cron). */
  line: string;
}

/** Builds the crontab line; every word is quoted for sh, every `%` escaped for cron. */
export function buildCronEntry(spec: CronEntrySpec): CronEntry {
  for (const [what, value] of [
    ['working directory', spec.workingDir],
    ['node path', spec.nodePath],
    ['CLI path', spec.cliPath],
    ['output file', spec.outputFile],
    ['env file', spec.envFile ?? ''],
    ...spec.args.map((a) => ['argument', a]),
  ] as const) {
    if (/[\n\r\0]/.test(value)) throw new UsageError(`cannot schedule: the ${what} contains a line break: ${JSON.stringify(value)}`, 'use paths without line breaks');
  }
  if (!Number.isInteger(spec.hour) || spec.hour < 0 || spec.hour > 23) throw new UsageError(`invalid hour: ${spec.hour}`, 'the hour is an integer from 0 to 23');
  if (!Number.isInteger(spec.minute) || spec.minute < 0 || spec.minute > 59) throw new UsageError(`invalid minute: ${spec.minute}`, 'the minute is an integer from 0 to 59');
  const steps = [`cd ${shellQuote(spec.workingDir)}`];
  if (spec.envFile) steps.push('set -a', `. ${shellQuote(spec.envFile)}`, 'set +a');
  steps.push(['exec', spec.nodePath, spec.cliPath, ...spec.args].map((w, i) => (i === 0 ? w : shellQuote(w))).join(' '));
  const command = `{ ${steps.join(' && ')}; } >> ${shellQuote(spec.outputFile)} 2>&1`;
  const schedule = `${spec.minute} ${spec.hour} * * *`;
  return { schedule, command, line: `${schedule} ${escapeCronPercent(command)}` };
}

/** cron turns an unescaped `%` into a newline; `\%` reaches the shell as `%`. */
export function escapeCronPercent(command: string): string {
  return command.replace(/%/g, '\\%');
}

/** Splits a crontab job line into its schedule and the command cron hands to sh. */
export function parseCronLine(line: string): { schedule: string; command: string } | undefined {
  const match = line.startsWith('@') ? /^(@\S+)\s+(.*)$/.exec(line) : /^((?:\S+\s+){4}\S+)\s+(.*)$/.exec(line);
  if (!match) return undefined;
  const schedule = (match[1] ?? '').trim().replace(/\s+/g, ' ');
  let command = '';
  const raw = match[2] ?? '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '\\' && raw[i + 1] === '%') {
      command += '%';
      i++;
    } else if (ch === '%') {
      break; // the rest is the job's standard input; our entries have none
    } else {
      command += ch;
    }
  }
  return { schedule, command };
}
