import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The script that runs SQL on a file with the previous DuckDB release (test/fixtures/previousDuckdbSql.mjs). */
const SCRIPT = fileURLToPath(new URL('../fixtures/previousDuckdbSql.mjs', import.meta.url));

export interface PreviousDuckResult {
  /** `SELECT version()` of the DuckDB that ran the statements, e.g. `v1.4.4`. */
  version: string;
  /** Rows (JSON-safe) of the last statement. */
  rows: Array<Record<string, unknown>>;
}

/**
 * Runs statements on a DuckDB file with the previous DuckDB release, in a process of its own (two
 * releases cannot share one process), and closes the file again. Rejects with DuckDB's message.
 */
export async function onPreviousDuck(path: string, ...statements: string[]): Promise<PreviousDuckResult> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, path, ...statements], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as PreviousDuckResult;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    throw new Error(`previous DuckDB failed on ${path}: ${stderr?.trim() || String(error)}`);
  }
}
