import { CommanderError } from 'commander';
import { SyncError, toSyncError, UsageError, type ExitCode } from '../errors.js';
import { redact } from '../log/redact.js';
import { printJson } from './output.js';

/** Prints an error as one line plus a hint (stack only with --verbose); returns the exit code. */
export function reportError(error: unknown, flags: { json?: boolean | undefined; verbose?: boolean | undefined }): ExitCode {
  const e = error instanceof CommanderError ? new UsageError(error.message.replace(/^error: /, ''), 'see duckdb-sync --help') : toSyncError(error);
  const secrets = [process.env.MOTHERDUCK_TOKEN, process.env.motherduck_token];
  const message = redact(e.message.split('\n')[0] ?? e.message, secrets);
  const hint = e.hint ? redact(e.hint, secrets) : undefined;
  if (flags.json) {
    printJson({ ok: false, error: { code: e.code, message, ...(hint ? { hint } : {}), transient: e.transient } });
  }
  process.stderr.write(`duckdb-sync: ${message}\n`);
  if (hint) process.stderr.write(`hint: ${hint}\n`);
  if (flags.verbose) {
    const cause = e instanceof SyncError && e.cause instanceof Error ? e.cause : e;
    process.stderr.write(redact(cause.stack ?? String(cause), secrets) + '\n');
  }
  return e.exitCode;
}
