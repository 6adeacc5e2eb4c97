import type { Logger } from '../log/logger.js';
import { quoteIdent } from '../duckdb/quote.js';

/**
 * Checkpoints the local file right after an ALTER TABLE on it is committed: DuckDB 1.5 cannot replay
 * the WAL record of an ALTER on a table with a function DEFAULT (`now()`, `nextval(…)`), so a process
 * killed before the next checkpoint would leave a file DuckDB refuses to open (duckdb/duckdb#18259,
 * #20543, #22044). Best effort: a checkpoint that cannot run now is logged.
 */
export class AlterCheckpoints {
  private pending = false;
  private inTransaction = false;

  constructor(
    private readonly remoteCatalog: string | undefined,
    private readonly checkpoint: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** After each statement that ran. */
  async ran(sql: string): Promise<void> {
    if (!/^\s*ALTER\s+TABLE\b/i.test(sql) || (this.remoteCatalog !== undefined && sql.includes(quoteIdent(this.remoteCatalog)))) return;
    this.pending = true;
    if (!this.inTransaction) await this.flush();
  }

  begun(): void {
    this.inTransaction = true;
  }

  async committed(): Promise<void> {
    this.inTransaction = false;
    if (this.pending) await this.flush();
  }

  rolledBack(): void {
    this.inTransaction = false;
    this.pending = false;
  }

  private async flush(): Promise<void> {
    this.pending = false;
    await this.checkpoint().catch((error: unknown) => this.logger.debug(`checkpoint after ALTER TABLE failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}
