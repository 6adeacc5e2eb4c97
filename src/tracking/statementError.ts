import { SyncError } from '../errors.js';
import type { StatementResult } from './statementResult.js';

/**
 * A statement of the application's SQL failed. The statements before it are done (their writes
 * committed and marked for the push); `completed` holds their results. Exit 1.
 */
export class StatementError extends SyncError {
  constructor(
    readonly index: number,
    readonly count: number,
    readonly completed: StatementResult[],
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('E_SQL', count > 1 ? `statement ${index + 1} of ${count} failed: ${detail}` : detail, 1, {
      hint: count > 1 && index > 0 ? `the ${index} statement(s) before it are done; fix this one and run the rest` : 'fix the statement and run it again',
      cause,
    });
  }
}
