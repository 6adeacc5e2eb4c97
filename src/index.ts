/** duckdb-sync: keep a local DuckDB file and a cloud DuckDB database (MotherDuck) in sync. */
export { sync, type SyncOptions, type SyncRunOptions } from './run/sync.js';
export { openSyncedDatabase, SyncedDatabase, type ConflictEvent, type SyncedDatabaseEvents, type SyncedDatabaseOptions } from './tracking/syncedDatabase.js';
export type { StatementResult } from './tracking/statementResult.js';
export { StatementError } from './tracking/statementError.js';
export { verify, type VerifyOptions, type VerifyResult } from './run/verify.js';
export { status, type StatusResult } from './run/status.js';
export { dismissConflicts, listConflicts, restoreConflicts, type ConflictFilter, type ConflictView, type DismissTarget } from './run/conflicts.js';
export type { ObjectAction, ObjectResult, ObjectSide } from './engine/objects/objectChange.js';
export type { CommonOptions } from './run/session.js';
export { loadConfig, type ConfigOverrides, type LoadConfigOptions } from './config/loadConfig.js';
export type { ResolvedConfig } from './config/resolvedConfig.js';
export type { ConfigFile, ConflictPolicy, SyncMode, TableSettings } from './config/schema.js';
export type { Direction, SyncResult, TableResult, TableStatus } from './engine/result.js';
export type { VerifyStatus, VerifyTableResult } from './engine/verifyTable.js';
export type { TableMetadata } from './engine/state/tableMetadata.js';
export type { RunRecord } from './engine/state/runHistory.js';
export type { PullProgress } from './engine/full/pullFull.js';
export { installSchedule, type InstallScheduleOptions, type InstalledSchedule, type TokenSource } from './schedule/installSchedule.js';
export { listSchedule, type ListedSchedule } from './schedule/listSchedule.js';
export { removeSchedule } from './schedule/removeSchedule.js';
export { SyncDaemon, type DaemonRun, type RunOutcome, type SyncDaemonOptions } from './schedule/syncDaemon.js';
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
} from './errors.js';
