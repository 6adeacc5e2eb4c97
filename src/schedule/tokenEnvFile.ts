import { closeSync, fchmodSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { shellQuote } from './shellQuote.js';

/** The file, next to the config file (or in the working directory), that holds the token for cron. */
export const TOKEN_ENV_FILE = 'duckdb-sync.env';

/**
 * Writes `MOTHERDUCK_TOKEN=…` to `path` with mode 0600 (owner read/write only). The file is written
 * under a temporary name and renamed, so it is never visible with wider permissions or half written.
 */
export function writeTokenEnvFile(path: string, token: string): void {
  // The value must survive sourcing by sh; the message never contains the token.
  if (/[\0-\x1f\x7f]/.test(token)) throw new ConfigError('MOTHERDUCK_TOKEN contains control characters', 'copy the token again, without line breaks');
  const text =
    '# MotherDuck token for the scheduled sync (written by `duckdb-sync schedule`; keep this file mode 0600 and out of version control)\n' +
    `MOTHERDUCK_TOKEN=${shellQuote(token)}\n`;
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
