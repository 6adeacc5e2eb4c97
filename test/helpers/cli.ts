import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI as installed (`bin`: one bundled file; npm test builds it first). */
export const CLI = fileURLToPath(new URL('../../dist/bin/duckdb-sync.js', import.meta.url));
/** The same CLI as tsc wrote it, module by module: what a preload can redirect (see `onPreviousDuckdb`). */
export const MODULE_CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Options for node itself, before the CLI's path (e.g. a preload: see `onPreviousDuckdb`). */
  nodeArgs?: string[];
  /** The script to run instead of the bundled CLI. */
  script?: string;
}

/** The preload that makes a CLI process run on the previous DuckDB release (test/fixtures/previousDuckdb.cjs). */
export const PREVIOUS_DUCKDB_PRELOAD = fileURLToPath(new URL('../fixtures/previousDuckdb.cjs', import.meta.url));

/**
 * CLI options that run it on the previous DuckDB release, as a duckdb-sync built on it would: the
 * module-by-module CLI, as the bundle holds its own @duckdb/node-api.
 */
export function onPreviousDuckdb(options: CliOptions = {}): CliOptions {
  return { ...options, script: MODULE_CLI, nodeArgs: ['--require', PREVIOUS_DUCKDB_PRELOAD, ...(options.nodeArgs ?? [])] };
}

/** Environment for spawned CLIs: no inherited sync settings or tokens. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['DUCKDB_SYNC_LOCAL', 'DUCKDB_SYNC_REMOTE', 'MOTHERDUCK_TOKEN', 'motherduck_token']) delete env[k];
  return { ...env, ...extra };
}

/** Spawns the built CLI as a user would and collects its output. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Starts the CLI without waiting (for kill tests). */
export function startCli(args: string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [...(options.nodeArgs ?? []), options.script ?? CLI, ...args], { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}
