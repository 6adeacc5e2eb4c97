import { rmSync } from 'node:fs';
import { cacheEntryPath, readCacheJson, writeCacheJson } from '../db/cacheFile.js';
/** A watching daemon's state of the pushes (schedule/watchTrigger.ts). */
export interface WatchSnapshot {
  /** When the first local write not pushed yet was noticed (ms since the epoch); null: none waiting. */
  waitingSince: number | null;
  /** Since when the push waits for another process to let go of the file; null: it does not. */
  lockedSince: number | null;
  lockHolder: string | null;
  /** When the last watched push (or any run) left nothing waiting. */
  lastPushAt: number | null;
}

/** What a watching daemon tells `duckdb-sync status` about a local file. */
export interface WatchState extends WatchSnapshot {
  /** The daemon's process. */
  pid: number;
  /** When it started watching (ms since the epoch). */
  since: number;
}

const SUFFIX = 'watch.json';

/**
 * The state of the daemon watching a local file (`daemon --watch`), in the cache folder next to the
 * settled stamps (settledStore.ts), so that `duckdb-sync status` in another process can say whether
 * local writes wait for a push, since when, and whether the push waits for another program to let
 * go of the file. Written at each change of state (not at each poll); removed when the daemon stops;
 * an entry whose process is gone is ignored.
 */
export class WatchStateFile {
  constructor(
    private readonly cacheDir: string,
    private readonly localPath: string,
  ) {}

  /** Writes the state; a failure only leaves `status` without it. */
  write(state: WatchState): void {
    const path = cacheEntryPath(this.cacheDir, this.localPath, SUFFIX);
    if (!path) return;
    try {
      writeCacheJson(this.cacheDir, path, { version: 1, ...state });
    } catch {
      // Only status reads it.
    }
  }

  /** The state of a daemon that is still running, if one watches the file. */
  read(): WatchState | undefined {
    const path = cacheEntryPath(this.cacheDir, this.localPath, SUFFIX);
    if (!path) return undefined;
    const raw = readCacheJson(path);
    return isWatchState(raw) && processAlive(raw.pid) ? raw : undefined;
  }

  /** Removes the state written by this process. */
  remove(): void {
    const path = cacheEntryPath(this.cacheDir, this.localPath, SUFFIX);
    if (path && this.read()?.pid === process.pid) rmSync(path, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isWatchState(x: unknown): x is WatchState {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  const time = (v: unknown): boolean => v === null || typeof v === 'number';
  return (
    s.version === 1 &&
    typeof s.pid === 'number' &&
    typeof s.since === 'number' &&
    time(s.waitingSince) &&
    time(s.lockedSince) &&
    time(s.lastPushAt) &&
    (s.lockHolder === null || typeof s.lockHolder === 'string')
  );
}
