import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { DatabaseNotFoundError, MissingTokenError, UsageError } from '../errors.js';
import { quoteLiteral } from './quote.js';

/** The catalog alias the remote is attached under. */
export const REMOTE_ALIAS = 'duckdb_sync_remote';

export type RemoteSpec =
  | { kind: 'motherduck'; database: string; uri: string }
  | { kind: 'file'; path: string; uri: string };

/** Parses `md:<database>` or a file path. */
export function parseRemote(uri: string): RemoteSpec {
  if (uri.startsWith('md:')) {
    const database = uri.slice(3);
    if (!/^[^?'"\s;]+$/.test(database)) {
      throw new UsageError(`invalid MotherDuck remote: ${uri}`, 'use md:<database>, for example md:analytics');
    }
    return { kind: 'motherduck', database, uri };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new UsageError(`unsupported remote: ${uri}`, 'use md:<database> for MotherDuck or the path of a DuckDB file');
  }
  return { kind: 'file', path: uri, uri };
}

/** Checks what can be checked before any work: the token for md:, the file for a file remote. */
export function checkRemote(spec: RemoteSpec, token: string | undefined): void {
  if (spec.kind === 'motherduck') {
    if (!token) throw new MissingTokenError();
    return;
  }
  const folder = dirname(spec.path);
  if (!existsSync(folder)) {
    throw new DatabaseNotFoundError(`remote folder does not exist: ${folder}`, 'check --remote; a file remote must be an existing DuckDB file');
  }
  if (!existsSync(spec.path)) {
    throw new DatabaseNotFoundError(
      `remote database file does not exist: ${spec.path}`,
      `check --remote; create it first (for a demo: duckdb-sync demo), or use md:${basename(spec.path).replace(/\.\w+$/, '')} for MotherDuck`,
    );
  }
  if (!statSync(spec.path).isFile()) {
    throw new DatabaseNotFoundError(`remote is not a file: ${spec.path}`, 'give the path of a DuckDB database file');
  }
}

/** The ATTACH statement for the remote. DuckDB cannot prepare ATTACH, so the path is a quoted literal. */
export function attachStatement(spec: RemoteSpec, readOnly: boolean): string {
  const target = spec.kind === 'motherduck' ? `md:${spec.database}` : spec.path;
  const options = readOnly ? ' (READ_ONLY)' : '';
  return `ATTACH ${quoteLiteral(target)} AS "${REMOTE_ALIAS}"${options}`;
}
