import { CommanderError } from 'commander';
import { SyncError, toSyncError, UsageError, type ExitCode } from '../errors.js';
import { redact } from '../log/redact.js';
import { printJson } from './output.js';

/** The `error` object of the --json contract: code, one-line message, hint, transient. */
function errorJson(error: unknown): { code: string; message: string; hint?: string; transient: boolean } {
  const e = asSyncError(error);
  const message = redact(e.message.split('\n')[0] ?? e.message, secrets());
  const hint = e.hint ? redact(e.hint, secrets()) : undefined;
  return { code: e.code, message, ...(hint ? { hint } : {}), transient: e.transient };
}

/**
 * Prints an error as one line plus a hint (stack only with --verbose); returns the exit code.
 * With --json, also the document `{ ok: false, error }`, merged into `document` when given.
 */
export function reportError(error: unknown, flags: { json?: boolean | undefined; verbose?: boolean | undefined }, document?: object): ExitCode {
  const e = asSyncError(error);
  const { message, hint } = errorJson(e);
  if (flags.json) printJson({ ...document, ok: false, error: errorJson(e) });
  process.stderr.write(`duckdb-sync: ${message}\n`);
  if (hint) process.stderr.write(`hint: ${hint}\n`);
  if (flags.verbose) {
    const cause = e instanceof SyncError && e.cause instanceof Error ? e.cause : e;
    process.stderr.write(redact(cause.stack ?? String(cause), secrets()) + '\n');
  }
  return e.exitCode;
}

function asSyncError(error: unknown): SyncError {
  return error instanceof CommanderError ? new UsageError(error.message.replace(/^error: /, ''), 'see duckdb-sync --help') : toSyncError(error);
}

function secrets(): Array<string | undefined> {
  return [process.env.MOTHERDUCK_TOKEN, process.env.motherduck_token];
}
