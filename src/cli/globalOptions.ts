import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommonOptions } from '../run/session.js';
import { loadConfig } from '../config/loadConfig.js';
import { FileLogger } from '../log/fileLogger.js';
import type { Logger } from '../log/logger.js';

/** Options accepted before or after the command name. */
export interface GlobalFlags {
  local?: string;
  remote?: string;
  config?: string;
  verbose?: boolean;
  json?: boolean;
  logDir?: string;
  maxRetries?: number;
  retryDelay?: number;
  memoryLimit?: string;
  maxTransactionRows?: number;
}

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('--local <path>', 'local DuckDB file (env DUCKDB_SYNC_LOCAL)')
    .option('--remote <uri>', 'md:<database> for MotherDuck, mdemu:<file> for its emulator (the MotherDuck code path on a local DuckDB file), or a DuckDB file standing in for the cloud (env DUCKDB_SYNC_REMOTE)')
    .option('--config <file>', 'config file (JSON or YAML); default: duckdb-sync.config.{json,yaml,yml} in the working directory')
    .option('--verbose', 'debug logging, and stack traces on errors')
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--log-dir <dir>', 'folder for daily log files (default: logs)')
    .addOption(new Option('--max-retries <n>', 'retries when a database file is locked (default: 5)').argParser(intIn(0, 100)))
    .addOption(new Option('--retry-delay <ms>', 'first retry delay in milliseconds, doubled each retry (default: 250)').argParser(intIn(1, 600_000)))
    .addOption(
      new Option('--max-transaction-rows <n>', 'rows one remote transaction may write: a larger push goes in parts, each committed on its own (default: 1000000 on MotherDuck, no limit on a file remote)').argParser(intIn(1000, 1_000_000_000)),
    )
    .option('--memory-limit <size>', 'memory DuckDB may use before it spills to temp files: "auto" (600MB; a table that does not fit is synced again with DuckDB\'s own limit), "auto:1GB", a fixed size such as 2GB, or "default" for DuckDB\'s own, 80% of RAM (env DUCKDB_SYNC_MEMORY_LIMIT; default: auto)');
}

/** Parses an integer option within bounds (commander reports the error, exit 2). */
export function intIn(min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function commonOptions(flags: GlobalFlags, logger: Logger): CommonOptions {
  return {
    config: flags.config,
    local: flags.local,
    remote: flags.remote,
    logDir: flags.logDir,
    maxRetries: flags.maxRetries,
    retryDelayMs: flags.retryDelay,
    memoryLimit: flags.memoryLimit,
    maxTransactionRows: flags.maxTransactionRows,
    logger,
  };
}

/** The CLI's logger: stderr and the daily log file; the token is redacted from every line. */
export function createCliLogger(flags: GlobalFlags): FileLogger {
  let logDir: string | undefined;
  let token: string | undefined = process.env.MOTHERDUCK_TOKEN;
  try {
    const config = loadConfig({ configPath: flags.config, overrides: { logDir: flags.logDir }, requireDatabases: false });
    logDir = config.logDir;
    token = config.motherduckToken;
  } catch {
    // The command itself reports a bad config; logging still goes to stderr.
  }
  return new FileLogger({ level: flags.verbose ? 'debug' : 'info', logDir, secrets: [token, process.env.MOTHERDUCK_TOKEN] });
}
