import { existsSync, rmSync } from 'node:fs';
import { loadConfig, type ConfigOverrides } from '../config/loadConfig.js';
import type { ResolvedConfig } from '../config/resolvedConfig.js';
import { Database } from '../db/database.js';
import { checkDatabaseFile } from '../duckdb/databaseFile.js';
import { DatabaseNotFoundError } from '../errors.js';
import { parseRemote } from '../remote/parseRemote.js';
import type { RemoteFingerprints } from '../remote/remote.js';
import { readStateVersion } from '../engine/state/stateValues.js';
import { silentLogger, type Logger } from '../log/logger.js';

/** Options every library operation takes: where the databases are, and how to log. */
export interface CommonOptions extends ConfigOverrides {
  /** Config file path; default: discovered in `cwd`. */
  config?: string | undefined;
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  logger?: Logger | undefined;
  /**
   * How rows are fingerprinted across the two sides. Default: by the remote's kind (`engine`, DuckDB's
   * hash(), for a file remote read by this process; `checked` for MotherDuck: hash() where the server
   * hashes a table's rows as this client does, version-stable md5s where it does not). `canonical`
   * compares every table by md5s (on a file remote: the MotherDuck code path on a local file, for
   * tests); a change between `engine` and `canonical` makes the next sync rebuild the baselines with a
   * full pull.
   */
  fingerprints?: RemoteFingerprints | undefined;
}

export function resolveConfig(options: CommonOptions): ResolvedConfig {
  return loadConfig({ configPath: options.config, cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env, overrides: options });
}

/**
 * For what starts now and syncs later (the daemon, a crontab entry): the configured local file and
 * file remote are checked as a sync would check them before opening them (a DuckDB database, a new
 * path or an empty local file), so that a wrong path is refused at once, not at the first run.
 * `now` (the daemon): everything must be usable now, the remote file there and a MotherDuck token
 * given. `later` (a schedule): what exists must be right; a remote file or token may come later.
 */
export function checkDatabaseFiles(config: ResolvedConfig, when: 'now' | 'later'): void {
  checkDatabaseFile(config.local, 'local');
  const remote = parseRemote(config.remote);
  if (when === 'later' && remote.needsToken) return;
  try {
    remote.check(config.local, config.motherduckToken);
  } catch (error) {
    if (!(when === 'later' && error instanceof DatabaseNotFoundError)) throw error;
  }
}

export interface OpenOptions {
  /** Open an in-memory stand-in when the local file does not exist (read-only operations). */
  localMayBeAbsent?: boolean;
  /** Fail at once (LockError) when another process holds the local file, instead of retrying. */
  failIfLocalHeld?: boolean | undefined;
  fingerprints?: RemoteFingerprints | undefined;
}

/**
 * Opens the databases for one operation and closes them afterwards. When the local file did not
 * exist and the operation fails before it writes anything, the file created by opening it is
 * removed again, so bad input leaves no trace.
 */
export async function withDatabase<T>(config: ResolvedConfig, logger: Logger | undefined, open: OpenOptions, body: (db: Database) => Promise<T>): Promise<T> {
  const existed = existsSync(config.local);
  const local = !existed && open.localMayBeAbsent ? ':memory:' : config.local;
  const db = await Database.open({
    local,
    remote: parseRemote(config.remote, { fingerprints: open.fingerprints }),
    motherduckToken: config.motherduckToken,
    maxRetries: config.maxRetries,
    retryDelayMs: config.retryDelayMs,
    localLockRetries: open.failIfLocalHeld ? 0 : undefined,
    memoryLimit: config.memoryLimit,
    logger: logger ?? silentLogger,
  });
  try {
    const result = await body(db);
    await db.close();
    return result;
  } catch (error) {
    await closeAfterFailure(db, config.local, !existed && local === config.local);
    throw error;
  }
}

/**
 * Closes the databases after a failure; a local file created by opening it is removed again when
 * nothing was written to it yet (no duckdb-sync state), so bad input leaves no trace.
 */
export async function closeAfterFailure(db: Database, localPath: string, created: boolean): Promise<void> {
  const keep = !created || (await readStateVersion(db).catch(() => 0)) > 0;
  await db.close();
  if (!keep) {
    rmSync(localPath, { force: true });
    rmSync(`${localPath}.wal`, { force: true });
  }
}

/**
 * Opens only the local file, which must exist (commands that read or keep duckdb-sync's local
 * records: status, conflicts). Returns it with the resolved config; the caller closes it.
 */
export async function openLocalOnly(options: CommonOptions, mode: { readOnly: boolean }): Promise<{ db: Database; config: ResolvedConfig }> {
  const config = loadConfig({ configPath: options.config, cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env, overrides: options, requireDatabases: false });
  if (!config.local) throw new DatabaseNotFoundError('no local database given', 'pass --local <path> or set it in the config');
  if (!existsSync(config.local)) throw new DatabaseNotFoundError(`local database file does not exist: ${config.local}`, 'run `duckdb-sync sync` first');
  const db = await Database.open({
    local: config.local,
    remote: undefined,
    motherduckToken: undefined,
    readOnly: mode.readOnly,
    maxRetries: config.maxRetries,
    retryDelayMs: config.retryDelayMs,
    memoryLimit: config.memoryLimit,
    logger: options.logger ?? silentLogger,
  });
  return { db, config };
}
