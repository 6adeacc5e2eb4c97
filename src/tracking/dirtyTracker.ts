import { ALL_TABLES } from '../engine/state/dirtyMarks.js';

/**
 * Which tables have a committed dirty mark that no sync has read yet: a further write to such a
 * table needs no mark of its own, since the sync that reads the mark compares the table after
 * the write. `readingMarks()` is called before every sync reads the marks; a mark counts as
 * unread only while no sync started reading since just before it was written.
 */
export class DirtyTracker {
  private epoch = 0;
  private readonly marked = new Map<string, number>();

  /** A sync is about to read (and later clear) the marks. */
  readingMarks(): void {
    this.epoch++;
  }

  /** Call just before writing a mark for `table`; then `marked(table, token)` once it is committed. */
  token(): number {
    return this.epoch;
  }

  markCommitted(table: string, token: number): void {
    this.marked.set(table.toLowerCase(), token);
  }

  /** True when a committed mark for `table` (or for all tables) is still unread by any sync. */
  hasUnreadMark(table: string): boolean {
    return this.marked.get(table.toLowerCase()) === this.epoch || this.marked.get(ALL_TABLES) === this.epoch;
  }
}
