import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/** Whether two paths name the same file (after resolving links); by their absolute paths when one does not exist. */
export function sameFile(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}
