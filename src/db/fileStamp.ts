import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * What identifies the exact state of a DuckDB database file: its inode, size, modification and
 * change times, a hash of its first 16 KiB (DuckDB's main header and both database headers: every
 * checkpoint writes a new header with a higher iteration count) and the size of its WAL (a
 * committed write that was not checkpointed yet is in the WAL). Equal stamps mean the file was not
 * written in between: DuckDB never changes the data of a file without a checkpoint or a WAL.
 */
export interface FileStamp {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  header: string;
  /** Bytes in the WAL file; -1 when there is none. */
  walBytes: number;
}

const HEADER_BYTES = 16 * 1024;

/**
 * The stamp of a database file; undefined when it cannot be read. Only for a file this process does
 * not have open in DuckDB: closing the descriptor this opens would drop DuckDB's lock (StampReader).
 */
export function readFileStamp(path: string): FileStamp | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return stampOf(path, fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads the stamp of a database file this process has open in DuckDB. Closing any descriptor of a
 * file drops every POSIX lock the process holds on it, DuckDB's included: another process could
 * then open the file and write it while DuckDB still does (a corrupt file). So the file is opened
 * once, on the first read, and its descriptor closed only by close(), which is called after DuckDB
 * closed the file.
 */
export class StampReader {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  /** The file's stamp now; undefined when it cannot be read. */
  read(): FileStamp | undefined {
    try {
      this.fd ??= openSync(this.path, 'r');
      return stampOf(this.path, this.fd);
    } catch {
      return undefined;
    }
  }

  /** Call once DuckDB no longer has the file open. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function stampOf(path: string, fd: number): FileStamp | undefined {
  const s = statSync(path, { bigint: true });
  if (!s.isFile()) return undefined;
  const header = Buffer.alloc(HEADER_BYTES);
  const read = readSync(fd, header, 0, HEADER_BYTES, 0);
  return {
    dev: String(s.dev),
    ino: String(s.ino),
    size: String(s.size),
    mtimeNs: String(s.mtimeNs),
    ctimeNs: String(s.ctimeNs),
    header: createHash('sha256').update(header.subarray(0, read)).digest('hex'),
    walBytes: walBytes(`${path}.wal`),
  };
}

export function sameFileStamp(a: FileStamp, b: FileStamp): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs &&
    a.header === b.header &&
    a.walBytes === b.walBytes
  );
}

function walBytes(path: string): number {
  try {
    return Number(statSync(path).size);
  } catch {
    return -1;
  }
}
