import { DatabaseError, SyncError } from '../errors.js';
import { redact } from '../log/redact.js';
import type { Remote } from '../remote/remote.js';
import { asLockError } from './lockError.js';

/**
 * Maps DuckDB's errors to named errors, with secrets removed: lock conflicts, then what the remote
 * names (MotherDuck's client-version, read-only and network errors), else a DatabaseError.
 */
export function wrapError(error: unknown, secrets: ReadonlyArray<string | undefined>, remote?: Remote): SyncError {
  if (error instanceof SyncError) return error;
  const lock = asLockError(error);
  if (lock) return lock;
  const message = redact(error instanceof Error ? error.message : String(error), secrets);
  const named = remote?.classifyError(message);
  if (named) return named;
  return new DatabaseError(message, { cause: error });
}
