import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseNotFoundError, UsageError } from '../errors.js';

/** A remote kept in a DuckDB file (a file remote, the emulator) must exist, be a file, and not be the local file. */
export function checkRemoteFile(path: string, localPath: string, createHint: string): void {
  const folder = dirname(path);
  if (!existsSync(folder)) {
    throw new DatabaseNotFoundError(`remote folder does not exist: ${folder}`, 'check --remote; the remote must be an existing DuckDB file');
  }
  if (!existsSync(path)) throw new DatabaseNotFoundError(`remote database file does not exist: ${path}`, `check --remote; ${createHint}`);
  if (!statSync(path).isFile()) throw new DatabaseNotFoundError(`remote is not a file: ${path}`, 'give the path of a DuckDB database file');
  if (resolve(path) === resolve(localPath)) {
    throw new UsageError(`the local and the remote are the same file: ${localPath}`, 'give --local and --remote different files');
  }
}
