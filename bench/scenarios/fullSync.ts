import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAlternating, type SideSpec } from '../lib/alternate.js';
import { createOrdersSql, insertOrdersSql, ORDERS_TABLE, ORDERS_VERSION } from '../lib/datasets.js';
import { withDuckDB } from '../lib/duck.js';
import { formatRatio } from '../lib/format.js';
import { ensureInput } from '../lib/inputs.js';
import { median } from '../lib/stats.js';
import type { BenchContext, Scenario, ScenarioResult, SideResult } from '../lib/types.js';

const COPY_SCRIPT = fileURLToPath(new URL('../lib/copyFromDatabase.mjs', import.meta.url));

/** Targets: ours / COPY FROM DATABASE wall time (medians), and our peak memory. */
export const FULL_SYNC_MAX_RATIO = 1.25;
export const FULL_SYNC_MAX_RSS = 1024 ** 3;

/**
 * Full sync into a new local file, against DuckDB's own COPY FROM DATABASE doing the same copy.
 * Both are whole `node` processes started the same way; ours also writes its baseline (one
 * fingerprint per row) and its sync metadata, which COPY does not.
 */
export const fullSyncScenario: Scenario = {
  name: 'full-sync',
  description: 'full sync of a keyed table into a new local file vs COPY FROM DATABASE',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const remote = await ensureInput(ctx, {
      name: ORDERS_TABLE,
      version: ORDERS_VERSION,
      statements: (rows) => [createOrdersSql(), insertOrdersSql(rows)],
    });
    const cli = join(ctx.repoRoot, 'dist', 'bin', 'duckdb-sync.js');
    // An empty working folder: no config file is picked up, and the CLI's logs/ land there.
    const cliCwd = join(ctx.workDir, 'cli-cwd');
    mkdirSync(cliCwd, { recursive: true });
    const verify = (target: string): Promise<void> => verifyRowCount(target, ctx.rows);

    const sides: SideSpec[] = [
      {
        id: 'copy',
        label: 'COPY FROM DATABASE',
        args: (target) => [COPY_SCRIPT, target, remote],
        display: `node bench/lib/copyFromDatabase.mjs <target> ${remote}`,
        verify,
      },
      {
        id: 'ours',
        label: 'duckdb-sync sync',
        args: (target) => [cli, 'sync', '--local', target, '--remote', ctx.remote(remote)],
        display: `node dist/bin/duckdb-sync.js sync --local <target> --remote ${remote}`,
        cwd: cliCwd,
        verify,
      },
    ];
    const [copy, ours] = await runAlternating(ctx, 'full-sync', sides);
    if (!copy || !ours) throw new Error('full-sync: missing results');

    const ratio = median(ours.samples.map((s) => s.wallMs)) / median(copy.samples.map((s) => s.wallMs));
    const oursRss = Math.max(...ours.samples.map((s) => s.peakRssBytes));
    const cpu = (side: SideResult): number => median(side.samples.map((s) => (s.userCpuMs ?? Number.NaN) + (s.systemCpuMs ?? Number.NaN)));
    const cpuRatio = cpu(ours) / cpu(copy);
    return {
      name: this.name,
      description: this.description,
      rows: ctx.rows,
      runs: ctx.runs,
      warmup: ctx.warmup,
      sides: [copy, ours],
      checks: [
        { name: 'wall time, ours / COPY (medians)', value: ratio, unit: 'ratio', max: FULL_SYNC_MAX_RATIO, pass: ratio <= FULL_SYNC_MAX_RATIO },
        { name: 'peak RSS, ours (max of runs)', value: oursRss, unit: 'bytes', max: FULL_SYNC_MAX_RSS, pass: oursRss <= FULL_SYNC_MAX_RSS },
      ],
      notes: [
        `CPU time (user+sys), ours / COPY (medians): ${formatRatio(cpuRatio)} — less sensitive than wall time to other load on the machine`,
        'both sides are whole node processes (start-up, open, attach, copy, checkpoint at close); ours also writes its baseline and sync metadata',
      ],
    };
  },
};

/** The copied table is there with every row. */
async function verifyRowCount(target: string, rows: number): Promise<void> {
  const [row] = await withDuckDB(target, (q) => q.all<{ n: bigint }>(`SELECT count(*) AS n FROM main.${ORDERS_TABLE}`), { readOnly: true });
  if (Number(row?.n) !== rows) throw new Error(`${target}: expected ${rows} rows in ${ORDERS_TABLE}, found ${String(row?.n)}`);
}
