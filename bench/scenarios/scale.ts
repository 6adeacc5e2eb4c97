import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ORDERS_TABLE } from '../lib/datasets.js';
import { withDuckDB } from '../lib/duck.js';
import { formatBytes, formatInt, formatMs } from '../lib/format.js';
import { removeDatabaseFile } from '../lib/inputs.js';
import type { ProcessSample } from '../lib/measure.js';
import { stepRecorder } from '../lib/stepRecorder.js';
import { ordersInput, scenarioFolder } from '../lib/scenarioFolder.js';
import type { BenchContext, Check, Scenario, ScenarioResult } from '../lib/types.js';

const COPY_SCRIPT = fileURLToPath(new URL('../lib/copyFromDatabase.mjs', import.meta.url));
const FLOOR_SCRIPT = fileURLToPath(new URL('../tools/cursorFloor.mjs', import.meta.url));

/** The scale scenario's own default size (issue 22): incremental work must follow the changes at 20M rows. */
export const SCALE_DEFAULT_ROWS = 20_000_000;
/** Rows changed per step on either side. */
const CHANGES = 2000;
const GiB = 1024 ** 3;

/** Targets of issue 22, each against a figure of the same run. */
export const SCALE_TARGETS = {
  fullOverCopy: 1.15,
  fullPeakOverCopyPeak: 1.25,
  noChangeOverFull: 0.08,
  pullOverFloor: 1.5,
  pushOverFull: 0.3,
  execOverFull: 0.1,
  incrementalPeakBytes: GiB,
};

type StepId = 'copy' | 'full' | 'nochange' | 'floor1' | 'pull1' | 'push' | 'floor2' | 'pull2' | 'exec' | 'nightly';

const LABELS: Record<StepId, string> = {
  copy: 'COPY FROM DATABASE (new file)',
  full: 'full sync (new local file)',
  nochange: 'incremental, nothing changed',
  floor1: `cursor floor, ${formatInt(CHANGES)} cloud changes`,
  pull1: `incremental pull, ${formatInt(CHANGES)} cloud changes (no change log yet)`,
  push: `incremental push, ${formatInt(CHANGES)} updates by another client`,
  floor2: `cursor floor, ${formatInt(CHANGES)} cloud changes again`,
  pull2: `incremental pull, ${formatInt(CHANGES)} cloud changes (change log on the remote)`,
  exec: 'exec of a one-row UPDATE (pushed)',
  nightly: `full sync again (the nightly job), ${formatInt(CHANGES)} cloud changes`,
};

interface SyncDoc {
  tables: Array<{ name: string; rowsPulled: number; rowsPushed: number }>;
}

/**
 * Issue 22: the life of one big keyed table with a cursor, as a user's chain of whole CLI processes,
 * each step against a floor measured in the same run: COPY FROM DATABASE → full sync → no-change
 * incremental → 2,000 cloud changes pulled (against the cursor floor: the least any cursor pull can do)
 * → 2,000 updates by another DuckDB client pushed → 2,000 cloud changes pulled again (now a change log
 * exists on the remote) → `exec` of a one-row write → the nightly full sync after 2,000 more cloud
 * changes. Each chain starts from a fresh copy of the input.
 */
export const scaleScenario: Scenario = {
  name: 'scale',
  description: 'a big table\'s life (full, no change, pull, push, pull with a change log, exec) against same-run floors',
  async run(base: BenchContext): Promise<ScenarioResult> {
    const ctx: BenchContext = { ...base, rows: base.rowsGiven ? base.rows : SCALE_DEFAULT_ROWS };
    const { dir, cwd, cli } = scenarioFolder(ctx, 'scale');
    const input = await ordersInput(ctx);
    const env = { ...process.env, DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
    const remote = join(dir, 'remote.duckdb');
    const local = join(dir, 'local.duckdb');
    const scratch = join(dir, 'scratch.duckdb');
    const floorLocal = join(dir, 'floor-local.duckdb');
    const floorRemote = join(dir, 'floor-remote.duckdb');
    const { step, wall, peak, sides } = stepRecorder(ctx, 'scale', LABELS, { cwd, env });
    const sync = (...extra: string[]): string[] => [cli, 'sync', ...extra, '--local', local, '--remote', ctx.remote(remote)];
    const orders = (doc: SyncDoc): SyncDoc['tables'][number] | undefined => doc.tables.find((t) => t.name === ORDERS_TABLE);

    const expect = (field: 'rowsPulled' | 'rowsPushed', n: number) => (sample: ProcessSample): string | undefined => {
      const t = orders(JSON.parse(sample.stdout) as SyncDoc);
      return t?.[field] === n ? undefined : `expected ${field} ${n}: ${JSON.stringify(t)}`;
    };
    /** Another client changes `CHANGES` rows of the cloud, moving their cursor past `since`. */
    const cloudChange = (since: string, salt: number): Promise<void> =>
      withDuckDB(remote, (q) =>
        q.run(
          `UPDATE ${ORDERS_TABLE} SET status = 'changed ${salt}', amount = coalesce(amount, 0) + ${salt}, updated_at = TIMESTAMP '${since}' + to_seconds(id % 1000)
             WHERE id IN (SELECT id FROM ${ORDERS_TABLE} ORDER BY hash(id * ${salt}) LIMIT ${CHANGES})`,
        ),
      );
    /** The cursor floor on copies of both files as they are now (copies untimed). */
    const floor = async (id: 'floor1' | 'floor2', since: string): Promise<void> => {
      copyFileSync(local, floorLocal);
      copyFileSync(remote, floorRemote);
      await step(id, [FLOOR_SCRIPT, floorLocal, floorRemote, ORDERS_TABLE, 'id', 'updated_at', since]);
      removeDatabaseFile(floorLocal);
      removeDatabaseFile(floorRemote);
    };

    for (let round = 0; round < ctx.runs; round++) {
      ctx.log(`chain ${round + 1}/${ctx.runs} (${formatInt(ctx.rows)} rows)`);
      for (const f of [remote, local, scratch]) removeDatabaseFile(f);
      copyFileSync(input, remote);
      await step('copy', [COPY_SCRIPT, scratch, remote]);
      removeDatabaseFile(scratch);
      await step('full', sync());
      await step('nochange', sync('--mode', 'incremental', '--json'), expect('rowsPulled', 0));
      await cloudChange('2030-01-01', 7 + round);
      await floor('floor1', '2030-01-01');
      await step('pull1', sync('--mode', 'incremental', '--json'), expect('rowsPulled', CHANGES));
      await withDuckDB(local, (q) =>
        q.run(`UPDATE ${ORDERS_TABLE} SET note = 'edited locally ${round}' WHERE id IN (SELECT id FROM ${ORDERS_TABLE} ORDER BY hash(id * 31 + ${round}) LIMIT ${CHANGES})`),
      );
      await step('push', sync('--mode', 'incremental', '--json'), expect('rowsPushed', CHANGES));
      await cloudChange('2031-01-01', 11 + round);
      await floor('floor2', '2031-01-01');
      await step('pull2', sync('--mode', 'incremental', '--json'), expect('rowsPulled', CHANGES));
      await step('exec', [cli, 'exec', '--json', '--local', local, '--remote', ctx.remote(remote), `UPDATE ${ORDERS_TABLE} SET note = 'exec ${round}' WHERE id = 42`]);
      // The nightly full sync of the same table: written as the difference (full/replaceByDifference.ts).
      await cloudChange('2032-01-01', 13 + round);
      await step('nightly', sync('--mode', 'full', '--json'), expect('rowsPulled', CHANGES));
    }
    for (const f of [remote, local, scratch]) removeDatabaseFile(f);

    const ratio = (name: string, value: number, max: number): Check => ({ name, value, unit: 'ratio', max, pass: value <= max });
    const incremental: StepId[] = ['nochange', 'pull1', 'push', 'pull2', 'exec'];
    const worstPeak = Math.max(...incremental.map(peak));
    const T = SCALE_TARGETS;
    return {
      name: this.name,
      description: this.description,
      rows: ctx.rows,
      runs: ctx.runs,
      warmup: 0,
      sides: sides(),
      checks: [
        ratio('full sync / COPY FROM DATABASE', wall('full') / wall('copy'), T.fullOverCopy),
        ratio('full sync peak RSS / COPY peak RSS', peak('full') / peak('copy'), T.fullPeakOverCopyPeak),
        ratio('no-change incremental / full sync', wall('nochange') / wall('full'), T.noChangeOverFull),
        ratio('pull, no change log / cursor floor', wall('pull1') / wall('floor1'), T.pullOverFloor),
        ratio('pull, change log / cursor floor', wall('pull2') / wall('floor2'), T.pullOverFloor),
        ratio('push of 2,000 updates / full sync', wall('push') / wall('full'), T.pushOverFull),
        ratio('exec of one row / full sync', wall('exec') / wall('full'), T.execOverFull),
        ratio('nightly full sync of the synced table / COPY FROM DATABASE', wall('nightly') / wall('copy'), T.fullOverCopy),
        ratio('nightly full sync peak RSS / COPY peak RSS', peak('nightly') / peak('copy'), T.fullPeakOverCopyPeak),
        { name: 'peak RSS of the incremental steps (max)', value: worstPeak, unit: 'bytes', max: T.incrementalPeakBytes, pass: worstPeak <= T.incrementalPeakBytes },
      ],
      notes: [
        ...(Object.keys(LABELS) as StepId[]).map((id) => `${LABELS[id]}: ${formatMs(wall(id))} (${(wall(id) / wall('full')).toFixed(3)} × full), peak ${formatBytes(peak(id))}`),
        'one chain per run from a fresh copy of the input; the other clients\' writes and the floors\' file copies are not timed; each timed process starts after `sync` wrote every dirty page (bench/lib/measure.ts)',
      ],
    };
  },
};
