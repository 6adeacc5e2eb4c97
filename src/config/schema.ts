import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { cronExpressionError } from './cronExpression.js';
import { CONFLICT_POLICIES, SYNC_MODES } from './choices.js';

/** A DuckDB memory size (`600MB`, `1.5GB`, `512MiB`) or `default` (DuckDB's own: 80% of the machine's memory). */
const SIZE = String.raw`\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)`;
/** `memoryLimit`: a size, `default`, or `auto` / `auto:<size>` (starts there, raised for a step that needs more: db/memoryLimit.ts). */
export const MEMORY_LIMIT_PATTERN = new RegExp(`^(default|auto|auto:\\s*${SIZE}|${SIZE})$`, 'i');

export { CONFLICT_POLICIES, SYNC_MODES, type ConflictPolicy, type SyncMode } from './choices.js';

/**
 * The config file's schema, built on first use: zod takes ~0.05–0.07 s to load, which a run
 * without a config file need not pay.
 */
export function configFileSchema(): ConfigFileSchema {
  cached ??= buildConfigFileSchema();
  return cached;
}

type ConfigFileSchema = ReturnType<typeof buildConfigFileSchema>;
let cached: ConfigFileSchema | undefined;

function buildConfigFileSchema() {
  const require = createRequire(import.meta.url);
  const { z } = require('zod') as typeof Zod;
  const memoryLimitSchema = z.string().regex(MEMORY_LIMIT_PATTERN, 'expected "auto", a size such as 600MB or 2GB, or "default"');

  /** Settings for one table, keyed in the config by its local name (`emails` or `schema.table`). */
  const tableSettingsSchema = z
    .object({
      /** The table's name on the remote when it differs from the local name. */
      remoteTable: z.string().min(1).optional(),
      /** Key columns (local names) for tables without a primary key, or to override it. */
      key: z.array(z.string().min(1)).min(1).optional(),
      /** Cursor column (local name) holding an updated-at timestamp or increasing value. */
      cursor: z.string().min(1).optional(),
      /** Column name mapping: local column name → remote column name. */
      columns: z.record(z.string().min(1), z.string().min(1)).optional(),
      /** Leave this table out of every sync. */
      exclude: z.boolean().optional(),
      onConflict: z.enum(CONFLICT_POLICIES).optional(),
      /**
       * A partial replica: the local table holds only the cloud rows this DuckDB boolean expression
       * over the table's columns (local names) keeps, evaluated on the server at each sync.
       */
      where: z.string().trim().min(1).optional(),
    })
    .strict();

  /** `duckdb-sync schedule`: the time of the nightly full sync installed in the crontab. */
  const scheduleSettingsSchema = z
    .object({
      hour: z.number().int().min(0).max(23).optional(),
      minute: z.number().int().min(0).max(59).optional(),
    })
    .strict();

  /** `duckdb-sync daemon`: when it runs full and incremental syncs. */
  const daemonSettingsSchema = z
    .object({
      /** Cron expression of the full sync (5 fields, or 6 with seconds first); default `0 3 * * *`. */
      fullSyncCron: z
        .string()
        .superRefine((value, ctx) => {
          const error = cronExpressionError(value);
          if (error) ctx.addIssue({ code: 'custom', message: error });
        })
        .optional(),
      /** Minutes between incremental syncs (fractions allowed; 0 turns them off); default 15. */
      incrementalEveryMinutes: z.number().min(0).max(10_080).optional(),
      /** Watch the local file and push writes made by any program soon after they are made; default false. */
      watch: z.boolean().optional(),
      /** Quiet (ms) after the last local write before a watched push starts; default 2000. */
      watchDebounceMs: z.number().int().min(0).max(3_600_000).optional(),
      /** While writes keep coming, a watched push starts at least this long (ms) after the first one waiting; default 5000. */
      watchMaxDelayMs: z.number().int().min(0).max(3_600_000).optional(),
      /** How often (ms) the local file's stamp is read besides file events (network file systems); default 1000. */
      watchPollMs: z.number().int().min(50).max(600_000).optional(),
    })
    .strict();

  return z
    .object({
      /** Path of the local DuckDB file. */
      local: z.string().min(1).optional(),
      /** `md:<database>` or the path of a DuckDB file standing in for the cloud. */
      remote: z.string().min(1).optional(),
      /** MotherDuck token; prefer the MOTHERDUCK_TOKEN environment variable. */
      motherduckToken: z.string().min(1).optional(),
      /** Folder for the daily log files. */
      logDir: z.string().min(1).optional(),
      /** Folder of duckdb-sync's cache; default $XDG_CACHE_HOME/duckdb-sync or ~/.cache/duckdb-sync. */
      cacheDir: z.string().min(1).optional(),
      /** Memory DuckDB may use before it spills to temp files (`auto`: 600MB, raised for a table that needs more; `auto:1GB`; a fixed size `2GB`; `default`: DuckDB's own, 80% of RAM); default auto. */
      memoryLimit: memoryLimitSchema.optional(),
      /**
       * Rows one remote transaction may write: a push of more goes in parts, each committed on its
       * own (MotherDuck's server holds a transaction's changes in memory). Default: 1,000,000 on
       * MotherDuck, no limit on a file remote.
       */
      maxTransactionRows: z.number().int().min(1000).max(1_000_000_000).optional(),
      /** Only these tables (local names); default: every user table. */
      include: z.array(z.string().min(1)).optional(),
      /** Never these tables (local names). */
      exclude: z.array(z.string().min(1)).optional(),
      mode: z.enum(SYNC_MODES).optional(),
      /**
       * Views, macros, sequences and schemas created or changed locally are pushed to the remote:
       * true for all of them, or a list of names (`daily_totals`, `reporting.v_daily`); default false.
       */
      pushObjects: z.union([z.boolean(), z.array(z.string().min(1))]).optional(),
      onConflict: z.enum(CONFLICT_POLICIES).optional(),
      retry: z
        .object({
          maxRetries: z.number().int().min(0).max(100).optional(),
          delayMs: z.number().int().min(1).max(600_000).optional(),
        })
        .strict()
        .optional(),
      tables: z.record(z.string().min(1), tableSettingsSchema).optional(),
      /** Kept conflicts (`duckdb-sync conflicts`): days a restored or dismissed record is kept before it is purged; default 90. */
      conflicts: z.object({ retentionDays: z.number().int().min(1).max(36_500).optional() }).strict().optional(),
      schedule: scheduleSettingsSchema.optional(),
      daemon: daemonSettingsSchema.optional(),
    })
    .strict();
}

/** The config file (`duckdb-sync.config.json`), as its schema (zod) checks it: see the README's config section. */
export type ConfigFile = Zod.infer<ConfigFileSchema>;
/** Settings for one table, keyed in the config by its local name (`emails` or `schema.table`). */
export type TableSettings = NonNullable<ConfigFile['tables']>[string];
