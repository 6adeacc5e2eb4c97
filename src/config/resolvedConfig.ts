import type { ConflictPolicy, SyncMode, TableSettings } from './schema.js';

/** The configuration after defaults, file, environment and flags are merged. */
export interface ResolvedConfig {
  local: string;
  remote: string;
  /** MotherDuck token; never logged. */
  motherduckToken: string | undefined;
  logDir: string;
  /** Folder of duckdb-sync's cache (what each local file looked like when its last sync ended). */
  cacheDir: string;
  include: string[] | undefined;
  exclude: string[];
  mode: SyncMode;
  /** Which objects created or changed locally are pushed: all (true), none (false) or these names. */
  pushObjects: boolean | string[];
  onConflict: ConflictPolicy;
  /** Days a restored or dismissed conflict record is kept before it is purged. */
  conflictRetentionDays: number;
  maxRetries: number;
  retryDelayMs: number;
  /** Memory DuckDB may use before it spills to temp files next to the local file: `auto`, `auto:<size>`, a size, or `default` (DuckDB's own). */
  memoryLimit: string;
  /** Rows one remote transaction may write (a larger push goes in parts); undefined: the remote's default. */
  maxTransactionRows: number | undefined;
  tables: Record<string, TableSettings>;
  /** The config file that was read, if any. */
  configPath: string | undefined;
}

/** Names the config leaves out of every sync: `exclude`, and tables with `exclude: true`. */
export function configExcluded(config: Pick<ResolvedConfig, 'exclude' | 'tables'>): string[] {
  return [...config.exclude, ...Object.entries(config.tables).filter(([, s]) => s.exclude).map(([name]) => name)];
}

export const DEFAULTS = {
  logDir: 'logs',
  mode: 'full' as SyncMode,
  onConflict: 'remote-wins' as ConflictPolicy,
  maxRetries: 5,
  retryDelayMs: 250,
  conflictRetentionDays: 90,
  /**
   * 600MB, raised to DuckDB's own for a table that does not fit (db/memoryLimit.ts). Measured (issue 22): at 20M rows a
   * sync takes the same time with 600MB as without a limit (±5%), in a third to a half of the memory; but a primary key
   * index being written cannot spill, and a full pull of a 20M-row keyed table can need more.
   */
  memoryLimit: 'auto',
};
