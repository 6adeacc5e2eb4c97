/**
 * Named error classes. Every error carries a stable `code`, a `hint` telling the user what to do,
 * whether retrying can help (`transient`), and the CLI exit code it maps to.
 */

export type ExitCode = 0 | 1 | 2;

export interface SyncErrorOptions {
  hint?: string;
  transient?: boolean;
  cause?: unknown;
}

export class SyncError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly transient: boolean;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, exitCode: ExitCode, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.transient = options.transient ?? false;
    this.exitCode = exitCode;
  }
}

/** Bad command line usage: unknown option, bad value, unknown table. Exit 2. */
export class UsageError extends SyncError {
  constructor(message: string, hint?: string) {
    super('E_USAGE', message, 2, { hint });
  }
}

/** The configuration file or environment is invalid. Exit 2. */
export class ConfigError extends SyncError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('E_CONFIG', message, 2, { hint, cause });
  }
}

/** A table named with --table or in the config does not exist. Exit 2. */
export class UnknownTableError extends SyncError {
  constructor(readonly table: string, available: string[]) {
    super('E_UNKNOWN_TABLE', `unknown table: ${table}`, 2, {
      hint: available.length
        ? `tables on the remote: ${available.slice(0, 20).join(', ')}${available.length > 20 ? ', …' : ''}`
        : 'the remote database has no user tables',
    });
  }
}

/** The remote (or local) database file or its folder does not exist. Exit 2. */
export class DatabaseNotFoundError extends SyncError {
  constructor(message: string, hint: string) {
    super('E_NOT_FOUND', message, 2, { hint });
  }
}

/** `md:` remote without a MotherDuck token. Exit 2. */
export class MissingTokenError extends SyncError {
  constructor() {
    super('E_NO_TOKEN', 'a MotherDuck remote (md:…) needs a token, and none was found', 2, {
      hint: 'set MOTHERDUCK_TOKEN in the environment or motherduckToken in the config file',
    });
  }
}

/** A DuckDB extension (motherduck) could not be installed or loaded. */
export class ExtensionLoadError extends SyncError {
  constructor(extension: string, detail: string) {
    super('E_EXTENSION', `the DuckDB extension "${extension}" could not be loaded: ${detail}`, 1, {
      hint:
        'the extension is downloaded on first use; this machine may have no network access. ' +
        `Install it once with network (INSTALL ${extension}) or use a file remote`,
      transient: true,
    });
  }
}

/** Another process holds the DuckDB file. Retried with backoff before it surfaces. */
export class LockError extends SyncError {
  constructor(readonly file: string, readonly pid: number | undefined, readonly holder: string | undefined) {
    super(
      'E_LOCKED',
      `database file is locked by another process: ${file}${pid === undefined ? '' : ` (PID ${pid}${holder ? `, ${holder}` : ''})`}`,
      1,
      {
        hint: 'wait for that process to finish, or raise --max-retries / --retry-delay',
        transient: true,
      },
    );
  }
}

/** Something DuckDB reported that we do not classify further. */
export class DatabaseError extends SyncError {
  constructor(message: string, options: SyncErrorOptions = {}) {
    super('E_DATABASE', message, 1, options);
  }
}

/** There is no `crontab` program on this host (containers, minimal images). Exit 2. */
export class CrontabUnavailableError extends SyncError {
  constructor() {
    super('E_NO_CRONTAB', 'the crontab program was not found on this host, so no schedule can be installed', 2, {
      hint: 'install cron (Debian/Ubuntu: apt-get install cron), or run `duckdb-sync daemon` as a long-running process instead',
    });
  }
}

/** `crontab` ran but failed (not allowed to use cron, the new crontab was refused, …). Exit 1. */
export class CrontabError extends SyncError {
  constructor(message: string, hint?: string) {
    super('E_CRONTAB', message, 1, { hint: hint ?? 'check that this user may use cron (see /etc/cron.allow and /etc/cron.deny)' });
  }
}

/** Raised by the `fail` conflict policy: the table is left untouched on both sides. Exit 1. */
export class ConflictPolicyError extends SyncError {
  constructor(table: string, conflicts: number, sample: string[]) {
    super('E_CONFLICT', `${conflicts} conflict(s) and the policy is "fail"; nothing was changed (e.g. ${sample.join(' ')})`, 1, {
      hint: `resolve the rows by hand, or run again with --on-conflict remote-wins|local-wins|newest-wins for ${table}`,
    });
  }
}

/** Converts anything thrown into a SyncError, keeping SyncErrors as they are. */
export function toSyncError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DatabaseError(message, { cause: error });
}

/** Local changes could not be pushed to the remote. They stay marked and are pushed later. Exit 1. */
export class PushError extends SyncError {
  constructor(readonly failures: ReadonlyArray<{ name: string; error?: string | undefined; errorCode?: string | undefined }>) {
    super('E_PUSH', `push failed: ${failures.map((f) => `${f.name}: ${f.error ?? 'error'}`).join('; ')}`, 1, {
      hint: 'the local changes are kept; they are pushed by the next push, the next start, or `duckdb-sync sync`',
      transient: true,
    });
  }
}

/**
 * The remote cannot be written: a MotherDuck share, a read-scaling connection, an emulated share.
 * Exit 2 when the command asked only to push (`--direction push`); otherwise the table that needed
 * a push fails with it and the others go on.
 */
export class ReadOnlyRemoteError extends SyncError {
  constructor(remote: string, reason: string) {
    super('E_READ_ONLY_REMOTE', `the remote ${remote} is read-only (${reason}): nothing can be pushed to it`, 2, {
      hint: 'sync with --direction pull, or give a database you own (md:<database>) with a read-write token',
    });
  }
}

/** MotherDuck refused this DuckDB client release. Exit 1. */
export class UnsupportedClientError extends SyncError {
  constructor(clientVersion: string, detail: string) {
    super('E_CLIENT_VERSION', `MotherDuck does not accept this DuckDB client (v${clientVersion}): ${detail}`, 1, {
      hint:
        'install the duckdb-sync release whose DuckDB MotherDuck supports (see https://motherduck.com/docs/troubleshooting/version-lifecycle-schedules/), ' +
        'or sync with a file remote meanwhile',
    });
  }
}

/** The network or MotherDuck failed in a way that may pass: retried with backoff before it surfaces. Exit 1. */
export class RemoteUnavailableError extends SyncError {
  constructor(remote: string, detail: string, cause?: unknown) {
    super('E_REMOTE_UNAVAILABLE', `the remote ${remote} could not be reached: ${detail}`, 1, {
      hint: 'check the network and https://status.motherduck.com; every step is safe to run again, so the next sync resumes',
      transient: true,
      cause,
    });
  }
}

/**
 * Another client's transaction won a race on the remote: a commit (or statement) that touched what
 * another writer changed meanwhile failed, and nothing of it was applied. Exit 1; transient: the
 * table is synced again from its start, and the push's compare-before-write keeps it correct.
 */
export class RemoteWriteConflictError extends SyncError {
  constructor(remote: string, detail: string, cause?: unknown) {
    super('E_REMOTE_CONFLICT', `another client wrote the remote ${remote} at the same moment: ${detail}`, 1, {
      hint: 'nothing was lost: the table is synced again from its start; if it keeps happening, another program writes the same tables continuously',
      transient: true,
      cause,
    });
  }
}

/** The MotherDuck emulator caught a statement MotherDuck would refuse: a defect of duckdb-sync. Exit 1. */
export class MotherDuckRuleError extends SyncError {
  constructor(rule: string, sql: string) {
    super('E_MOTHERDUCK_RULE', `MotherDuck would refuse this statement (${rule}): ${sql.replace(/\s+/g, ' ').slice(0, 300)}`, 1, {
      hint: 'this is a bug in duckdb-sync; please report it with this message',
    });
  }
}

/** `conflicts restore|dismiss` named a record that does not exist. Exit 2. */
export class UnknownConflictError extends SyncError {
  constructor(readonly ids: number[]) {
    super('E_UNKNOWN_CONFLICT', `unknown conflict id(s): ${ids.join(', ')}`, 2, { hint: 'list them with `duckdb-sync conflicts --include-dismissed`' });
  }
}

/** A kept conflict cannot be restored: already restored, its table is gone, or its version no longer fits. Exit 2, nothing changed. */
export class ConflictRestoreError extends SyncError {
  constructor(message: string, hint: string, cause?: unknown) {
    super('E_CONFLICT_RESTORE', message, 2, { hint, cause });
  }
}

/** A file given as a database is something else (CSV, JSON, Parquet, a folder…) or one this DuckDB cannot read. Exit 2. */
export class NotADatabaseError extends SyncError {
  constructor(message: string, hint: string) {
    super('E_NOT_A_DATABASE', message, 2, { hint });
  }
}

/**
 * DuckDB could not do a step within its memory limit (a primary key index being written must fit
 * in memory: it cannot spill). The step rolled back. Exit 1.
 */
export class OutOfMemoryError extends SyncError {
  constructor(message: string, cause?: unknown) {
    super('E_OUT_OF_MEMORY', message, 1, {
      hint: 'raise the memory limit (--memory-limit 4GB, memoryLimit in the config), or leave it "auto" (the default), which syncs such a table again with DuckDB\'s own limit',
      cause,
    });
  }
}

/**
 * The remote showed an older snapshot of a table than the last sync saw (a read-scaling replica or a
 * share that has not caught up): its missing rows would be taken for deletes. The table is left as it
 * is for this sync (a warning, not a failure); transient: a later sync reads a fresher snapshot.
 */
export class StaleRemoteError extends SyncError {
  constructor(table: string, seen: number, now: number | null) {
    super('E_STALE_REMOTE', `${table}: the remote shows an older snapshot than the last sync saw (its change log is at ${now ?? 'nothing'}, the last sync saw ${seen}): left as it is`, 1, {
      hint: 'a read-scaling replica or a share lags the database by up to a few minutes; the next sync reads a fresher snapshot (CREATE SNAPSHOT on the writer and REFRESH DATABASE on the reader make it sooner)',
      transient: true,
    });
  }
}
