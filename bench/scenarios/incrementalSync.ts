import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOrdersSql, insertOrdersSql, ORDERS_TABLE, ORDERS_VERSION } from '../lib/datasets.js';
import { withDuckDB } from '../lib/duck.js';
import { formatInt, formatMs } from '../lib/format.js';
import { ensureInput, removeDatabaseFile } from '../lib/inputs.js';
import { assertSucceeded, runNode, type ProcessSample } from '../lib/measure.js';
import { median } from '../lib/stats.js';
import { ordersInput, scenarioFolder } from '../lib/scenarioFolder.js';
import type { BenchContext, Check, Scenario, ScenarioResult, SideResult } from '../lib/types.js';

const COPY_SCRIPT = fileURLToPath(new URL('../lib/copyFromDatabase.mjs', import.meta.url));

/** Targets (issue 3): medians of whole processes, as a share of a full sync of the same table in the same run. */
export const CURSOR_MAX_SHARE = 0.15;
export const NO_CURSOR_MAX_SHARE = 0.4;
export const PUSH_MAX_SHARE = 0.3;
/** Issue 14: a no-change incremental sync of a table without a key, as a share of its full sync. */
export const KEYLESS_UNCHANGED_MAX_SHARE = 0.25;
/** Share of rows changed on the remote, and local out-of-band updates for the push case. */
const CHANGED_SHARE = 0.001;
const PUSH_UPDATES = 5000;

interface Case {
  id: string;
  label: string;
  /** Prepares the local and remote files of one run (not timed). */
  prepare(local: string, remote: string): Promise<void> | void;
  args(local: string, remote: string): string[];
  /** Checks the outcome (not timed). */
  verify(local: string, remote: string, sample: ProcessSample): Promise<void>;
}

/**
 * Incremental sync of a 5M-row keyed table (issue 3):
 * - with a cursor column, 0.1% of rows changed on the remote (updated_at moved);
 * - without a cursor column, 0.1% changed on the remote (bucket summaries find them);
 * - 5,000 out-of-band local updates pushed;
 * - a table without a key where nothing changed, against its own full sync (issue 14);
 * each as a whole process, against a full sync of the same table and DuckDB's COPY FROM DATABASE
 * measured in the same run. Rows read from the remote (`rowsRead`) are reported.
 */
export const incrementalSyncScenario: Scenario = {
  name: 'incremental-sync',
  description: 'incremental sync (cursor, no cursor, push) vs a full sync of the same table and COPY FROM DATABASE',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const { dir, cwd, cli } = scenarioFolder(ctx, 'incremental-sync');
    const withCursor = await ordersInput(ctx);
    const noCursor = await ensureInput(ctx, {
      name: `${ORDERS_TABLE}-nocursor`,
      version: ORDERS_VERSION,
      statements: (rows) => [createOrdersSql(), insertOrdersSql(rows), `ALTER TABLE ${ORDERS_TABLE} DROP COLUMN updated_at`, `ALTER TABLE ${ORDERS_TABLE} DROP COLUMN created_at`],
    });
    const keyless = await ensureInput(ctx, {
      name: `${ORDERS_TABLE}-keyless`,
      version: ORDERS_VERSION,
      statements: (rows) => [createOrdersSql(), insertOrdersSql(rows), `CREATE TABLE keyless AS FROM ${ORDERS_TABLE}`, `DROP TABLE ${ORDERS_TABLE}`, `ALTER TABLE keyless RENAME TO ${ORDERS_TABLE}`],
    });
    const modulo = Math.max(1, Math.round(1 / CHANGED_SHARE));
    // duckdb-sync's cache (what each local file looked like when its last sync ended) for this scenario only.
    const env = { ...process.env, DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };

    // Synced starting points (a full sync each).
    const synced = async (name: string, input: string): Promise<{ local: string; remote: string }> => {
      const remote = join(dir, `${name}-remote.duckdb`);
      const local = join(dir, `${name}-local.duckdb`);
      removeDatabaseFile(remote);
      removeDatabaseFile(local);
      copyFileSync(input, remote);
      assertSucceeded(`prepare ${name}`, await runNode([cli, 'sync', '--local', local, '--remote', ctx.remote(remote)], { cwd, env }));
      return { local, remote };
    };
    ctx.log(`preparing synced copies (${formatInt(Math.round(ctx.rows * CHANGED_SHARE))} remote changes, ${formatInt(PUSH_UPDATES)} local updates)…`);
    const cursorState = await synced('cursor', withCursor);
    const noCursorState = await synced('nocursor', noCursor);
    const pushState = await synced('push', withCursor);
    const keylessState = await synced('keyless', keyless);
    const changedRows = `SELECT count(*) AS n FROM ${ORDERS_TABLE} WHERE status = 'changed' OR note = 'edited locally'`;
    const remoteChange = `UPDATE ${ORDERS_TABLE} SET status = 'changed', amount = coalesce(amount, 0) + 1 WHERE hash(id) % ${modulo} = 0`;
    const cursorChange = `UPDATE ${ORDERS_TABLE} SET status = 'changed', updated_at = TIMESTAMP '2030-01-01' + to_seconds(id % 1000) WHERE hash(id) % ${modulo} = 0`;
    const localChange = `UPDATE ${ORDERS_TABLE} SET note = 'edited locally' WHERE id IN (SELECT id FROM ${ORDERS_TABLE} ORDER BY hash(id * 31) LIMIT ${PUSH_UPDATES})`;

    const fresh = (): void => undefined;
    const expected = new Map<string, number>();
    /**
     * Each run starts where a user's next sync would: the local file as the last sync left it (an
     * untimed sync of the copies, so that the copy is the file that sync last wrote), then the
     * change made by another program (untimed), then the timed incremental sync.
     */
    const incremental = (
      id: string,
      state: { local: string; remote: string },
      change: { side: 'local' | 'remote'; sql: string },
      expect: (doc: SyncDoc, changed: number) => string | undefined,
    ): Pick<Case, 'prepare' | 'args' | 'verify'> => ({
      prepare: async (local, remote) => {
        copyFileSync(state.local, local);
        copyFileSync(state.remote, remote);
        assertSucceeded(`settle ${id}`, await runNode([cli, 'sync', '--mode', 'incremental', '--local', local, '--remote', ctx.remote(remote)], { cwd, env }));
        const n = await withDuckDB(change.side === 'local' ? local : remote, async (q) => {
          await q.run(change.sql);
          const [row] = await q.all<{ n: bigint }>(changedRows);
          return Number(row?.n ?? 0);
        });
        expected.set(id, n);
      },
      args: (local, remote) => [cli, 'sync', '--mode', 'incremental', '--json', '--local', local, '--remote', ctx.remote(remote)],
      verify: async (_l, _r, sample) => {
        const problem = expect(JSON.parse(sample.stdout) as SyncDoc, expected.get(id) ?? Number.NaN);
        if (problem) throw new Error(problem);
      },
    });
    const table = (doc: SyncDoc): SyncDoc['tables'][number] | undefined => doc.tables.find((t) => t.name === ORDERS_TABLE);
    const cases: Case[] = [
      {
        id: 'copy',
        label: 'COPY FROM DATABASE',
        prepare: fresh,
        args: (local) => [COPY_SCRIPT, local, withCursor],
        verify: async () => undefined,
      },
      {
        id: 'full',
        label: 'full sync (new local file)',
        prepare: fresh,
        args: (local) => [cli, 'sync', '--local', local, '--remote', ctx.remote(withCursor)],
        verify: async () => undefined,
      },
      {
        id: 'keyless-full',
        label: 'full sync, table without a key (new local file)',
        prepare: fresh,
        args: (local) => [cli, 'sync', '--local', local, '--remote', ctx.remote(keyless)],
        verify: async () => undefined,
      },
      {
        id: 'keyless',
        label: 'incremental, table without a key, nothing changed',
        ...incremental('keyless', keylessState, { side: 'remote', sql: 'SELECT 1' }, (doc) => (table(doc)?.rowsPulled === 0 && table(doc)?.rowsPushed === 0 ? undefined : `expected no change: ${JSON.stringify(table(doc))}`)),
      },
      {
        id: 'cursor',
        label: `incremental, cursor, 0.1% remote changes`,
        ...incremental('cursor', cursorState, { side: 'remote', sql: cursorChange }, (doc, n) => (table(doc)?.rowsPulled === n ? undefined : `expected ${n} rows pulled: ${JSON.stringify(table(doc))}`)),
      },
      {
        id: 'nocursor',
        label: `incremental, no cursor, 0.1% remote changes`,
        ...incremental('nocursor', noCursorState, { side: 'remote', sql: remoteChange }, (doc, n) => (table(doc)?.rowsPulled === n ? undefined : `expected ${n} rows pulled: ${JSON.stringify(table(doc))}`)),
      },
      {
        id: 'push',
        label: `incremental, ${formatInt(PUSH_UPDATES)} local updates pushed`,
        ...incremental('push', pushState, { side: 'local', sql: localChange }, (doc, n) => (table(doc)?.rowsPushed === n ? undefined : `expected ${n} rows pushed: ${JSON.stringify(table(doc))}`)),
      },
    ];

    const samples = new Map<string, ProcessSample[]>(cases.map((c) => [c.id, []]));
    const rowsRead = new Map<string, number>();
    for (let round = 0; round < ctx.warmup + ctx.runs; round++) {
      const warmup = round < ctx.warmup;
      const k = warmup ? round : round - ctx.warmup;
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(i + k) % cases.length] as Case;
        const local = join(dir, `${c.id}.duckdb`);
        const remote = join(dir, `${c.id}-remote-run.duckdb`);
        removeDatabaseFile(local);
        removeDatabaseFile(remote);
        await c.prepare(local, remote);
        const sample = await runNode(c.args(local, remote), { cwd, env });
        assertSucceeded(`incremental-sync / ${c.label}`, sample);
        await c.verify(local, remote, sample);
        if (sample.stdout.trim().startsWith('{')) {
          const t = table(JSON.parse(sample.stdout) as SyncDoc);
          if (t?.rowsRead !== undefined) rowsRead.set(c.id, t.rowsRead);
        }
        ctx.log(`  ${warmup ? 'warm-up' : `run ${k + 1}/${ctx.runs}`} ${c.label}: ${formatMs(sample.wallMs)}`);
        if (!warmup) samples.get(c.id)?.push(sample);
        removeDatabaseFile(local);
        removeDatabaseFile(remote);
      }
    }

    const wall = (id: string): number => median((samples.get(id) ?? []).map((s) => s.wallMs));
    const share = (id: string): number => wall(id) / wall('full');
    const check = (id: string, max: number, name: string): Check => ({ name, value: share(id), unit: 'ratio', max, pass: share(id) <= max });
    const sides: SideResult[] = cases.map((c) => ({ label: c.label, command: `node ${c.args('<local>', '<remote>').join(' ')}`, samples: samples.get(c.id) ?? [] }));
    return {
      name: this.name,
      description: this.description,
      rows: ctx.rows,
      runs: ctx.runs,
      warmup: ctx.warmup,
      sides,
      checks: [
        check('cursor', CURSOR_MAX_SHARE, 'incremental with cursor / full sync'),
        check('nocursor', NO_CURSOR_MAX_SHARE, 'incremental without cursor / full sync'),
        check('push', PUSH_MAX_SHARE, 'push of local updates / full sync'),
        { name: 'no-change incremental without a key / its full sync', value: wall('keyless') / wall('keyless-full'), unit: 'ratio', max: KEYLESS_UNCHANGED_MAX_SHARE, pass: wall('keyless') / wall('keyless-full') <= KEYLESS_UNCHANGED_MAX_SHARE },
      ],
      notes: [
        `full sync / COPY FROM DATABASE (medians): ${(wall('full') / wall('copy')).toFixed(2)}`,
        `table without a key: full sync ${formatMs(wall('keyless-full'))}, no-change incremental ${formatMs(wall('keyless'))} (${(wall('keyless') / wall('keyless-full')).toFixed(2)} of its full sync)`,
        ...['cursor', 'nocursor', 'push'].map((id) => `${id}: ${(wall(id) / wall('copy')).toFixed(2)} × COPY FROM DATABASE; rows read from the remote: ${formatInt(rowsRead.get(id) ?? Number.NaN)} of ${formatInt(ctx.rows)}`),
        'each incremental run starts from copies of a synced local file and its remote, synced once more (so that the last sync wrote that copy), then changed by another program (none of it timed)',
      ],
    };
  },
};

interface SyncDoc {
  tables: Array<{ name: string; rowsPulled: number; rowsPushed: number; rowsRead?: number }>;
}
