import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CommonOptions } from '../run/session.js';
import { loadConfig, readConfigFile } from '../config/loadConfig.js';
import { checkDatabaseFiles } from '../run/session.js';
import { ConfigError, UsageError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import { parseRemote } from '../remote/parseRemote.js';
import { cliEntryPoint } from './cliEntryPoint.js';
import { buildCronEntry, CRON_OUTPUT_FILE } from './cronEntry.js';
import { nextCronRun } from '../config/cronExpression.js';
import { systemCrontab, type CrontabAccess } from './crontab.js';
import { assertRewritable, withManagedEntry } from './crontabText.js';
import { scheduleSettingsOf } from './scheduleSettings.js';
import { TOKEN_ENV_FILE, writeTokenEnvFile } from './tokenEnvFile.js';

export interface InstallScheduleOptions extends CommonOptions {
  /** Hour of the daily full sync, 0–23; default: `schedule.hour` in the config, else 3. */
  hour?: number | undefined;
  /** Minute, 0–59; default: `schedule.minute` in the config, else 0. */
  minute?: number | undefined;
  /** Node binary the entry runs; default: the one running now. */
  nodePath?: string | undefined;
  /** CLI script the entry runs; default: this package's `bin`, dist/bin/duckdb-sync.js. */
  cliPath?: string | undefined;
  crontab?: CrontabAccess | undefined;
}

/**
 * Where the scheduled run finds the MotherDuck token: `env-file` (a mode-0600 file sourced by the
 * entry), `config` (the config file's motherduckToken), or `none` (a file remote needs none).
 */
export type TokenSource = 'none' | 'config' | 'env-file';

export interface InstalledSchedule {
  /** True when an existing duckdb-sync entry was replaced. */
  replaced: boolean;
  hour: number;
  minute: number;
  /** The cron schedule, e.g. `0 3 * * *`. */
  schedule: string;
  /** The command cron runs with sh. */
  command: string;
  /** The line written to the crontab. */
  line: string;
  nextRun: Date | null;
  /** stdout and stderr of each run are appended here. */
  outputFile: string;
  tokenSource: TokenSource;
  /** The token file the entry sources (tokenSource `env-file`). */
  envFile?: string | undefined;
  /** True when that file was (re)written now from MOTHERDUCK_TOKEN. */
  envFileWritten?: boolean | undefined;
}

/**
 * Installs (or replaces) the crontab entry that runs a full sync every day at hour:minute. The
 * entry uses absolute paths only and reads the token at run time; the token is never in the crontab.
 */
export async function installSchedule(options: InstallScheduleOptions = {}): Promise<InstalledSchedule> {
  const logger = options.logger ?? silentLogger;
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const config = loadConfig({ configPath: options.config, cwd, env, overrides: options });
  // A wrong path is refused now rather than every night (a remote file or the token may come later).
  checkDatabaseFiles(config, 'later');
  const file = config.configPath ? readConfigFile(config.configPath) : {};
  const settings = scheduleSettingsOf(file);
  const hour = checkedInt('hour', options.hour ?? settings.hour, 23);
  const minute = checkedInt('minute', options.minute ?? settings.minute, 59);

  const nodePath = resolve(options.nodePath ?? process.execPath);
  const cliPath = resolve(options.cliPath ?? cliEntryPoint());
  if (!existsSync(nodePath)) throw new UsageError(`node was not found at ${nodePath}`, 'pass the absolute path of the node binary');
  if (!existsSync(cliPath)) throw new UsageError(`the duckdb-sync CLI was not found at ${cliPath}`, 'build it first (npm run build)');

  const args = ['sync', '--mode', 'full'];
  if (options.config !== undefined && config.configPath) args.push('--config', config.configPath);
  if (options.local !== undefined || nonEmpty(env.DUCKDB_SYNC_LOCAL)) args.push('--local', config.local);
  if (options.remote !== undefined || nonEmpty(env.DUCKDB_SYNC_REMOTE)) args.push('--remote', config.remote);
  if (options.logDir !== undefined) args.push('--log-dir', config.logDir);
  if (options.maxRetries !== undefined) args.push('--max-retries', String(options.maxRetries));
  if (options.retryDelayMs !== undefined) args.push('--retry-delay', String(options.retryDelayMs));

  // The token: from the environment into a 0600 file the entry sources, else the config file.
  const givenToken = nonEmpty(options.motherduckToken) ?? nonEmpty(env.MOTHERDUCK_TOKEN) ?? nonEmpty(env.motherduck_token);
  const envFile = join(config.configPath ? dirname(config.configPath) : cwd, TOKEN_ENV_FILE);
  let tokenSource: TokenSource = 'none';
  if (parseRemote(config.remote).needsToken) {
    if (givenToken) tokenSource = 'env-file';
    else if (file.motherduckToken) tokenSource = 'config';
    else if (existsSync(envFile)) tokenSource = 'env-file';
    else {
      throw new ConfigError(
        'the scheduled sync needs a MotherDuck token for the md: remote, and none was found',
        `set MOTHERDUCK_TOKEN when running duckdb-sync schedule (it is saved to ${envFile} with mode 0600), or set motherduckToken in the config file`,
      );
    }
  }

  const outputFile = join(config.logDir, CRON_OUTPUT_FILE);
  const entry = buildCronEntry({
    hour,
    minute,
    workingDir: cwd,
    nodePath,
    cliPath,
    args,
    envFile: tokenSource === 'env-file' ? envFile : undefined,
    outputFile,
  });
  for (const secret of [givenToken, file.motherduckToken, config.motherduckToken]) {
    if (secret && secret.length >= 4 && entry.line.includes(secret)) {
      throw new ConfigError('refusing to write the MotherDuck token into the crontab (a path or argument contains it)', 'use paths that do not contain the token');
    }
  }

  const crontab = options.crontab ?? systemCrontab();
  const current = await crontab.read(); // fails first when there is no crontab program
  assertRewritable(current);
  const { text, replaced } = withManagedEntry(current, entry.line);
  const envFileWritten = tokenSource === 'env-file' && givenToken !== undefined;
  if (envFileWritten) writeTokenEnvFile(envFile, givenToken as string);
  mkdirSync(config.logDir, { recursive: true });
  await crontab.write(text);

  const nextRun = nextCronRun(entry.schedule);
  logger.info(`${replaced ? 'replaced' : 'installed'} the crontab entry: full sync daily at ${pad(hour)}:${pad(minute)}`, {
    token: tokenSource,
    output: outputFile,
  });
  return {
    replaced,
    hour,
    minute,
    schedule: entry.schedule,
    command: entry.command,
    line: entry.line,
    nextRun,
    outputFile,
    tokenSource,
    ...(tokenSource === 'env-file' ? { envFile, envFileWritten } : {}),
  };
}

function checkedInt(name: 'hour' | 'minute', value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new UsageError(`invalid ${name}: ${value} (expected an integer from 0 to ${max})`, 'for example --hour 3 --minute 30 runs the sync daily at 03:30');
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
