import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkDatabaseFile } from '../duckdb/databaseFile.js';
import { DatabaseNotFoundError, UsageError } from '../errors.js';

/** A remote kept in a DuckDB file (a file remote, the emulator) must exist, be a DuckDB database, and not be the local file. */
export function checkRemoteFile(path: string, localPath: string, createHint: string): void {
  const folder = dirname(path);
  if (!existsSync(folder)) {
    throw new DatabaseNotFoundError(`remote folder does not exist: ${folder}`, 'check --remote; the remote must be an existing DuckDB file');
  }
  if (!existsSync(path)) throw new DatabaseNotFoundError(`remote database file does not exist: ${path}`, `check --remote; ${createHint}`);
  checkDatabaseFile(path, 'remote');
  if (resolve(path) === resolve(localPath)) {
    throw new UsageError(`the local and the remote are the same file: ${localPath}`, 'give --local and --remote different files');
  }
}
