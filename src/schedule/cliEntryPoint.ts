import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of this package's CLI script (dist/cli/main.js), symlinks resolved. */
export function cliEntryPoint(): string {
  const path = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
