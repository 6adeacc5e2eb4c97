import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { removeDatabaseFile } from './inputs.js';
import { assertSucceeded, runNode } from './measure.js';
import { formatBytes, formatMs } from './format.js';
import type { BenchContext, SideResult } from './types.js';

/** One side of a comparison: a whole `node` process that writes a fresh target database file. */
export interface SideSpec {
  /** Short id, also the target file's name (and so its DuckDB catalog name). */
  id: string;
  label: string;
  /** `node` arguments for a run writing `target`. */
  args(target: string): string[];
  /** Shown in the report, with <target> in place of the file. */
  display: string;
  cwd?: string;
  /** Checks the target after a run (outside the timing); throws when it is wrong. */
  verify?(target: string): Promise<void>;
}

/**
 * Runs every side `ctx.warmup` untimed then `ctx.runs` timed times, rotating the order each round
 * (A B, B A, …) so neither side always runs on a warmer machine, each run into a new target file
 * (file and WAL removed before and after). A failing child stops the scenario with its output.
 */
export async function runAlternating(ctx: BenchContext, scenario: string, sides: SideSpec[]): Promise<SideResult[]> {
  const dir = join(ctx.workDir, 'runs', scenario);
  mkdirSync(dir, { recursive: true });
  const results = new Map<string, SideResult>(sides.map((s) => [s.id, { label: s.label, command: s.display, samples: [] }]));
  const env = childEnv();
  const rounds = ctx.warmup + ctx.runs;
  for (let round = 0; round < rounds; round++) {
    const warmup = round < ctx.warmup;
    const k = warmup ? round : round - ctx.warmup;
    const order = sides.map((_s, i) => sides[(i + k) % sides.length] as SideSpec);
    for (const side of order) {
      const target = join(dir, `${side.id}.duckdb`);
      removeDatabaseFile(target);
      const sample = await runNode(side.args(target), { cwd: side.cwd ?? ctx.workDir, env });
      assertSucceeded(`${scenario} / ${side.label}`, sample);
      const what = warmup ? `warm-up ${round + 1}/${ctx.warmup}` : `run ${round - ctx.warmup + 1}/${ctx.runs}`;
      ctx.log(`  ${what} ${side.label}: ${formatMs(sample.wallMs)}, peak RSS ${formatBytes(sample.peakRssBytes)}`);
      if (!warmup) {
        const result = results.get(side.id) as SideResult;
        result.samples.push(sample);
        result.outputBytes = fileSize(target) + fileSize(`${target}.wal`);
      }
      await side.verify?.(target);
      removeDatabaseFile(target);
    }
  }
  return sides.map((s) => results.get(s.id) as SideResult);
}

/** The children's environment: no duckdb-sync settings or tokens from the user's shell, no loaders. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^DUCKDB_SYNC_|^MOTHERDUCK_TOKEN$|^motherduck_token$|^NODE_OPTIONS$/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}
