import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ORDERS_TABLE } from '../lib/datasets.js';
import { formatMs } from '../lib/format.js';
import { removeDatabaseFile } from '../lib/inputs.js';
import { assertSucceeded, runNode, type ProcessSample } from '../lib/measure.js';
import { median } from '../lib/stats.js';
import { ordersInput, scenarioFolder } from '../lib/scenarioFolder.js';
import type { BenchContext, Check, Scenario, ScenarioResult } from '../lib/types.js';

const CLIENT_SCRIPT = fileURLToPath(new URL('../../test/fixtures/duckdbClient.mjs', import.meta.url));

/** Target (issue 26): a write is on the cloud at most this long after its program closed the file, the push itself aside. */
export const CLOSE_TO_CLOUD_MAX_MS = 5000;
/** Rows each client write updates. */
const ROWS_CHANGED = 100;

interface Push {
  /** When the daemon reported the push done (ms since the epoch). */
  at: number;
  /** How long it held the files, as the daemon reports it. */
  ms: number;
}

/**
 * `daemon --watch` (issue 26) on a synced keyed table: a plain DuckDB client process (not
 * duckdb-sync) updates 100 rows and exits; the time from its exit until the daemon reports the
 * watched push done (the change is on the cloud then), and how long that push held the local file
 * (what a program opening the file meanwhile waits for). The daemon runs with its defaults
 * (2 s debounce, file events and a 1 s poll); one daemon for every round.
 */
export const watchScenario: Scenario = {
  name: 'watch',
  description: 'daemon --watch: a write by a plain DuckDB client, on the cloud how long after it closed the file',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const { dir, cwd, cli } = scenarioFolder(ctx, 'watch');
    const input = await ordersInput(ctx);
    const cloud = join(dir, 'cloud.duckdb');
    const local = join(dir, 'local.duckdb');
    removeDatabaseFile(cloud);
    removeDatabaseFile(local);
    copyFileSync(input, cloud);
    ctx.log('preparing a synced local file…');
    const env = { ...process.env, DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
    assertSucceeded('first sync', await runNode([cli, 'sync', '--local', local, '--remote', ctx.remote(cloud)], { cwd, env }));

    const pushes: Push[] = [];
    let stderr = '';
    const daemon = spawn(process.execPath, [cli, 'daemon', '--watch', '--incremental-every', '0', '--full-sync-cron', '0 0 1 1 *', '--local', local, '--remote', ctx.remote(cloud)], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    daemon.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      for (const m of d.matchAll(/daemon run \d+ \(watched push\): ok, .*, (\d+\.\d) s$/gm)) pushes.push({ at: Date.now(), ms: Number(m[1]) * 1000 });
    });
    const exited = new Promise<number | null>((resolve) => daemon.on('close', (code) => resolve(code)));
    const latencies: number[] = [];
    const held: number[] = [];
    const clients: ProcessSample[] = [];
    try {
      await until('the daemon to start', () => stderr.includes('daemon started:'), 60_000);
      for (let round = 0; round < ctx.warmup + ctx.runs; round++) {
        const warmup = round < ctx.warmup;
        const first = 1 + ((round * 7919 * ROWS_CHANGED) % Math.max(1, ctx.rows - ROWS_CHANGED));
        const write = JSON.stringify({ path: local, statements: [`UPDATE ${ORDERS_TABLE} SET amount = amount + 1, updated_at = now() WHERE id BETWEEN ${first} AND ${first + ROWS_CHANGED - 1}`] });
        const before = pushes.length;
        const client = await runNode([CLIENT_SCRIPT, write], { cwd });
        assertSucceeded('DuckDB client', client);
        const closedAt = Date.now();
        await until('the watched push', () => pushes.length > before, 300_000);
        const push = pushes.at(-1) as Push;
        const latency = push.at - closedAt;
        ctx.log(`  ${warmup ? 'warm-up' : `run ${round - ctx.warmup + 1}/${ctx.runs}`}: on the cloud ${formatMs(latency)} after the client closed the file; the push held it ${formatMs(push.ms)}`);
        if (warmup) continue;
        latencies.push(latency);
        held.push(push.ms);
        clients.push(client);
        // The next write comes after a quiet moment, as separate edits do.
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      daemon.kill('SIGTERM');
      await exited;
    }
    const waited = latencies.map((l, i) => l - (held[i] as number));
    const check = median(waited);
    const checks: Check[] = [{ name: 'client closed the file → on the cloud, minus the push itself (median)', value: check, unit: 'ms', max: CLOSE_TO_CLOUD_MAX_MS, pass: check <= CLOSE_TO_CLOUD_MAX_MS }];
    return {
      name: this.name,
      description: this.description,
      rows: ctx.rows,
      runs: ctx.runs,
      warmup: ctx.warmup,
      sides: [{ label: `plain DuckDB client: UPDATE of ${ROWS_CHANGED} rows, then exit`, command: `node ${CLIENT_SCRIPT} '<json>'`, samples: clients }],
      checks,
      notes: [
        `client closed the file → on the cloud: median ${formatMs(median(latencies))} (${latencies.map(formatMs).join(' / ')})`,
        `the watched push held the local file: median ${formatMs(median(held))} (${held.map(formatMs).join(' / ')}); a program opening the file meanwhile gets DuckDB's lock error for that long`,
        'daemon defaults: a push 2 s after the last write (--watch-debounce), file events and a 1 s poll of the file\'s stamp',
      ],
    };
  },
};

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`watch: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
