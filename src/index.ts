/** duckdb-sync: keep a local DuckDB file and a cloud DuckDB database (MotherDuck) in sync. */
export { sync, type SyncOptions, type SyncRunOptions } from './run/sync.js';
export { openSyncedDatabase, SyncedDatabase, type ConflictEvent, type SyncedDatabaseEvents, type SyncedDatabaseOptions } from './tracking/syncedDatabase.js';
export type { StatementResult } from './tracking/statementResult.js';
export { StatementError } from './tracking/statementError.js';
export { verify, type VerifyOptions, type VerifyResult } from './run/verify.js';
export { status, type StatusResult } from './run/status.js';
export { dismissConflicts, listConflicts, restoreConflicts, type ConflictFilter, type ConflictView, type DismissTarget } from './run/conflicts.js';
export type { CommonOptions } from './run/session.js';
export { loadConfig, type ConfigOverrides, type LoadConfigOptions } from './config/loadConfig.js';
export type { ResolvedConfig } from './config/resolvedConfig.js';
export type { ConfigFile, TableSettings } from './config/schema.js';
export { CONFLICT_POLICIES, SYNC_MODES, type ConflictPolicy, type SyncMode } from './config/choices.js';
export {
  DIRECTIONS,
  OBJECT_KINDS,
  type ConflictRecord,
  type ConflictStatus,
  type Direction,
  type ObjectAction,
  type ObjectKind,
  type ObjectResult,
  type ObjectSide,
  type PullProgress,
  type RowVersion,
  type RunRecord,
  type SyncResult,
  type TableMetadata,
  type TableResult,
  type TableStatus,
  type VerifyStatus,
  type VerifyTableResult,
} from './engine/api.js';
export type { FingerprintScheme, RemoteFingerprints } from './remote/remote.js';
export type { Row, SqlParams } from './db/database.js';
export type { StatementEffect } from './sql/statementEffect.js';
export type { TableRef } from './sql/tableRef.js';
export type { LocalWritesStatus, WatcherStatus } from './run/localWritesStatus.js';
export type { CrontabAccess } from './schedule/crontab.js';
export { installSchedule, type InstallScheduleOptions, type InstalledSchedule, type TokenSource } from './schedule/installSchedule.js';
export { listSchedule, type ListedSchedule } from './schedule/listSchedule.js';
export { removeSchedule } from './schedule/removeSchedule.js';
export { SyncDaemon, type DaemonRun, type RunOutcome, type RunTrigger, type SyncDaemonOptions, type WatchSettings } from './schedule/syncDaemon.js';
export type { WatchRetryDelays } from './schedule/watchTrigger.js';
export type { LogFields, Logger, LogLevel } from './log/logger.js';
export { silentLogger } from './log/logger.js';
export {
  ConfigError,
  ConflictPolicyError,
  ConflictRestoreError,
  CrontabError,
  CrontabUnavailableError,
  DatabaseError,
  DatabaseNotFoundError,
  ExtensionLoadError,
  LockError,
  MissingTokenError,
  NotADatabaseError,
  PushError,
  SyncError,
  UnknownConflictError,
  UnknownTableError,
  UsageError,
  type ExitCode,
  type SyncErrorOptions,
} from './errors.js';
