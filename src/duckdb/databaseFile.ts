import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { NotADatabaseError } from '../errors.js';

/** What a path given as a database holds, once `checkDatabaseFile` has let it through. */
export type DatabaseFileState = 'missing' | 'empty' | 'database';

/**
 * DuckDB's main header: an 8-byte checksum, the magic `DUCK`, then the storage version (little-endian
 * uint64). Version 64 is DuckDB 0.10's; older files cannot be read by DuckDB 1.x at all. The newest
 * version this DuckDB reads is DuckDB's own knowledge: a newer file is named by `newerStorageError`.
 */
const MAGIC_OFFSET = 8;
const VERSION_OFFSET = 12;
const OLDEST_READABLE_VERSION = 64n;
const SNIFF_BYTES = 4096;

/**
 * Checks, before DuckDB sees it, that a path given as a database is one. DuckDB would attach a CSV,
 * JSON or Parquet file by its extension as a read-only catalog of views, and a sync would "pull" into
 * a catalog that is never written. The local side may also be a path that does not exist yet or an
 * empty file (a new database); a remote must be an existing DuckDB file. Anything else throws a
 * NotADatabaseError naming the file and what it seems to be.
 */
export function checkDatabaseFile(path: string, side: 'local' | 'remote'): DatabaseFileState {
  const label = side === 'local' ? 'local database' : 'remote database';
  const option = side === 'local' ? '--local' : '--remote';
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 'missing';
  }
  if (stat.isDirectory()) throw new NotADatabaseError(`${label} ${path} is a folder, not a DuckDB database file`, `give ${option} the path of a DuckDB database file`);
  if (!stat.isFile()) throw new NotADatabaseError(`${label} ${path} is not a regular file`, `give ${option} the path of a DuckDB database file`);
  if (stat.size === 0) {
    if (side === 'local') return 'empty';
    throw new NotADatabaseError(`${label} ${path} is an empty file, not a DuckDB database`, 'the remote must be an existing DuckDB database (duckdb-sync demo makes one)');
  }
  const head = readHead(path);
  if (head.length >= VERSION_OFFSET + 8 && head.toString('latin1', MAGIC_OFFSET, MAGIC_OFFSET + 4) === 'DUCK') {
    const version = head.readBigUInt64LE(VERSION_OFFSET);
    if (version < OLDEST_READABLE_VERSION) {
      throw new NotADatabaseError(
        `${label} ${path} was written by a DuckDB older than 0.10 (storage version ${version}), which this DuckDB cannot read`,
        'open it with the DuckDB that wrote it, EXPORT DATABASE, and IMPORT DATABASE into a new file',
      );
    }
    return 'database';
  }
  throw new NotADatabaseError(
    `${label} ${path} is not a DuckDB database: it looks like ${describeContent(head)}`,
    side === 'local'
      ? 'give --local a DuckDB database file, or a new path; to load other files, use DuckDB itself (e.g. CREATE TABLE t AS FROM read_csv(…))'
      : 'give --remote md:<database>, mdemu:<DuckDB file> or the path of a DuckDB database file',
  );
}

/** DuckDB's own refusal of a file written by a newer release, as a NotADatabaseError naming the file. */
export function newerStorageError(message: string, path: string, side: 'local' | 'remote'): NotADatabaseError | undefined {
  const found = /read a database file with version number (\d+), but we can only read versions? (?:between )?(\d+)(?: and (\d+))?/.exec(message);
  if (!found) return undefined;
  const readable = found[3] ? `${found[2]}–${found[3]}` : found[2];
  return new NotADatabaseError(
    `${side} database ${path} was written by a newer DuckDB (storage version ${found[1]}; this one reads ${readable})`,
    'upgrade duckdb-sync (and with it DuckDB), or have the newer DuckDB write the file with an older STORAGE_VERSION',
  );
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const read = readSync(fd, buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** A few words on what the first bytes of a file look like, for the message. */
function describeContent(head: Buffer): string {
  const ascii = (start: number, text: string): boolean => head.toString('latin1', start, start + text.length) === text;
  if (ascii(0, 'SQLite format 3\0')) return 'a SQLite database';
  if (ascii(0, 'PAR1')) return 'a Parquet file';
  if (ascii(0, 'ARROW1')) return 'an Arrow file';
  if (ascii(0, 'PK\x03\x04')) return 'a ZIP archive (or an Excel or other Office file)';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'a gzip-compressed file';
  if (ascii(0, 'Obj\x01')) return 'an Avro file';
  if (head.includes(0)) return 'binary data of an unknown kind';
  // The last bytes read may cut a character in two.
  const text = head.subarray(0, head.length === SNIFF_BYTES ? SNIFF_BYTES - 4 : head.length).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.includes('\uFFFD')) return 'binary data of an unknown kind';
  if (/^[[{]/.test(text)) return 'JSON';
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (/[,;\t|]/.test(firstLine)) return 'CSV (delimited text)';
  return 'a text file';
}
