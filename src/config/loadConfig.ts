import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { ConfigError } from '../errors.js';
import { DEFAULTS, type ResolvedConfig } from './resolvedConfig.js';
import { configFileSchema, MEMORY_LIMIT_PATTERN, type ConfigFile, type ConflictPolicy, type SyncMode, type TableSettings } from './schema.js';

/** Names looked for in the working directory when no --config is given, in this order. */
export const CONFIG_FILE_NAMES = ['duckdb-sync.config.json', 'duckdb-sync.config.yaml', 'duckdb-sync.config.yml'];

/** Values given on the command line or to the library; they win over everything else. */
export interface ConfigOverrides {
  local?: string | undefined;
  remote?: string | undefined;
  motherduckToken?: string | undefined;
  logDir?: string | undefined;
  include?: string[] | undefined;
  mode?: SyncMode | undefined;
  onConflict?: ConflictPolicy | undefined;
  /** Push objects (views, macros, sequences, schemas) created or changed locally: all, or these names. */
  pushObjects?: boolean | string[] | undefined;
  maxRetries?: number | undefined;
  retryDelayMs?: number | undefined;
  /** Memory DuckDB may use before it spills (`600MB`, `2GB`, `default`). */
  memoryLimit?: string | undefined;
  /** Rows one remote transaction may write (a larger push goes in parts); default: the remote's. */
  maxTransactionRows?: number | undefined;
  /** Settings of some tables (local names), over the config file's for those tables, e.g. `{ events: { where: "ts >= now() - INTERVAL 90 DAY" } }`. */
  tableSettings?: Record<string, TableSettings> | undefined;
}

export interface LoadConfigOptions {
  /** Explicit config file (--config); it must exist. */
  configPath?: string | undefined;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: ConfigOverrides;
  /** When false, a missing local or remote is not an error (commands that need neither). */
  requireDatabases?: boolean;
}

/** Merges defaults < config file < environment < overrides, validating the file with its schema. */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const o = options.overrides ?? {};
  const configPath = findConfigFile(options.configPath, cwd);
  const file = configPath ? readConfigFile(configPath) : {};
  const fileDir = configPath ? dirname(configPath) : cwd;
  const fromFile = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolvePath(p, fileDir));
  const fromCwd = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolvePath(p, cwd));

  const local = fromCwd(o.local) ?? fromCwd(nonEmpty(env.DUCKDB_SYNC_LOCAL)) ?? fromFile(file.local);
  const remote = fromCwd(o.remote) ?? fromCwd(nonEmpty(env.DUCKDB_SYNC_REMOTE)) ?? fromFile(file.remote);
  if (options.requireDatabases !== false) {
    if (!local) throw new ConfigError('no local database given', 'pass --local <path>, set DUCKDB_SYNC_LOCAL, or set "local" in the config file');
    if (!remote) {
      throw new ConfigError(
        'no remote database given',
        'pass --remote md:<database> or --remote <file.duckdb>, set DUCKDB_SYNC_REMOTE, or set "remote" in the config file (try `duckdb-sync demo` for a stand-in)',
      );
    }
  }
  return {
    local: local ?? '',
    remote: remote ?? '',
    motherduckToken: o.motherduckToken ?? nonEmpty(env.MOTHERDUCK_TOKEN) ?? nonEmpty(env.motherduck_token) ?? file.motherduckToken,
    logDir: fromCwd(o.logDir) ?? fromFile(file.logDir) ?? resolve(cwd, DEFAULTS.logDir),
    cacheDir: fromCwd(nonEmpty(env.DUCKDB_SYNC_CACHE_DIR)) ?? fromFile(file.cacheDir) ?? defaultCacheDir(env),
    include: o.include?.length ? o.include : file.include,
    exclude: file.exclude ?? [],
    pushObjects: o.pushObjects ?? file.pushObjects ?? false,
    mode: o.mode ?? file.mode ?? DEFAULTS.mode,
    onConflict: o.onConflict ?? file.onConflict ?? DEFAULTS.onConflict,
    conflictRetentionDays: file.conflicts?.retentionDays ?? DEFAULTS.conflictRetentionDays,
    maxRetries: o.maxRetries ?? file.retry?.maxRetries ?? DEFAULTS.maxRetries,
    retryDelayMs: o.retryDelayMs ?? file.retry?.delayMs ?? DEFAULTS.retryDelayMs,
    memoryLimit: memoryLimit(o.memoryLimit ?? nonEmpty(env.DUCKDB_SYNC_MEMORY_LIMIT) ?? file.memoryLimit ?? DEFAULTS.memoryLimit),
    maxTransactionRows: o.maxTransactionRows ?? file.maxTransactionRows,
    tables: mergeTables(file.tables ?? {}, o.tableSettings),
    configPath,
  };
}

/** The config file's table settings with those given in code over them, table by table. */
function mergeTables(fromFile: Record<string, TableSettings>, given: Record<string, TableSettings> | undefined): Record<string, TableSettings> {
  if (!given) return fromFile;
  const parsed = configFileSchema().shape.tables.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid tableSettings option: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, 'see the "Config file" section of the README for the table settings');
  }
  const merged = { ...fromFile };
  for (const [name, settings] of Object.entries(parsed.data ?? {})) merged[name] = { ...merged[name], ...settings };
  return merged;
}

/** A memory limit from a flag or the environment, checked as the config file's is (exit 2 with a hint). */
function memoryLimit(value: string): string {
  if (!MEMORY_LIMIT_PATTERN.test(value.trim())) {
    throw new ConfigError(`invalid memory limit: ${value}`, 'give "auto" (600MB, raised for a table that needs more), "auto:1GB", a fixed size such as 2GB, or "default" for DuckDB\'s own (80% of the memory)');
  }
  return value.trim();
}

function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigError(`config file not found: ${path}`, 'check the --config path');
    return path;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Reads and validates one config file; errors name the file and the field path. */
export function readConfigFile(path: string): ConfigFile {
  let raw: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    // yaml is loaded only for YAML files (~0.03 s).
    raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : (createRequire(import.meta.url)('yaml') as typeof Yaml).parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(`cannot parse config file ${path}: ${detail}`, 'fix the syntax (JSON or YAML)', error);
  }
  const parsed = configFileSchema().safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length ? issue.path.join('.') : '(top level)';
    const message = issue?.message ?? 'invalid';
    throw new ConfigError(
      `invalid config file ${path}: ${field}: ${message}`,
      'see the "Config file" section of the README for the allowed fields',
    );
  }
  return parsed.data;
}

/** $XDG_CACHE_HOME/duckdb-sync, else ~/.cache/duckdb-sync. */
function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = nonEmpty(env.XDG_CACHE_HOME);
  if (xdg && isAbsolute(xdg)) return join(xdg, 'duckdb-sync');
  return join(nonEmpty(env.HOME) ?? homedir(), '.cache', 'duckdb-sync');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** `md:` URIs stay as they are; file paths (also the emulator's, `mdemu:<path>`) become absolute against `base`. */
function resolvePath(path: string, base: string): string {
  if (path.startsWith('mdemu:')) return `mdemu:${resolvePath(path.slice('mdemu:'.length), base)}`;
  if (path.startsWith('md:') || isAbsolute(path)) return path;
  return resolve(base, path);
}
