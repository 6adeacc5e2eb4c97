import { existsSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheEntryPath, readCacheJson, writeCacheJson } from '../../db/cacheFile.js';
import { sameFileStamp, type FileStamp } from '../../db/fileStamp.js';
import type { Logger } from '../../log/logger.js';

/** Past this many entries, those of database files that no longer exist are removed. */
const PRUNE_FROM_ENTRIES = 256;

interface Entry {
  version: 1;
  path: string;
  stamp: FileStamp;
  /** When the stamp was taken (ms since the epoch); absent in entries written before it was kept. */
  recordedAt?: number;
  /** Tables (pair names) whose local content equaled their baseline when the stamp was taken. */
  settled: string[];
}

/**
 * Remembers, per local database file, the tables that equaled their baselines when the last sync
 * let go of the file, together with the file's stamp at that moment (fileStamp.ts). While the file
 * still has that exact stamp, nothing wrote to it since, so those tables have no local change and
 * need not be compared row by row (ARCHITECTURE.md decision 3 still holds: the comparison is skipped only
 * when its outcome is known). Any write, by any program, changes the stamp: then every table is
 * compared. Kept in a cache folder, one small JSON file per database path, since writing it into
 * the database would change the file; a lost or stale entry only costs a comparison.
 */
export class SettledStore {
  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /**
   * The tables still settled since the last sync of `localPath`: none unless the file has the
   * stamp recorded then. `now`: the stamp read with the database open (its lock held, so that no
   * other process can write between this check and the sync), by a StampReader.
   */
  unchangedTables(localPath: string, now: FileStamp | undefined): Set<string> {
    const entry = this.read(localPath);
    if (!entry) return new Set();
    if (!now || !sameFileStamp(now, entry.stamp)) {
      this.logger.debug(`local file changed since the last sync: every table is compared with its baseline`);
      return new Set();
    }
    this.logger.debug(`local file unchanged since the last sync: ${entry.settled.length} table(s) known to equal their baselines`);
    return new Set(entry.settled);
  }

  /**
   * Records the tables settled now with the file's `stamp`, read (by a StampReader) right after a
   * checkpoint of the local file, with the database still open: closing it afterwards writes
   * nothing, so the stamp is the state other programs find. A failure to write the entry only
   * costs a comparison next time.
   */
  record(localPath: string, settled: Iterable<string>, stamp: FileStamp | undefined): void {
    const path = this.entryPath(localPath);
    if (!path || !stamp) return;
    try {
      const entry: Entry = { version: 1, path: realpathSync(localPath), stamp, recordedAt: Date.now(), settled: [...settled].sort() };
      writeCacheJson(this.dir, path, entry);
      this.prune();
    } catch (error) {
      this.logger.debug(`could not write ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * The stamp the last sync recorded for `localPath` and when (undefined: none recorded). While the
   * file has that stamp, nothing wrote to it since that sync let go of it.
   */
  lastRecord(localPath: string): { stamp: FileStamp; recordedAt: number | undefined } | undefined {
    const entry = this.read(localPath);
    return entry && { stamp: entry.stamp, recordedAt: entry.recordedAt };
  }

  /** Removes the entries of database files that were deleted (temporary files, tests), once there are many. */
  private prune(): void {
    // Only this store's entries: the folder holds other cache files (a watching daemon's: run/watchStateFile.ts).
    const names = readdirSync(this.dir).filter((n) => /^[0-9a-f]{32}\.json$/.test(n));
    if (names.length < PRUNE_FROM_ENTRIES) return;
    for (const name of names) {
      const file = join(this.dir, name);
      const raw = readCacheJson(file);
      if (!isEntry(raw) || !existsSync(raw.path)) rmSync(file, { force: true });
    }
  }

  private read(localPath: string): Entry | undefined {
    const path = this.entryPath(localPath);
    if (!path) return undefined;
    const raw = readCacheJson(path);
    try {
      return isEntry(raw) && raw.path === realpathSync(localPath) ? raw : undefined;
    } catch {
      return undefined;
    }
  }

  private entryPath(localPath: string): string | undefined {
    return cacheEntryPath(this.dir, localPath, 'json');
  }
}

function isEntry(x: unknown): x is Entry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Partial<Entry>;
  const s = e.stamp as Partial<FileStamp> | undefined;
  return (
    e.version === 1 &&
    typeof e.path === 'string' &&
    Array.isArray(e.settled) &&
    e.settled.every((t) => typeof t === 'string') &&
    typeof s === 'object' &&
    s !== null &&
    (['dev', 'ino', 'size', 'mtimeNs', 'ctimeNs', 'header'] as const).every((k) => typeof s[k] === 'string') &&
    typeof s.walBytes === 'number' &&
    (e.recordedAt === undefined || typeof e.recordedAt === 'number')
  );
}
