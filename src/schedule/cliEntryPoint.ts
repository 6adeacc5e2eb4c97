import { fileURLToPath } from 'node:url';
import { realPathOf } from './sameFile.js';

/**
 * Absolute path of this package's CLI script (the `bin`, dist/bin/duckdb-sync.js), symlinks resolved.
 * The same path from this module (dist/schedule/) and from inside the bundle (dist/bin/).
 */
export function cliEntryPoint(): string {
  return realPathOf(fileURLToPath(new URL('../bin/duckdb-sync.js', import.meta.url)));
}
