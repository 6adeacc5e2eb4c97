import { DatabaseError, ReadOnlyRemoteError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Remote } from '../remote/remote.js';
import { readRemoteStatement } from '../remote/remoteStatement.js';

/**
 * The statements a Database sends to its remote: each is a round trip (counted, and paced by the
 * emulator's simulated latency), refused when it writes a read-only remote or comes from a step that
 * only reads, and shown to the remote first (`Remote.inspect`: the emulator's rules).
 */
export class RemoteTraffic {
  /** Round trips so far. */
  count = 0;
  /** Steps under way that must not write the remote (a remote attached read-write regardless). */
  readOnlySteps = 0;
  /** An explicit transaction is open (its rows written add up: Remote.wrote). */
  private inTransaction = false;
  /** The statement being run writes the remote (its rows changed are the remote's). */
  private writesRemote = false;

  constructor(
    private readonly remote: Remote | undefined,
    private readonly logger?: Logger,
  ) {}

  /**
   * Before a statement is sent (`attached`: the remote is attached now; an ATTACH is looked at
   * anyway). Returns the text to send (Remote.inspect may rewrite it).
   */
  async before(sql: string, params: unknown, attached: boolean): Promise<string> {
    const remote = this.remote;
    this.writesRemote = false;
    if (!remote || (!attached && !/^\s*ATTACH\b/i.test(sql))) return sql;
    const statement = readRemoteStatement(sql, remote.catalog, params);
    if (!statement) return sql;
    this.writesRemote = statement.write !== undefined;
    this.count++;
    this.logger?.debug(`remote round trip ${this.count}: ${oneLine(sql)}`);
    if (statement.write) {
      if (remote.readOnly) throw new ReadOnlyRemoteError(remote.uri, remote.readOnly);
      if (this.readOnlySteps > 0) throw new DatabaseError(`duckdb-sync bug: a step that only reads tried to write the remote: ${sql.slice(0, 200)}`);
    }
    const sent = remote.inspect(statement);
    await this.pace();
    return sent;
  }

  /** After the statement ran: the rows it changed, told to the remote when they are the remote's. */
  after(rows: number): void {
    if (this.writesRemote) this.remote?.wrote?.(rows, this.inTransaction);
  }

  /** An explicit transaction begins or ends (a remote that saw it is told of its end). */
  transaction(open: boolean, reachedRemote: boolean): void {
    this.inTransaction = open;
    if (!open && reachedRemote) this.remote?.transactionEnded?.();
  }

  /**
   * A round trip that is not a statement on the remote's objects (the COMMIT of a remote
   * transaction): counted, and, when it may fail (a COMMIT, not a ROLLBACK), shown to the remote
   * (the emulator may fail it as the network or a lost race would).
   */
  async roundTrip(what: string, mayFail: boolean): Promise<void> {
    this.count++;
    this.logger?.debug(`remote round trip ${this.count}: ${what}`);
    if (mayFail) this.remote?.inspect({ sql: what, write: undefined, readsLocal: false });
    await this.pace();
  }

  /** Waits the remote's simulated latency (the emulator's `delay_ms`), if any. */
  private async pace(): Promise<void> {
    const ms = this.remote?.latencyMs ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** A statement on one line, shortened for the debug log. */
function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}
