import { OutOfMemoryError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { quoteLiteral } from '../../duckdb/quote.js';

/** The limit `auto` starts at: at 20M rows a sync takes the same time with it as without a limit, in a third to a half of the memory. */
export const AUTO_MEMORY_START = '600MB';

/**
 * A `memoryLimit` setting (config, `--memory-limit`, env) read:
 * - a size (`2GB`): DuckDB's memory_limit, kept (a step that cannot run within it fails);
 * - `default`: DuckDB's own (80% of the machine's memory);
 * - `auto` or `auto:<size>`: starts at the size (600MB), and a step that runs out of it runs again,
 *   once, with DuckDB's own limit (a primary key index being written must fit in memory: DuckDB
 *   cannot spill it, so a large keyed table needs more than a fixed limit allows).
 */
export interface MemoryLimitSetting {
  /** The size to set, or undefined for DuckDB's own. */
  start: string | undefined;
  raisable: boolean;
}

export function readMemoryLimit(value: string | undefined): MemoryLimitSetting {
  const v = (value ?? 'auto').trim();
  const auto = /^auto(?::\s*(.+))?$/i.exec(v);
  if (auto) return { start: auto[1]?.trim() ?? AUTO_MEMORY_START, raisable: true };
  return { start: v.toLowerCase() === 'default' ? undefined : v, raisable: false };
}

/** Runs SQL on the connection whose instance the limit belongs to; returns the first column of the first row. */
type RunSql = (sql: string) => Promise<unknown>;

/** The memory limit of one DuckDB instance: set once, raised for a step that needs it (`auto`). */
export class MemoryLimit {
  private readonly setting: MemoryLimitSetting;
  /** DuckDB's own limit, as the instance started with it. */
  private ownLimit = '';

  constructor(
    value: string | undefined,
    private readonly run: RunSql,
    private readonly logger: Logger,
  ) {
    this.setting = readMemoryLimit(value);
  }

  /** Sets the starting limit (none for DuckDB's own). */
  async apply(): Promise<void> {
    // Kept to raise the limit again: `RESET memory_limit` shows DuckDB's own but leaves the buffer pool's (1.5.6).
    this.ownLimit = String(await this.run("SELECT current_setting('memory_limit')"));
    if (this.setting.start !== undefined) await this.run(`SET memory_limit = ${quoteLiteral(this.setting.start)}`);
  }

  /**
   * Runs `step`; when it fails for want of memory and the limit is `auto`, runs it again with
   * DuckDB's own limit, then sets the limit back. The step must be safe to run again (a table's
   * sync is: every step is idempotent, and the failed one rolled back).
   */
  async withHeadroom<T>(what: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      const { start, raisable } = this.setting;
      if (!(error instanceof OutOfMemoryError) || !raisable || start === undefined) throw error;
      this.logger.warn(`${what}: did not fit in ${start} of memory (${error.message}); running it again with DuckDB's own limit (80% of the machine's memory)`);
      await this.run(`SET memory_limit = ${quoteLiteral(this.ownLimit)}`);
      try {
        return await step();
      } finally {
        await this.run(`SET memory_limit = ${quoteLiteral(start)}`);
      }
    }
  }
}
