import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDuckDB } from '../lib/duck.js';
import { formatInt, formatMs } from '../lib/format.js';
import { ensureInput, removeDatabaseFile } from '../lib/inputs.js';
import { manyTablesSql } from '../lib/manyTables.js';
import { assertSucceeded, runNode, type ProcessSample } from '../lib/measure.js';
import { median } from '../lib/stats.js';
import { scenarioFolder } from '../lib/scenarioFolder.js';
import type { BenchContext, Check, Scenario, ScenarioResult, SideResult } from '../lib/types.js';

const COPY_SCRIPT = fileURLToPath(new URL('../lib/copyFromDatabase.mjs', import.meta.url));

const TABLES = 50;
const ROWS_PER_TABLE = 1000;
/** Objects the full sync creates besides the tables: schema reporting, 60 views, 15 macros, 5 sequences (bench/lib/manyTables.ts). */
const OBJECTS = 1 + 60 + 15 + 5;
/** Simulated latency per round trip (the emulator's delay_ms). */
const DELAYS_MS = [0, 50];
/** Ceilings on round trips (issue 14). */
export const ROUND_TRIP_CEILINGS = { full: 160, unchanged: 6, cloudRow: 14, localRow: 14, exec: 10 } as const;
type CaseId = keyof typeof ROUND_TRIP_CEILINGS;

interface Case {
  id: CaseId;
  label: string;
  /** The change made before the timed run (not timed). */
  before?: (local: string, remote: string) => Promise<void>;
  args: (cli: string, local: string, remote: string) => string[];
  /** What the run must have done, from its --json document. */
  expect: (doc: RunDoc) => string | undefined;
}

interface SyncDoc {
  remoteRoundTrips: number;
  tables: Array<{ rowsPulled: number; rowsPushed: number }>;
  objects?: Array<{ action: string; status: string }>;
}

/** A sync's --json document, or exec's (whose push is one). */
interface RunDoc extends Partial<SyncDoc> {
  push?: SyncDoc | null;
}

const sum = (doc: SyncDoc | null | undefined, field: 'rowsPulled' | 'rowsPushed'): number => (doc?.tables ?? []).reduce((n, t) => n + t[field], 0);
const synced = (doc: RunDoc): SyncDoc => ({ remoteRoundTrips: doc.remoteRoundTrips ?? Number.NaN, tables: doc.tables ?? [] });

/**
 * Latency (issue 14): 50 tables of mixed shapes (keyed with a cursor, keyed without, keyless;
 * 1,000 rows each) through the MotherDuck emulator, at 0 ms and at a simulated 50 ms per round
 * trip. Each round runs, as whole CLI processes: a full sync into a new local file, a no-change
 * incremental sync, one with one row changed on the cloud, one with one row changed locally, and
 * `exec` of a one-row write (which pushes it). Reports round trips (from --json) and wall times;
 * checks the round trips against the issue's ceilings. DuckDB's COPY FROM DATABASE of the same 50
 * tables is measured in the same run.
 */
export const manyTablesScenario: Scenario = {
  name: 'many-tables',
  description: `${TABLES} tables of mixed shapes (and 60 views, 15 macros, 5 sequences) through the MotherDuck emulator: round trips and wall time at ${DELAYS_MS.join(' and ')} ms per round trip`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const { dir, cwd, cli } = scenarioFolder(ctx, 'many-tables');
    const env = { ...process.env, DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
    const input = await ensureInput(ctx, { name: `many-tables-${TABLES}x${ROWS_PER_TABLE}`, version: 2, statements: () => manyTablesSql(TABLES, ROWS_PER_TABLE) });
    const sync = (mode: string) => (c: string, local: string, remote: string) => [c, 'sync', '--mode', mode, '--json', '--local', local, '--remote', remote];
    const cases: Case[] = [
      {
        id: 'full',
        label: `full sync of ${TABLES} tables (new local file)`,
        args: sync('full'),
        expect: (d) => {
          if (sum(synced(d), 'rowsPulled') !== TABLES * ROWS_PER_TABLE) return `pulled ${sum(synced(d), 'rowsPulled')}`;
          const created = (d.objects ?? []).filter((o) => o.action === 'create' && o.status === 'ok').length;
          return created === OBJECTS ? undefined : `created ${created} objects, expected ${OBJECTS}`;
        },
      },
      {
        id: 'unchanged',
        label: 'incremental, nothing changed',
        args: sync('incremental'),
        expect: (d) => (sum(synced(d), 'rowsPulled') + sum(synced(d), 'rowsPushed') === 0 && !d.objects?.length ? undefined : 'expected no change'),
      },
      {
        id: 'cloudRow',
        label: 'incremental, one row changed on the cloud',
        before: (_l, remote) => withDuckDB(remote, async (q) => void (await q.run(`UPDATE t0 SET v = v + 1, updated_at = TIMESTAMP '2030-01-01' WHERE id = 1`))),
        args: sync('incremental'),
        expect: (d) => (sum(synced(d), 'rowsPulled') === 1 ? undefined : `pulled ${sum(synced(d), 'rowsPulled')}`),
      },
      {
        id: 'localRow',
        label: 'incremental, one row changed locally',
        before: (local) => withDuckDB(local, async (q) => void (await q.run('UPDATE t1 SET v = v + 1 WHERE id = 1'))),
        args: sync('incremental'),
        expect: (d) => (sum(synced(d), 'rowsPushed') === 1 ? undefined : `pushed ${sum(synced(d), 'rowsPushed')}`),
      },
      {
        id: 'exec',
        label: 'exec of a one-row write (pushed)',
        args: (c, local, remote) => [c, 'exec', '--json', '--local', local, '--remote', remote, 'UPDATE t3 SET v = v + 1 WHERE id = 2'],
        expect: (d) => (sum(d.push, 'rowsPushed') === 1 ? undefined : `pushed ${sum(d.push, 'rowsPushed')}`),
      },
    ];
    const roundTrips = (id: CaseId, doc: RunDoc): number => (id === 'exec' ? (doc.push?.remoteRoundTrips ?? Number.NaN) : (doc.remoteRoundTrips ?? Number.NaN));

    const samples = new Map<string, ProcessSample[]>();
    const trips = new Map<string, number>();
    const copySamples: ProcessSample[] = [];
    const key = (id: CaseId, delay: number): string => `${id}@${delay}`;
    for (let round = 0; round < ctx.warmup + ctx.runs; round++) {
      const warmup = round < ctx.warmup;
      const copyTarget = join(dir, 'copy.duckdb');
      removeDatabaseFile(copyTarget);
      const copy = await runNode([COPY_SCRIPT, copyTarget, input], { cwd, env });
      assertSucceeded('many-tables / COPY FROM DATABASE', copy);
      if (!warmup) copySamples.push(copy);
      removeDatabaseFile(copyTarget);
      for (const delay of DELAYS_MS) {
        const local = join(dir, 'local.duckdb');
        const cloud = join(dir, 'cloud.duckdb');
        removeDatabaseFile(local);
        removeDatabaseFile(cloud);
        copyFileSync(input, cloud);
        const remote = `mdemu:${cloud}${delay ? `?delay_ms=${delay}` : ''}`;
        for (const c of cases) {
          await c.before?.(local, cloud);
          const sample = await runNode(c.args(cli, local, remote), { cwd, env });
          assertSucceeded(`many-tables / ${c.label} (${delay} ms)`, sample);
          const doc = JSON.parse(sample.stdout) as RunDoc;
          const problem = c.expect(doc);
          if (problem) throw new Error(`many-tables / ${c.label} (${delay} ms): ${problem}`);
          trips.set(key(c.id, delay), roundTrips(c.id, doc));
          ctx.log(`  ${warmup ? 'warm-up' : `run ${round - ctx.warmup + 1}/${ctx.runs}`} ${c.label} at ${delay} ms: ${formatMs(sample.wallMs)}, ${roundTrips(c.id, doc)} round trips`);
          if (!warmup) samples.set(key(c.id, delay), [...(samples.get(key(c.id, delay)) ?? []), sample]);
        }
        removeDatabaseFile(local);
        removeDatabaseFile(cloud);
      }
    }

    const wall = (k: string): number => median((samples.get(k) ?? []).map((s) => s.wallMs));
    const copyWall = median(copySamples.map((s) => s.wallMs));
    const sides: SideResult[] = [{ label: 'COPY FROM DATABASE', command: `node ${COPY_SCRIPT} <local> <cloud>`, samples: copySamples }];
    for (const delay of DELAYS_MS) {
      for (const c of cases) sides.push({ label: `${c.label}, ${delay} ms`, command: `node ${c.args(cli, '<local>', `mdemu:<cloud>?delay_ms=${delay}`).join(' ')}`, samples: samples.get(key(c.id, delay)) ?? [] });
    }
    const checks: Check[] = cases.map((c) => {
      const value = trips.get(key(c.id, 0)) ?? Number.NaN;
      return { name: `round trips: ${c.label}`, value, unit: 'count', max: ROUND_TRIP_CEILINGS[c.id], pass: value <= ROUND_TRIP_CEILINGS[c.id] };
    });
    return {
      name: this.name,
      description: this.description,
      rows: TABLES * ROWS_PER_TABLE,
      runs: ctx.runs,
      warmup: ctx.warmup,
      sides,
      checks,
      notes: [
        ...cases.map(
          (c) =>
            `${c.label}: ${trips.get(key(c.id, 0))} round trips; ${DELAYS_MS.map((d) => `${formatMs(wall(key(c.id, d)))} at ${d} ms`).join(', ')} (${formatMs(wall(key(c.id, 50)) - wall(key(c.id, 0)))} more under latency)`,
        ),
        `full sync / COPY FROM DATABASE (medians, 0 ms): ${(wall(key('full', 0)) / copyWall).toFixed(2)}; ${formatInt(TABLES * ROWS_PER_TABLE)} rows in ${TABLES} tables`,
        'round trips are the same at every delay (counted by duckdb-sync, reported by --json); each round runs the cases in order on one local file and one emulated cloud',
      ],
    };
  },
};
