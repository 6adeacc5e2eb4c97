/**
 * Runs tasks one at a time, in the order they were queued: the application's statements (a
 * connection runs one at a time, and a write and its dirty mark must not interleave with another
 * caller's statements), and pushes (one at a time per database).
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
