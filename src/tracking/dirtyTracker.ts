import { ALL_TABLES } from '../engine/state/dirtyMarks.js';

/**
 * Which tables have a committed dirty mark that no sync has read yet: a further write to such a
 * table needs no mark of its own, since the sync that reads the mark compares the table after
 * the write (at keys it takes after reading the marks). `marksRead()` is called the moment a sync
 * has read the marks (not before: a mark written while it reads them may be among those it reads,
 * and clears); a mark counts as unread only while no sync finished reading since just before it
 * was written.
 */
export class DirtyTracker {
  private epoch = 0;
  private readonly marked = new Map<string, number>();

  /** A sync has just read the marks (and will clear those it read). */
  marksRead(): void {
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
