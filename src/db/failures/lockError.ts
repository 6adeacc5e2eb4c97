import { LockError } from '../../errors.js';

const LOCK_PATTERN = /Could not set lock on file "([^"]+)": Conflicting lock is held in (.*?) \(PID (\d+)\)/;

/** Recognizes DuckDB's file lock error and turns it into a LockError naming the file and PID. */
export function asLockError(error: unknown): LockError | undefined {
  if (error instanceof LockError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const match = LOCK_PATTERN.exec(message);
  if (match) return new LockError(match[1] as string, Number(match[3]), match[2]);
  if (/Could not set lock on file/.test(message)) {
    const file = /file "([^"]+)"/.exec(message)?.[1] ?? 'unknown file';
    return new LockError(file, undefined, undefined);
  }
  return undefined;
}
