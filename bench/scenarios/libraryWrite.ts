import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatInt, formatMs } from '../lib/format.js';
import { removeDatabaseFile } from '../lib/inputs.js';
import { assertSucceeded, runNode, type ProcessSample } from '../lib/measure.js';
import { median } from '../lib/stats.js';
import { ordersInput, scenarioFolder } from '../lib/scenarioFolder.js';
import type { BenchContext, Check, Scenario, ScenarioResult, SideResult } from '../lib/types.js';

const COPY_SCRIPT = fileURLToPath(new URL('../lib/copyFromDatabase.mjs', import.meta.url));
const LIBRARY_SCRIPT = fileURLToPath(new URL('../lib/libraryWrite.mjs', import.meta.url));

/** Targets (issue 4): a one-row update's flush as a share of a full sync of the table; run()'s cost over a plain write. */
export const FLUSH_MAX_SHARE = 0.1;
export const RUN_OVERHEAD_MAX_MS = 5;
/** Per library run: timed single-row writes per side, untimed warm-up writes per side, timed update+flush rounds. */
const WRITES = 200;
const WARMUP_WRITES = 20;
const FLUSHES = 5;

/** The child's JSON line (bench/lib/libraryWrite.mjs). */
interface LibraryDoc {
  libraryRunMs: number[];
  plainRunMs: number[];
  settleMs: number;
  settleRowsPushed: number;
  flushMs: number[];
  flushRunMs: number[];
  flushRowsPushed: number[];
  remoteVerified: number;
}

interface Case {
  id: string;
  label: string;
  /** Prepares the files of one run (not timed). */
  prepare(local: string, remote: string, plain: string): void;
  args(local: string, remote: string, plain: string): string[];
}

/**
 * Writes through the library (issue 4), on a synced 5M-row keyed table:
 * - a one-row update through `run()`, then `flush()`: the time from run() resolving to flush()
 *   resolving (the change is on the remote), against a full sync of the same table as a whole
 *   process and DuckDB's COPY FROM DATABASE measured in the same run;
 * - what `run()` adds over the same single-row UPDATE through a plain @duckdb/node-api connection
 *   to a copy of the same local file (per-call medians, calls interleaved).
 * The library figures come from one child process per run (bench/lib/libraryWrite.mjs), which
 * checks the rows on the remote after closing (not timed).
 */
export const libraryWriteScenario: Scenario = {
  name: 'library-write',
  description: 'one-row update through the library: flush() vs a full sync of the table, run() vs a plain DuckDB write',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    if (!existsSync(join(ctx.repoRoot, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first (npm run bench does)');
    const rowsWritten = WARMUP_WRITES + WRITES + FLUSHES;
    if (ctx.rows < rowsWritten) throw new Error(`library-write needs at least ${rowsWritten} rows (--rows ${ctx.rows})`);
    const { dir, cwd, cli } = scenarioFolder(ctx, 'library-write');
    const input = await ordersInput(ctx);

    // The synced starting point (a full sync through the CLI), copied for every library run.
    ctx.log('preparing a synced local file and its remote…');
    const syncedRemote = join(dir, 'synced-remote.duckdb');
    const syncedLocal = join(dir, 'synced-local.duckdb');
    removeDatabaseFile(syncedRemote);
    removeDatabaseFile(syncedLocal);
    copyFileSync(input, syncedRemote);
    assertSucceeded('prepare synced copies', await runNode([cli, 'sync', '--local', syncedLocal, '--remote', ctx.remote(syncedRemote)], { cwd }));

    const fresh = (): void => undefined;
    const cases: Case[] = [
      { id: 'copy', label: 'COPY FROM DATABASE', prepare: fresh, args: (local) => [COPY_SCRIPT, local, input] },
      { id: 'full', label: 'full sync (new local file)', prepare: fresh, args: (local) => [cli, 'sync', '--local', local, '--remote', ctx.remote(input)] },
      {
        id: 'library',
        label: `library process: ${WRITES} run() + ${WRITES} plain writes, ${FLUSHES} update+flush()`,
        prepare: (local, remote, plain) => {
          copyDatabaseFile(syncedLocal, local);
          copyDatabaseFile(syncedRemote, remote);
          copyDatabaseFile(syncedLocal, plain);
        },
        args: (local, remote, plain) => [LIBRARY_SCRIPT, local, ctx.remote(remote), plain, String(ctx.rows), String(WRITES), String(WARMUP_WRITES), String(FLUSHES)],
      },
    ];

    const samples = new Map<string, ProcessSample[]>(cases.map((c) => [c.id, []]));
    const docs: LibraryDoc[] = [];
    for (let round = 0; round < ctx.warmup + ctx.runs; round++) {
      const warmup = round < ctx.warmup;
      const k = warmup ? round : round - ctx.warmup;
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(i + k) % cases.length] as Case;
        const files = [join(dir, `${c.id}.duckdb`), join(dir, `${c.id}-remote-run.duckdb`), join(dir, `${c.id}-plain.duckdb`)] as const;
        for (const f of files) removeDatabaseFile(f);
        c.prepare(...files);
        const sample = await runNode(c.args(...files), { cwd });
        assertSucceeded(`library-write / ${c.label}`, sample);
        let detail = '';
        if (c.id === 'library') {
          const doc = parseDoc(sample.stdout);
          if (doc.flushRowsPushed.some((n) => n !== 1)) throw new Error(`library-write: expected 1 row pushed per flush, got ${doc.flushRowsPushed.join(', ')}`);
          if (!warmup) docs.push(doc);
          detail = ` (flush median ${ms2(median(doc.flushMs))}, run() ${ms2(median(doc.libraryRunMs))} vs plain ${ms2(median(doc.plainRunMs))})`;
        }
        ctx.log(`  ${warmup ? 'warm-up' : `run ${k + 1}/${ctx.runs}`} ${c.label}: ${formatMs(sample.wallMs)}${detail}`);
        if (!warmup) samples.get(c.id)?.push(sample);
        for (const f of files) removeDatabaseFile(f);
      }
    }

    // Library figures pooled over the timed runs; the full sync and COPY are medians of whole processes.
    const wall = (id: string): number => median((samples.get(id) ?? []).map((s) => s.wallMs));
    const flushMs = docs.flatMap((d) => d.flushMs);
    const libraryRunMs = docs.flatMap((d) => d.libraryRunMs);
    const plainRunMs = docs.flatMap((d) => d.plainRunMs);
    const flushShare = median(flushMs) / wall('full');
    const overhead = median(libraryRunMs) - median(plainRunMs);
    const checks: Check[] = [
      { name: 'one-row update: flush() / full sync (medians)', value: flushShare, unit: 'ratio', max: FLUSH_MAX_SHARE, pass: flushShare <= FLUSH_MAX_SHARE },
      { name: 'run() over a plain DuckDB write (medians)', value: overhead, unit: 'ms', max: RUN_OVERHEAD_MAX_MS, pass: overhead <= RUN_OVERHEAD_MAX_MS },
    ];
    const sides: SideResult[] = cases.map((c) => ({ label: c.label, command: `node ${c.args('<local>', '<remote>', '<plain copy>').join(' ')}`, samples: samples.get(c.id) ?? [] }));
    const pushed = docs.flatMap((d) => d.flushRowsPushed);
    return {
      name: this.name,
      description: this.description,
      rows: ctx.rows,
      runs: ctx.runs,
      warmup: ctx.warmup,
      sides,
      checks,
      notes: [
        `flush() after a one-row run(): median ${ms2(median(flushMs))}, p95 ${ms2(percentile(flushMs, 0.95))} (${flushMs.map(ms2).join(' / ')}); ` +
          `full sync ${formatMs(wall('full'))}, COPY FROM DATABASE ${formatMs(wall('copy'))} (medians); flush / COPY: ${(median(flushMs) / wall('copy')).toFixed(3)}`,
        `rows pushed per timed flush: ${pushed.join(', ')}; rows checked on the remote after close: ${docs.map((d) => formatInt(d.remoteVerified)).join(', ')}`,
        `run(): median ${ms2(median(libraryRunMs))}, p95 ${ms2(percentile(libraryRunMs, 0.95))}; plain @duckdb/node-api run(): median ${ms2(median(plainRunMs))}, p95 ${ms2(percentile(plainRunMs, 0.95))}; ` +
          `difference of medians ${ms2(overhead)} (${formatInt(libraryRunMs.length)} single-row UPDATEs by key per side, interleaved, after ${WARMUP_WRITES} untimed each)`,
        `run() of the update before each flush (first write after a push, so it also commits the table's dirty mark): median ${ms2(median(docs.flatMap((d) => d.flushRunMs)))}`,
        `untimed flush of the ${formatInt(WARMUP_WRITES + WRITES)} run() writes: median ${ms2(median(docs.map((d) => d.settleMs)))}, ${docs.map((d) => formatInt(d.settleRowsPushed)).join(', ')} rows pushed`,
        `full sync / COPY FROM DATABASE (medians): ${(wall('full') / wall('copy')).toFixed(2)}`,
        'flush() and run() are timed inside the library process (autoSync off); the full sync and COPY are whole processes; each library run starts from copies of a synced local file and its remote (copying is not timed)',
      ],
    };
  },
};

function parseDoc(stdout: string): LibraryDoc {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`library-write: no JSON line from ${LIBRARY_SCRIPT}:\n${stdout}`);
  return JSON.parse(line) as LibraryDoc;
}

/** A DuckDB file and its WAL, when there is one. */
function copyDatabaseFile(from: string, to: string): void {
  copyFileSync(from, to);
  if (existsSync(`${from}.wal`)) copyFileSync(`${from}.wal`, `${to}.wal`);
}

/** Nearest-rank percentile (p in 0…1). */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
}

/** Milliseconds with two decimals: run() and flush() are far below formatMs's whole milliseconds. */
function ms2(ms: number): string {
  return Number.isFinite(ms) ? `${ms.toFixed(2)} ms` : '-';
}
