import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseNotFoundError } from '../errors.js';
import type { DatabaseOptions } from './databaseOptions.js';
import { checkDatabaseFile, newerStorageError } from '../duckdb/databaseFile.js';
import { duckdb } from '../duckdb/duckdbApi.js';
import { fileCatalogName } from '../duckdb/fileCatalogName.js';
import { quoteIdent, quoteLiteral } from '../duckdb/quote.js';
import { withRetry } from './failures/withRetry.js';
import { wrapError } from './failures/wrapError.js';

/** Catalog names DuckDB keeps for itself: a local file named like one is attached under another name. */
const RESERVED_CATALOGS = new Set(['memory', 'system', 'temp', 'main']);

/**
 * A DuckDB instance in memory with the local file attached (created if missing) and made the
 * default catalog, retrying while another process holds the file. The file is attached under its
 * base name, or `<name>_local` when the remote's catalog has that name (`analytics.duckdb` with
 * `md:analytics`): the two catalogs cannot collide.
 */
export async function openLocal(options: DatabaseOptions): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection; localCatalog: string }> {
  const folder = dirname(options.local);
  if (!existsSync(folder)) {
    throw new DatabaseNotFoundError(`local folder does not exist: ${folder}`, 'check --local; the folder must exist (the file is created)');
  }
  // A path that is not a DuckDB file is refused before DuckDB attaches it (it would read a CSV as views);
  // an empty file is a new database, which DuckDB creates only where no file is.
  if (options.local !== ':memory:' && checkDatabaseFile(options.local, 'local') === 'empty') rmSync(options.local);
  const stem = fileCatalogName(options.local);
  const localCatalog = stem === options.remote?.catalog || RESERVED_CATALOGS.has(stem.toLowerCase()) ? `${stem}_local` : stem;
  // Spilled intermediate results go next to the local file, as they would for a file opened directly.
  const instance = await duckdb.DuckDBInstance.create(':memory:', { temp_directory: `${options.local}.tmp` });
  try {
    const connection = await instance.connect();
    await withRetry(() => connection.run(`ATTACH ${quoteLiteral(options.local)} AS ${quoteIdent(localCatalog)}${options.readOnly ? ' (READ_ONLY)' : ''}`), {
      maxRetries: options.localLockRetries ?? options.maxRetries,
      delayMs: options.retryDelayMs,
      logger: options.logger,
      what: `open ${options.local}`,
    });
    await connection.run(`USE ${quoteIdent(localCatalog)}`);
    return { instance, connection, localCatalog };
  } catch (error) {
    instance.closeSync();
    throw newerStorageError(String(error), options.local, 'local') ?? wrapError(error, [options.motherduckToken]);
  }
}
