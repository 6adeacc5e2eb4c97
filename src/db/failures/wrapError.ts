import { DatabaseError, OutOfMemoryError, SyncError } from '../../errors.js';
import { redact } from '../../log/redact.js';
import type { Remote } from '../../remote/remote.js';
import { asLockError } from './lockError.js';

/** DuckDB's messages for a step that did not fit in its memory limit (an allocation, or a block it could not pin). */
const OUT_OF_MEMORY = /Out of Memory Error|failed to pin block of size|failed to allocate data of size/;

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
  if (OUT_OF_MEMORY.test(message)) return new OutOfMemoryError(firstLine(message), error);
  return new DatabaseError(message, { cause: error });
}

/** DuckDB appends "Possible solutions" to a memory error; the hint says what applies here. */
function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
