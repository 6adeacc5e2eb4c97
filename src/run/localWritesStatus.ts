import { statSync } from 'node:fs';
import { sameFileStamp, type FileStamp } from '../db/fileStamp.js';
import { SettledStore } from '../engine/state/settledStore.js';
import { silentLogger } from '../log/logger.js';
import { WatchStateFile } from './watchStateFile.js';

/** Whether local writes wait for a push, as `duckdb-sync status` reports it (the `--json` contract). */
export interface LocalWritesStatus {
  /**
   * Whether the local file was written, by any program, since the last sync let go of it; null when
   * no sync recorded the file's state in this cache folder (never synced here, or the cache was cleared).
   */
  waiting: boolean | null;
  /** When the last sync let go of the file (ISO time); null when unknown. */
  lastSyncAt: string | null;
  /** When the file or its WAL was last modified (ISO time). */
  lastWriteAt: string | null;
  /** The daemon watching the file (`daemon --watch`), if one runs. */
  watcher: WatcherStatus | null;
}

export interface WatcherStatus {
  pid: number;
  watchingSince: string;
  /** When it noticed the first write not pushed yet; null: none waiting. */
  waitingSince: string | null;
  /** Since when its push waits for another program to let go of the file, and which; null: it does not wait. */
  heldSince: string | null;
  heldBy: string | null;
  lastPushAt: string | null;
}

/** What the cache folder and the file's stamp (read by a StampReader, the file open) say about writes not pushed yet. */
export function localWritesStatus(localPath: string, cacheDir: string, stamp: FileStamp | undefined): LocalWritesStatus {
  const record = new SettledStore(cacheDir, silentLogger).lastRecord(localPath);
  const watch = new WatchStateFile(cacheDir, localPath).read();
  return {
    waiting: record && stamp ? !sameFileStamp(stamp, record.stamp) : null,
    lastSyncAt: iso(record?.recordedAt),
    lastWriteAt: iso(Math.max(mtime(localPath) ?? 0, mtime(`${localPath}.wal`) ?? 0) || undefined),
    watcher: watch
      ? {
          pid: watch.pid,
          watchingSince: iso(watch.since) as string,
          waitingSince: iso(watch.waitingSince),
          heldSince: iso(watch.lockedSince),
          heldBy: watch.lockHolder,
          lastPushAt: iso(watch.lastPushAt),
        }
      : null,
  };
}

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

function mtime(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
