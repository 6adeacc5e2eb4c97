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

/** The stamp of a database file; undefined when it cannot be read. */
export function readFileStamp(path: string): FileStamp | undefined {
  try {
    const s = statSync(path, { bigint: true });
    if (!s.isFile()) return undefined;
    const fd = openSync(path, 'r');
    const header = Buffer.alloc(HEADER_BYTES);
    let read = 0;
    try {
      read = readSync(fd, header, 0, HEADER_BYTES, 0);
    } finally {
      closeSync(fd);
    }
    return {
      dev: String(s.dev),
      ino: String(s.ino),
      size: String(s.size),
      mtimeNs: String(s.mtimeNs),
      ctimeNs: String(s.ctimeNs),
      header: createHash('sha256').update(header.subarray(0, read)).digest('hex'),
      walBytes: walBytes(`${path}.wal`),
    };
  } catch {
    return undefined;
  }
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
