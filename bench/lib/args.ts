import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export interface BenchArgs {
  only: string[];
  rows: number;
  /** Whether --rows was given (the scale scenario has its own default). */
  rowsGiven: boolean;
  runs: number;
  warmup: number;
  fresh: boolean;
  workDir: string;
  /** How the stand-in cloud file is given to duckdb-sync: a file remote, or the MotherDuck emulator. */
  remoteKind: 'file' | 'mdemu' | 'mdemu-other';
  list: boolean;
  help: boolean;
}

export const DEFAULT_ROWS = 5_000_000;
export const DEFAULT_RUNS = 3;
export const DEFAULT_WARMUP = 1;

export const USAGE = `usage: npm run bench -- [options]

  --only <name>      run only this scenario (repeatable, or comma-separated); default: all
  --rows <n>         rows in generated tables (5000000, 5_000_000, 5M, 500k); default ${DEFAULT_ROWS}
                     (the scale scenario: 20M)
  --runs <n>         timed runs per side, order alternating; default ${DEFAULT_RUNS}
  --warmup <n>       untimed rounds first (page cache, lazy loading); default ${DEFAULT_WARMUP}
  --fresh            regenerate cached input files
  --work-dir <dir>   cache and scratch folder; default <tmp>/duckdb-sync-bench
  --remote-kind <k>  file (a file remote, hash() fingerprints), mdemu (the MotherDuck
                     emulator: the MotherDuck code path on the same file), or mdemu-other (the
                     emulator as a server whose DuckDB hashes rows differently: canonical md5
                     fingerprints once the first incremental sync finds it); default file
  --list             list the scenarios and exit
  -h, --help         this text

Timings are printed, never asserted: the exit code is 0 whether targets PASS or MISS
(non-zero only when a scenario could not run).`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string', multiple: true },
      rows: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      fresh: { type: 'boolean' },
      'work-dir': { type: 'string' },
      'remote-kind': { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    only: (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean),
    rows: values.rows === undefined ? DEFAULT_ROWS : parseCount(values.rows, '--rows'),
    rowsGiven: values.rows !== undefined,
    runs: values.runs === undefined ? DEFAULT_RUNS : parseCount(values.runs, '--runs'),
    warmup: values.warmup === undefined ? DEFAULT_WARMUP : parseCount(values.warmup, '--warmup', 0),
    fresh: values.fresh === true,
    workDir: values['work-dir'] ?? join(tmpdir(), 'duckdb-sync-bench'),
    remoteKind: parseRemoteKind(values['remote-kind'] ?? 'file'),
    list: values.list === true,
    help: values.help === true,
  };
}

/** 5000000, 5_000_000, 5,000,000, 5M, 500k, 1.5m → an integer ≥ least. */
export function parseCount(text: string, flag: string, least = 1): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.replace(/[_,]/g, '').trim());
  const factor = m?.[2]?.toLowerCase() === 'k' ? 1e3 : m?.[2]?.toLowerCase() === 'm' ? 1e6 : 1;
  const n = m ? Math.round(Number(m[1]) * factor) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < least) throw new Error(`${flag}: expected an integer ≥ ${least}, got "${text}"`);
  return n;
}

function parseRemoteKind(text: string): BenchArgs['remoteKind'] {
  if (text === 'file' || text === 'mdemu' || text === 'mdemu-other') return text;
  throw new Error(`--remote-kind: expected file, mdemu or mdemu-other, got "${text}"`);
}
