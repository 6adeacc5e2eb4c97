/**
 * Which statements reach the remote, and how many? Builds 50 tables of mixed shapes (keyed with a
 * cursor, keyed without, keyless) in an emulated MotherDuck database, syncs them through the
 * library's sync() (from src/, through tsx), then runs each latency case of issue 14 and prints its
 * round trips; with --trace, every statement that reached the remote.
 *
 *   node --import tsx bench/tools/roundTrips.ts [--tables 50] [--trace] [--delay 0]
 *
 * A diagnostic: the benchmark's many-tables scenario measures the same cases as whole processes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { sync, openSyncedDatabase, type Logger } from '../../src/index.js';
import { manyTablesSql } from '../lib/manyTables.js';

const { values } = parseArgs({ options: { tables: { type: 'string' }, trace: { type: 'boolean' }, delay: { type: 'string' }, profile: { type: 'boolean' } } });

/** With --profile: the time spent in DuckDB per statement shape (its first words), per case (run() only: runAndReadAll() calls it). */
const spent = new Map<string, { ms: number; n: number }>();
if (values.profile) {
  for (const method of ['run'] as const) {
    const original = DuckDBConnection.prototype[method] as (...args: unknown[]) => Promise<unknown>;
    (DuckDBConnection.prototype as unknown as Record<string, unknown>)[method] = async function (this: DuckDBConnection, ...args: unknown[]) {
      const started = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        const shape = String(args[0]).replace(/\s+/g, ' ').trim().slice(0, 70);
        const e = spent.get(shape) ?? { ms: 0, n: 0 };
        e.ms += performance.now() - started;
        e.n++;
        spent.set(shape, e);
      }
    };
  }
}
const tables = Number(values.tables ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'duckdb-sync-roundtrips-'));
const cloudPath = join(dir, 'cloud.duckdb');
const local = join(dir, 'local.duckdb');
const remote = `mdemu:${cloudPath}${values.delay ? `?delay_ms=${values.delay}` : ''}`;

async function onFile(path: string, statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  for (const s of statements) await c.run(s);
  c.closeSync();
  instance.closeSync();
}

let trace: string[] = [];
const logger: Logger = {
  debug: (m) => { if (m.startsWith('remote round trip')) trace.push(m); },
  info: () => undefined,
  warn: () => undefined,
  error: (m) => console.error(m),
};

async function measure(label: string, run: () => Promise<unknown>): Promise<void> {
  trace = [];
  spent.clear();
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(40)} ${String(trace.length).padStart(5)} round trips  ${ms.toFixed(0).padStart(6)} ms`);
  if (values.trace) for (const t of trace) console.log(`    ${t}`);
  if (values.profile) {
    const top = [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
    for (const [shape, e] of top) console.log(`    ${e.ms.toFixed(0).padStart(6)} ms ${String(e.n).padStart(5)}×  ${shape}`);
    spent.clear();
  }
}

await onFile(cloudPath, manyTablesSql(tables, 100));
process.env.DUCKDB_SYNC_CACHE_DIR = join(dir, 'cache');
const base = { local, remote, logger, cwd: dir, mode: 'incremental' as const };
await measure(`full sync of ${tables} tables`, () => sync({ ...base, mode: 'full' }));
await measure('no-change incremental sync', () => sync({ ...base }));
await onFile(cloudPath, [`UPDATE "t0" SET "v" = "v" + 1, "updated_at" = TIMESTAMP \'2027-01-01\' WHERE "id" = 1`]);
await measure('one cloud row changed', () => sync({ ...base }));
await onFile(local, [`UPDATE "t2" SET "v" = "v" + 1 WHERE "id" = 1`]);
await measure('one local row changed', () => sync({ ...base }));
const db = await openSyncedDatabase({ ...base });
await db.run(`UPDATE "t3" SET "v" = "v" + 1 WHERE "id" = 2`);
await measure('library flush of a one-row write', () => db.flush());
await db.close();
console.log(`(files in ${dir})`);
