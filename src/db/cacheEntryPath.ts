import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
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
