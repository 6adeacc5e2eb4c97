import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { newerStorageError } from '../../duckdb/databaseFile.js';
import { quoteIdent, quoteLiteral } from '../../duckdb/quote.js';
import type { SyncError } from '../../errors.js';
import { REMOTE_ALIAS } from './attachAlias.js';
import { checkRemoteFile } from '../checkRemoteFile.js';
import type { RemoteStatement } from '../remoteStatement.js';
import type { RemoteFingerprints, Remote, RemoteOptions } from '../remote.js';

/**
 * A DuckDB file standing in for the cloud (tests, demos, air-gapped setups). Read by this process,
 * so DuckDB's own hash() compares rows across the sides. Attached only while a step needs it, and
 * read-only when the step only reads: DuckDB lets one process open a file read-write, and other
 * clients may want it in between.
 */
export class FileRemote implements Remote {
  readonly kind = 'file' as const;
  readonly catalog = REMOTE_ALIAS;
  readonly needsToken = false;
  readonly latencyMs = 0;
  readonly releasedBetweenSteps = true;
  readonly sharedFile = undefined;
  readonly storage = 'duckdb' as const;
  readonly defaultTransactionRows = undefined;
  readonly readOnlyAttach = true;
  readonly readOnly = undefined;
  readonly fingerprints: RemoteFingerprints;

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
    const name = basename(this.path).split('.')[0] ?? 'analytics';
    checkRemoteFile(this.path, localPath, `create it first (for a demo: duckdb-sync demo), or use md:${name} for MotherDuck`);
  }

  async prepare(): Promise<void> {
    // Nothing to load: DuckDB opens its own files.
  }

  attachStatement(readOnly: boolean): string {
    return `ATTACH ${quoteLiteral(this.path)} AS ${quoteIdent(this.catalog)}${readOnly ? ' (READ_ONLY)' : ''}`;
  }

  readonly attachNote = undefined;

  async afterAttach(): Promise<void> {
    // A file has nothing to learn after its attach.
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

  inspect(statement: RemoteStatement): string {
    // A file takes any statement DuckDB takes.
    return statement.sql;
  }

  classifyError(message: string): SyncError | undefined {
    return newerStorageError(message, this.path, 'remote');
  }
}
