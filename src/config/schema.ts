import { z } from 'zod';
import { cronExpressionError } from '../schedule/cronExpression.js';

export const CONFLICT_POLICIES = ['remote-wins', 'local-wins', 'newest-wins', 'fail'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

export const SYNC_MODES = ['full', 'incremental'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** Settings for one table, keyed in the config by its local name (`emails` or `schema.table`). */
export const tableSettingsSchema = z
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
  })
  .strict();

export type TableSettings = z.infer<typeof tableSettingsSchema>;

/** `duckdb-sync schedule`: the time of the nightly full sync installed in the crontab. */
export const scheduleSettingsSchema = z
  .object({
    hour: z.number().int().min(0).max(23).optional(),
    minute: z.number().int().min(0).max(59).optional(),
  })
  .strict();

/** `duckdb-sync daemon`: when it runs full and incremental syncs. */
export const daemonSettingsSchema = z
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
  })
  .strict();

export const configFileSchema = z
  .object({
    /** Path of the local DuckDB file. */
    local: z.string().min(1).optional(),
    /** `md:<database>` or the path of a DuckDB file standing in for the cloud. */
    remote: z.string().min(1).optional(),
    /** MotherDuck token; prefer the MOTHERDUCK_TOKEN environment variable. */
    motherduckToken: z.string().min(1).optional(),
    /** Folder for the daily log files. */
    logDir: z.string().min(1).optional(),
    /** Only these tables (local names); default: every user table. */
    include: z.array(z.string().min(1)).optional(),
    /** Never these tables (local names). */
    exclude: z.array(z.string().min(1)).optional(),
    mode: z.enum(SYNC_MODES).optional(),
    onConflict: z.enum(CONFLICT_POLICIES).optional(),
    retry: z
      .object({
        maxRetries: z.number().int().min(0).max(100).optional(),
        delayMs: z.number().int().min(1).max(600_000).optional(),
      })
      .strict()
      .optional(),
    tables: z.record(z.string().min(1), tableSettingsSchema).optional(),
    schedule: scheduleSettingsSchema.optional(),
    daemon: daemonSettingsSchema.optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;
