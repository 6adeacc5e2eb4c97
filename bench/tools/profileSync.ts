/**
 * Where does a full sync spend its time? Runs the library's sync() (from src/, through tsx) on a
 * new local file in this process, timing every SQL statement it sends to DuckDB, the open, and the
 * close (the final checkpoint), then prints them in order with their share of the total.
 *
 *   node --import tsx bench/tools/profileSync.ts <remote file> [--local <new file>]
 *   node --import tsx bench/tools/profileSync.ts <remote file> --from <synced local file> [--mode incremental] [--direction push]
 *
 * With --from, copies of the synced local file and of the remote are synced (the originals are
 * left as they were), e.g. the bench's prepared incremental-sync copies. With --in-place, the
 * --local file is synced as it is (not removed first).
 *
 * The remote file is typically the cached bench input, e.g. <tmp>/duckdb-sync-bench/inputs/orders-5000000.duckdb.
 * A diagnostic, not a benchmark: numbers include tsx start-up and are not compared with anything.
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes, formatMs, textTable } from '../lib/format.js';

interface Step {
  what: string;
  ms: number;
}

const { values, positionals } = parseArgs({
  options: { local: { type: 'string' }, from: { type: 'string' }, mode: { type: 'string' }, direction: { type: 'string' }, 'in-place': { type: 'boolean' } },
  allowPositionals: true,
});
const remoteArg = positionals[0];
if (!remoteArg) {
  console.error('usage: node --import tsx bench/tools/profileSync.ts <remote file> [--local <new file> | --from <synced local file>] [--mode full|incremental] [--direction both|pull|push]');
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), 'duckdb-sync-profile-'));
const local = values.local ?? join(scratch, 'local.duckdb');
if (!values['in-place']) {
  rmSync(local, { force: true });
  rmSync(`${local}.wal`, { force: true });
}
let remote = remoteArg;
if (values.from) {
  copyFileSync(values.from, local);
  remote = join(scratch, 'remote.duckdb');
  copyFileSync(remoteArg, remote);
}

const steps: Step[] = [];
// runAndReadAll calls run internally: only the outermost call is recorded.
let depth = 0;
async function timed<T>(what: string, body: () => Promise<T> | T): Promise<T> {
  if (depth > 0) return body();
  depth++;
  const started = performance.now();
  try {
    return await body();
  } finally {
    depth--;
    steps.push({ what, ms: performance.now() - started });
  }
}
const oneLine = (sql: string): string => sql.replace(/\s+/g, ' ').trim().slice(0, 110);

const run = DuckDBConnection.prototype.run;
DuckDBConnection.prototype.run = function (this: DuckDBConnection, ...args: Parameters<DuckDBConnection['run']>) {
  return timed(`run      ${oneLine(args[0])}`, () => run.apply(this, args));
};
const runAndReadAll = DuckDBConnection.prototype.runAndReadAll;
DuckDBConnection.prototype.runAndReadAll = function (this: DuckDBConnection, ...args: Parameters<DuckDBConnection['runAndReadAll']>) {
  return timed(`readAll  ${oneLine(args[0])}`, () => runAndReadAll.apply(this, args));
};
const closeInstance = DuckDBInstance.prototype.closeSync;
DuckDBInstance.prototype.closeSync = function (this: DuckDBInstance) {
  const started = performance.now();
  closeInstance.call(this);
  steps.push({ what: 'instance.closeSync (final checkpoint)', ms: performance.now() - started });
};

const processStart = performance.timeOrigin;
const importStarted = performance.now();
const { sync } = (await import(process.env.PROFILE_DIST ? '../../dist/index.js' : '../../src/index.js')) as typeof import('../../src/index.js');
steps.push({ what: 'import duckdb-sync (src, via tsx)', ms: performance.now() - importStarted });

const started = performance.now();
const result = await sync({
  local,
  remote,
  cwd: scratch,
  logDir: join(scratch, 'logs'),
  ...(values.mode ? { mode: values.mode as 'full' | 'incremental' } : {}),
  ...(values.direction ? { direction: values.direction as 'both' | 'pull' | 'push' } : {}),
});
const total = performance.now() - started;

const rows = [['#', 'ms', 'share', 'step']];
steps.forEach((s, i) => rows.push([String(i + 1), s.ms.toFixed(1), `${((100 * s.ms) / total).toFixed(1)}%`, s.what]));
console.log(textTable(rows, new Set([0, 1, 2])));
const counted = steps.slice(1).reduce((a, s) => a + s.ms, 0);
console.log('');
console.log(`sync() total ${formatMs(total)}; in DuckDB calls ${formatMs(counted)}; elsewhere ${formatMs(total - counted)}`);
console.log(`process age at exit ${formatMs(Date.now() - processStart)}; ok=${result.ok}; local file ${formatBytes(statSync(local).size)}`);
rmSync(scratch, { recursive: true, force: true });
