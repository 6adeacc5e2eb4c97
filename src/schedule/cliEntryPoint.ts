import { fileURLToPath } from 'node:url';
import { realPathOf } from './sameFile.js';

/** Absolute path of this package's CLI script (dist/cli/main.js), symlinks resolved. */
export function cliEntryPoint(): string {
  return realPathOf(fileURLToPath(new URL('../cli/main.js', import.meta.url)));
}
