/** Checkpoint cost assumed until one has been measured (a 5M-row table with a primary key: 0.1–0.3 s). */
const FIRST_CHECKPOINT_ESTIMATE_MS = 100;
/** Past this WAL size a file remote is checkpointed whatever was measured. */
export const MAX_DEFERRED_WAL_BYTES = 1024 * 1024;

/**
 * When to checkpoint a file remote that is detached after small pushes (library pushes).
 *
 * Checkpointing a file remote at every detach costs 0.1–0.3 s on a large table with a primary key:
 * DuckDB rewrites the table's whole index (duckdb/duckdb#24848). Leaving the WAL is as durable, but
 * every later attach replays it, and that replay grows with the WAL: on a 5M-row table, 100
 * single-row pushes cost 40 ms per attach, 2,000 of them 0.9 s. So this is ski rental: keep
 * deferring while the replay time paid since the last checkpoint (measured at each attach that
 * found a WAL) stays below what a checkpoint costs (the last one measured), then checkpoint. The
 * total never exceeds about twice the best possible schedule, and beyond 1 MiB of WAL the remote is
 * checkpointed anyway.
 */
export class WalReplayBudget {
  private replayMs = 0;

  constructor(
    private checkpointMs = FIRST_CHECKPOINT_ESTIMATE_MS,
    private readonly maxWalBytes = MAX_DEFERRED_WAL_BYTES,
  ) {}

  /** An attach that found `walBytes` of WAL took `ms` (its replay included). */
  attached(ms: number, walBytes: number): void {
    if (walBytes > 0) this.replayMs += ms;
  }

  /** Whether the detach of a remote whose WAL holds `walBytes` should checkpoint it. */
  shouldCheckpoint(walBytes: number): boolean {
    return walBytes > 0 && (walBytes >= this.maxWalBytes || this.replayMs >= this.checkpointMs);
  }

  /** A detach that checkpointed took `ms`: the WAL is gone, and that is what a checkpoint costs now. */
  checkpointed(ms: number): void {
    this.replayMs = 0;
    this.checkpointMs = ms;
  }

  /** Replay time paid since the last checkpoint (ms). */
  get replaySpentMs(): number {
    return this.replayMs;
  }

  /**
   * Runs a file remote's DETACH (`run`), without its checkpoint while this budget allows it, and
   * learns what a checkpoint cost when it ran one. Returns whether the checkpoint was left.
   */
  async detach(run: (sql: string) => Promise<unknown>, statement: string, walBytes: number): Promise<boolean> {
    const skip = walBytes > 0 && !this.shouldCheckpoint(walBytes);
    if (skip) await run('PRAGMA disable_checkpoint_on_shutdown');
    const started = performance.now();
    try {
      await run(statement);
    } finally {
      // Instance-wide: the local file is still checkpointed when it is closed.
      if (skip) await run('PRAGMA enable_checkpoint_on_shutdown');
    }
    if (walBytes > 0 && !skip) this.checkpointed(performance.now() - started);
    return skip;
  }
}
