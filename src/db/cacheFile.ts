import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The path of a cache file about one database file, in `dir`: named after a hash of the file's real
 * path (so that every way of naming the file finds the same entry), then `suffix` (`json`,
 * `watch.json`). Undefined when the file does not exist.
 */
export function cacheEntryPath(dir: string, databasePath: string, suffix: string): string | undefined {
  try {
    const real = realpathSync(databasePath);
    return join(dir, `${createHash('sha256').update(real).digest('hex').slice(0, 32)}.${suffix}`);
  } catch {
    return undefined;
  }
}

/** A cache file's JSON; undefined when it is missing or not JSON (a cache entry is only ever a shortcut). */
export function readCacheJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Writes a cache file whole (a temporary file renamed over it: a reader never sees half of it),
 * readable by the user only, in `dir` (created if missing). Throws what the file system says.
 */
export function writeCacheJson(dir: string, path: string, value: unknown): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
