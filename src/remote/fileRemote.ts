import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { quoteIdent, quoteLiteral } from '../db/quote.js';
import { DatabaseNotFoundError, UsageError } from '../errors.js';
import { REMOTE_ALIAS } from './attachAlias.js';
import type { FingerprintScheme, Remote, RemoteOptions } from './remote.js';

/**
 * A DuckDB file standing in for the cloud (tests, demos, air-gapped setups). Read by this process,
 * so DuckDB's own hash() compares rows across the sides. Attached only while a step needs it: DuckDB
 * lets one process open a file read-write, and other clients may want it in between.
 */
export class FileRemote implements Remote {
  readonly kind = 'file' as const;
  readonly catalog = REMOTE_ALIAS;
  readonly releasedBetweenSteps = true;
  readonly fingerprints: FingerprintScheme;

  constructor(
    readonly uri: string,
    options: RemoteOptions = {},
  ) {
    this.fingerprints = options.fingerprints ?? 'engine';
  }

  get path(): string {
    return this.uri;
  }

  check(localPath: string): void {
    const folder = dirname(this.path);
    if (!existsSync(folder)) {
      throw new DatabaseNotFoundError(`remote folder does not exist: ${folder}`, 'check --remote; a file remote must be an existing DuckDB file');
    }
    if (!existsSync(this.path)) {
      throw new DatabaseNotFoundError(
        `remote database file does not exist: ${this.path}`,
        `check --remote; create it first (for a demo: duckdb-sync demo), or use md:${basename(this.path).replace(/\.\w+$/, '')} for MotherDuck`,
      );
    }
    if (!statSync(this.path).isFile()) {
      throw new DatabaseNotFoundError(`remote is not a file: ${this.path}`, 'give the path of a DuckDB database file');
    }
    if (resolve(this.path) === resolve(localPath)) {
      throw new UsageError(`the local and the remote are the same file: ${localPath}`, 'give --local and --remote different files');
    }
  }

  async prepare(): Promise<void> {
    // Nothing to load: DuckDB opens its own files.
  }

  attachStatement(readOnly: boolean): string {
    return `ATTACH ${quoteLiteral(this.path)} AS ${quoteIdent(this.catalog)}${readOnly ? ' (READ_ONLY)' : ''}`;
  }

  detachStatement(): string {
    return `DETACH DATABASE IF EXISTS ${quoteIdent(this.catalog)}`;
  }

  walBytes(): number {
    try {
      return statSync(`${this.path}.wal`).size;
    } catch {
      return 0;
    }
  }
}
