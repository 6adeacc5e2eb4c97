/**
 * Runs tasks one at a time, in the order they were queued: a DuckDB connection runs one statement
 * at a time, and a write wrapped in its own transaction with its dirty mark must not interleave
 * with another caller's statements.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when every task queued so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
