import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/** A path with its links resolved; its absolute path when it does not exist. */
export function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Whether two paths name the same file (after resolving links); by their absolute paths when one does not exist. */
export function sameFile(a: string, b: string): boolean {
  return realPathOf(a) === realPathOf(b);
}
