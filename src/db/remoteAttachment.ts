import type { DuckDBConnection } from '@duckdb/node-api';
import type { SyncError } from '../errors.js';
import type { Remote } from '../remote/remote.js';
import type { DatabaseOptions } from './databaseOptions.js';
import { withRetry, type RetryOptions } from './failures/withRetry.js';
import type { KnownRemoteTables } from './knownRemoteTables.js';
import type { RemoteTraffic } from './remoteTraffic.js';

/**
 * When the remote is attached to a Database's instance, and how: a file remote only while a step
 * needs it (read-only when the step only reads), MotherDuck once per session, the emulator once per
 * session with its file let go between steps (`Remote.sharedFile`), MotherDuck in workspace mode
 * never detached. The session's ATTACH and DETACH are round trips (`run`, counted); the emulator's
 * taking and letting go of its file are not.
 */
export class RemoteAttachment {
  /** Attached read-only, read-write, or not attached (undefined): the session's state. */
  private readOnly: boolean | undefined;
  /** A shared file let go while the session stays attached (sharedFile). */
  private released = false;
  private holds = 0;

  constructor(
    private readonly remote: Remote,
    private readonly connection: DuckDBConnection,
    /** Runs a statement as a round trip (Database.run). */
    private readonly run: (sql: string) => Promise<number>,
    /** Names what DuckDB reported (Database's wrapError). */
    private readonly wrap: (error: unknown) => SyncError,
    private readonly options: DatabaseOptions,
    private readonly traffic: RemoteTraffic,
    private readonly remoteTables: KnownRemoteTables,
  ) {}

  /** Whether the session has the remote attached (statements naming it are round trips). */
  get attached(): boolean {
    return this.readOnly !== undefined;
  }

  /** Attaches the remote for the duration of `step`, then releases it (also on error). */
  async withRemote<T>(readOnly: boolean, step: () => Promise<T>): Promise<T> {
    await this.attach(readOnly);
    const guarded = readOnly && !this.remote.readOnlyAttach;
    if (guarded) this.traffic.readOnlySteps++;
    try {
      return await step();
    } finally {
      if (guarded) this.traffic.readOnlySteps--;
      if (this.holds === 0) await this.afterStep();
    }
  }

  /** Keeps the remote attached read-write across all the steps of `body`, then releases it. */
  async hold<T>(body: () => Promise<T>): Promise<T> {
    await this.attach(false);
    this.holds++;
    try {
      return await body();
    } finally {
      this.holds--;
      if (this.holds === 0) await this.afterStep();
    }
  }

  /** A file remote is detached; an emulated server's file is let go; MotherDuck stays attached. */
  private async afterStep(): Promise<void> {
    if (this.remote.releasedBetweenSteps) await this.detach();
    else await this.release();
  }

  /** Attaches the remote (or takes its shared file again); throws named errors. */
  async attach(wantReadOnly: boolean): Promise<void> {
    try {
      await this.attachOnce(wantReadOnly);
    } catch (error) {
      throw this.wrap(error);
    }
  }

  private async attachOnce(wantReadOnly: boolean): Promise<void> {
    const spec = this.remote;
    // A remote that is not attached read-only for reading steps is attached read-write once.
    const readOnly = wantReadOnly && spec.readOnlyAttach;
    if (this.readOnly !== undefined) {
      if (this.readOnly === readOnly || !this.readOnly) return this.take();
      await this.detach();
    }
    // A remote never detached (MotherDuck in workspace mode) is still attached after a reset: looked up
    // locally, not as a round trip (the name as a parameter would count as one).
    const attached = async (): Promise<boolean> => (await this.connection.runAndReadAll('SELECT 1 FROM duckdb_databases() WHERE database_name = $1', [spec.catalog])).currentRowCount > 0;
    if (spec.detachStatement() === undefined && (this.released || (await attached()))) {
      this.readOnly = readOnly;
      return this.take();
    }
    await spec.prepare((sql) => this.connection.run(sql), this.options.motherduckToken);
    const walBytes = spec.walBytes();
    // The attach that succeeds, without the waits for a lock: replays the WAL, if any.
    let ms = 0;
    const attempt = async (): Promise<void> => {
      const started = performance.now();
      await this.run(spec.attachStatement(readOnly));
      ms = performance.now() - started;
    };
    await withRetry(attempt, this.lockRetries(`attach ${spec.uri}`));
    this.options.walReplayBudget?.attached(ms, walBytes);
    this.readOnly = readOnly;
    await spec.afterAttach(async (sql) => (await this.connection.runAndReadAll(sql)).getRowObjectsJS());
    const note = spec.attachNote;
    this.options.logger.debug(`attached remote ${spec.uri}${readOnly ? ' (read-only)' : ''}${walBytes ? ` (WAL of ${walBytes} bytes replayed, ${ms.toFixed(0)} ms)` : ''}${note ? ` (${note})` : ''}`);
  }

  async detach(): Promise<void> {
    if (this.readOnly === undefined) return;
    const wasReadOnly = this.readOnly;
    this.readOnly = undefined;
    const spec = this.remote;
    const detach = spec.detachStatement();
    if (!detach) {
      // Never detached (MotherDuck in workspace mode): closing the instance ends the session.
      this.options.logger.debug(`left remote ${spec.uri} attached (${spec.attachNote ?? 'never detached'})`);
      return;
    }
    if (this.released) {
      // The file is let go already: the session's DETACH is all that is left (a round trip).
      this.released = false;
      await this.run(detach);
      return;
    }
    const walBytes = wasReadOnly ? 0 : spec.walBytes();
    const skipCheckpoint = await this.detachFile((sql) => this.run(sql), detach, walBytes);
    this.options.logger.debug(`detached remote ${spec.uri}${skipCheckpoint ? ` (no checkpoint: ${walBytes} bytes of WAL left)` : ''}`);
  }

  /** Forgets the attachment after a failure that may have broken it (a network error). */
  async reset(): Promise<void> {
    await this.detach().catch(() => undefined);
    this.readOnly = undefined;
    this.remoteTables.forget();
  }

  /** Retries while another process holds a file: the run's --max-retries, from --retry-delay. */
  private lockRetries(what: string): RetryOptions {
    return { maxRetries: this.options.maxRetries, delayMs: this.options.retryDelayMs, logger: this.options.logger, what };
  }

  /** Runs a DETACH, without its checkpoint while the WAL replay budget allows it; whether it left it. */
  private async detachFile(run: (sql: string) => Promise<unknown>, statement: string, walBytes: number): Promise<boolean> {
    const budget = this.options.walReplayBudget;
    if (budget) return budget.detach(run, statement, walBytes);
    await run(statement);
    return false;
  }

  /** Lets an emulated server's file go between steps, so that its other clients can have it. */
  private async release(): Promise<void> {
    const file = this.remote.sharedFile;
    if (!file || this.released || this.readOnly === undefined) return;
    await this.detachFile((sql) => this.connection.run(sql), file.release, file.walBytes());
    this.released = true;
  }

  /**
   * Takes an emulated server's file again before a step, retrying while another client's step holds
   * it, as a file remote's attach does (--max-retries, --retry-delay).
   */
  private async take(): Promise<void> {
    const file = this.remote.sharedFile;
    if (!file || !this.released) return;
    const walBytes = file.walBytes();
    const started = performance.now();
    await withRetry(() => this.connection.run(file.take), this.lockRetries(`attach ${this.remote.uri}`));
    this.options.walReplayBudget?.attached(performance.now() - started, walBytes);
    this.released = false;
  }
}
