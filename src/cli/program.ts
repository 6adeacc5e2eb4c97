import { Command, CommanderError } from 'commander';
import { conflictsCommand } from './commands/conflictsCommand.js';
import { daemonCommand } from './commands/daemonCommand.js';
import { demoCommand } from './commands/demoCommand.js';
import { execCommand } from './commands/execCommand.js';
import { scheduleCommand } from './commands/scheduleCommand.js';
import { statusCommand } from './commands/statusCommand.js';
import { syncCommand } from './commands/syncCommand.js';
import { verifyCommand } from './commands/verifyCommand.js';
import { toSyncError } from '../errors.js';
import { addGlobalOptions, createCliLogger, type GlobalFlags } from './globalOptions.js';
import { DocumentedError } from './documentedError.js';
import { reportError } from './reportError.js';

export const VERSION = '0.1.0';

/** Builds the CLI. `exit` receives the exit code of the command that ran. */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const run = async (action: () => Promise<number>, flags: GlobalFlags): Promise<void> => {
    try {
      setExitCode(await action());
    } catch (thrown) {
      const error = thrown instanceof DocumentedError ? thrown.error : thrown;
      const code = reportError(error, flags, thrown instanceof DocumentedError ? thrown.document : undefined);
      // Unattended runs (cron) look in the log file: the error goes there too.
      const e = toSyncError(error);
      createCliLogger(flags).fileOnly('error', `${e.message}${e.hint ? ` (hint: ${e.hint})` : ''} [${e.code}]`);
      setExitCode(code);
    }
  };
  const program = new Command('duckdb-sync')
    .description('Keep a local DuckDB file and a cloud DuckDB database (MotherDuck) in sync.')
    .version(VERSION)
    .showHelpAfterError(false)
    .configureOutput({ outputError: () => undefined })
    .exitOverride()
    .enablePositionalOptions();
  addGlobalOptions(program);
  for (const cmd of [syncCommand(run), execCommand(run), statusCommand(run), conflictsCommand(run), verifyCommand(run), demoCommand(run), scheduleCommand(run), daemonCommand(run)]) {
    program.addCommand(cmd.exitOverride().configureOutput({ outputError: () => undefined }));
  }
  return program;
}

/** Parses argv and runs; returns the exit code (0 ok, 1 failure or differences, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help')) {
      return 0;
    }
    const flags = { json: argv.includes('--json'), verbose: argv.includes('--verbose') };
    return reportError(error, flags);
  }
  return code;
}
