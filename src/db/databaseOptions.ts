import type { Logger } from '../log/logger.js';
import type { Remote } from '../remote/remote.js';
import type { WalReplayBudget } from './walReplayBudget.js';

/** How to open a Database (database.ts). */
export interface DatabaseOptions {
  local: string;
  /** None for commands that only read the local file. */
  remote: Remote | undefined;
  motherduckToken: string | undefined;
  /** Open the local file read-only (other readers may share it). */
  readOnly?: boolean;
  /**
   * Given: a file remote is detached without a checkpoint while this budget allows (frequent small
   * pushes, see walReplayBudget.ts). By default every detach after a write checkpoints it.
   */
  walReplayBudget?: WalReplayBudget;
  /** Retries while another process holds a file (the local file or a file remote) or the remote cannot be reached. */
  maxRetries: number;
  retryDelayMs: number;
  /** Retries while another process holds the local file, when they differ from maxRetries (0: fail at once). */
  localLockRetries?: number | undefined;
  /** DuckDB's memory_limit (`600MB`, `2GB`); `default` or none: DuckDB's own (80% of the memory). */
  memoryLimit?: string | undefined;
  logger: Logger;
}

export interface QueryProgress {
  rowsProcessed: number;
  totalRows: number;
}
