import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createOrdersSql, insertOrdersSql, ORDERS_TABLE, ORDERS_VERSION } from './datasets.js';
import { ensureInput } from './inputs.js';
import type { BenchContext } from './types.js';

/**
 * A scenario's scratch folder (`<work folder>/runs/<name>`) and, inside it, an empty working folder
 * for the processes it runs: no config file is picked up there, and the CLI's logs/ land there.
 * `cli`: the built CLI.
 */
export function scenarioFolder(ctx: BenchContext, name: string): { dir: string; cwd: string; cli: string } {
  const dir = join(ctx.workDir, 'runs', name);
  const cwd = join(dir, 'cwd');
  mkdirSync(cwd, { recursive: true });
  return { dir, cwd, cli: join(ctx.repoRoot, 'dist', 'bin', 'duckdb-sync.js') };
}

/** The keyed `orders` table of ctx.rows rows, with an `updated_at` cursor column (cached between runs). */
export function ordersInput(ctx: BenchContext): Promise<string> {
  return ensureInput(ctx, { name: ORDERS_TABLE, version: ORDERS_VERSION, statements: (rows) => [createOrdersSql(), insertOrdersSql(rows)] });
}
