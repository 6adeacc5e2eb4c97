import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ORDERS_TABLE } from '../lib/datasets.js';
import { withDuckDB } from '../lib/duck.js';
import { formatBytes, formatInt, formatMs } from '../lib/format.js';
import { removeDatabaseFile } from '../lib/inputs.js';
import type { ProcessSample } from '../lib/measure.js';
import { stepRecorder } from '../lib/stepRecorder.js';
import { ordersInput, scenarioFolder } from '../lib/scenarioFolder.js';
import type { BenchContext, Check, Scenario, ScenarioResult } from '../lib/types.js';

/** The partial scenario's own default size (issue 25: ≤ 0.35× on a 3M-row table). */
export const PARTIAL_DEFAULT_ROWS = 3_000_000;
/** A tenth of the rows, spread over the whole table (no pruning by storage order helps it). */
const WHERE = 'customer_id % 10 = 0';
/** Cloud rows changed before the incremental step (about a tenth of them in scope). */
const CHANGES = 2000;

export const PARTIAL_TARGETS = { fullOverWhole: 0.35, incrementalOverWhole: 1 };

type StepId = 'wholeFull' | 'partialFull' | 'wholeIncremental' | 'partialIncremental';

const LABELS: Record<StepId, string> = {
  wholeFull: 'full sync of the whole table (new local file)',
  partialFull: `full sync of a 10% replica (where ${WHERE})`,
  wholeIncremental: `incremental sync of the whole table, ${formatInt(CHANGES)} cloud changes`,
  partialIncremental: `incremental sync of the 10% replica, the same ${formatInt(CHANGES)} cloud changes`,
};

/**
 * Issue 25: a 10% partial replica (`tables.orders.where`) against the whole table, each as whole CLI
 * processes in the same run: a full sync into a new local file, then, after another client changed
 * 2,000 cloud rows (moving their cursor; some in scope, some leaving it), an incremental sync.
 */
export const partialReplicaScenario: Scenario = {
  name: 'partial',
  description: 'a 10% partial replica (tables.<name>.where) against the whole table: full and incremental sync',
  async run(base: BenchContext): Promise<ScenarioResult> {
    const ctx: BenchContext = { ...base, rows: base.rowsGiven ? base.rows : PARTIAL_DEFAULT_ROWS };
    const { dir, cwd, cli } = scenarioFolder(ctx, 'partial');
    const input = await ordersInput(ctx);
    const env = { ...process.env, DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
    const remote = join(dir, 'remote.duckdb');
    const whole = join(dir, 'whole.duckdb');
    const partial = join(dir, 'partial.duckdb');
    // Both sides run from a config file, the same but for the filter: the same work before the first row.
    const config = join(dir, 'partial.config.json');
    writeFileSync(config, JSON.stringify({ local: partial, remote: ctx.remote(remote), tables: { [ORDERS_TABLE]: { where: WHERE } } }));
    const wholeConfig = join(dir, 'whole.config.json');
    writeFileSync(wholeConfig, JSON.stringify({ local: whole, remote: ctx.remote(remote) }));
    const { step, wall, peak, sides } = stepRecorder(ctx, 'partial', LABELS, { cwd, env });
    const pulled = (sample: ProcessSample): number => (JSON.parse(sample.stdout) as { tables: Array<{ name: string; rowsPulled: number }> }).tables.find((t) => t.name === ORDERS_TABLE)?.rowsPulled ?? -1;

    for (let round = 0; round < ctx.runs; round++) {
      ctx.log(`round ${round + 1}/${ctx.runs} (${formatInt(ctx.rows)} rows)`);
      for (const f of [remote, whole, partial]) removeDatabaseFile(f);
      copyFileSync(input, remote);
      // Alternated: which side goes first changes every round.
      const fulls: Array<[StepId, string[]]> = [
        ['wholeFull', [cli, 'sync', '--json', '--config', wholeConfig]],
        ['partialFull', [cli, 'sync', '--json', '--config', config]],
      ];
      for (const [id, args] of round % 2 ? fulls.reverse() : fulls) await step(id, args);
      const [inScope] = await withDuckDB(partial, (q) => q.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${ORDERS_TABLE}`));
      await withDuckDB(remote, (q) =>
        q.run(
          `UPDATE ${ORDERS_TABLE} SET status = 'changed ${round}', customer_id = customer_id + 1, updated_at = TIMESTAMP '2030-01-01' + to_seconds(id % 1000)
             WHERE id IN (SELECT id FROM ${ORDERS_TABLE} ORDER BY hash(id * ${round + 3}) LIMIT ${CHANGES})`,
        ),
      );
      const incrementals: Array<[StepId, string[]]> = [
        ['wholeIncremental', [cli, 'sync', '--json', '--mode', 'incremental', '--config', wholeConfig]],
        ['partialIncremental', [cli, 'sync', '--json', '--mode', 'incremental', '--config', config]],
      ];
      for (const [id, args] of round % 2 ? incrementals.reverse() : incrementals) {
        const sample = await step(id, args);
        if (id === 'wholeIncremental' && pulled(sample) !== CHANGES) throw new Error(`partial: the whole table pulled ${pulled(sample)} rows, not ${CHANGES}`);
      }
      ctx.log(`  the replica holds ${formatInt(Number(inScope?.n ?? 0))} of ${formatInt(ctx.rows)} rows`);
    }
    for (const f of [remote, whole, partial]) removeDatabaseFile(f);

    const ratio = (name: string, value: number, max: number): Check => ({ name, value, unit: 'ratio', max, pass: value <= max });
    return {
      name: this.name,
      description: this.description,
      rows: ctx.rows,
      runs: ctx.runs,
      warmup: 0,
      sides: sides(),
      checks: [
        ratio('full sync of a 10% replica / of the whole table', wall('partialFull') / wall('wholeFull'), PARTIAL_TARGETS.fullOverWhole),
        ratio('incremental sync of the replica / of the whole table', wall('partialIncremental') / wall('wholeIncremental'), PARTIAL_TARGETS.incrementalOverWhole),
      ],
      notes: (Object.keys(LABELS) as StepId[]).map((id) => `${LABELS[id]}: ${formatMs(wall(id))}, peak ${formatBytes(peak(id))}`),
    };
  },
};
