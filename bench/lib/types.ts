import type { ProcessSample } from './measure.js';

/** What every scenario gets from the runner. */
export interface BenchContext {
  /** Rows in the generated tables. */
  rows: number;
  /** Whether the rows were given (--rows) rather than the default. */
  rowsGiven: boolean;
  /** Timed repetitions per side. */
  runs: number;
  /** Untimed rounds before the timed ones. */
  warmup: number;
  /** Regenerate cached input files. */
  fresh: boolean;
  /** Cache and scratch folder (inputs cached here, targets created and removed here). */
  workDir: string;
  /** The remote as duckdb-sync is given it, for the cloud file at `path` (`path`, or `mdemu:<path>`). */
  remote: (path: string) => string;
  /** The repository root (where dist/bin/duckdb-sync.js lives). */
  repoRoot: string;
  /** Progress lines for the human watching (stderr). */
  log: (message: string) => void;
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

/** One measured side of a scenario (ours, the baseline, …), one sample per run. */
export interface SideResult {
  label: string;
  command: string;
  samples: ProcessSample[];
  /** Size of the file the side produced (bytes, last run), when that means something. */
  outputBytes?: number;
}

/** A figure compared with a target: PASS or MISS, never an error. */
export interface Check {
  name: string;
  value: number;
  unit: 'ratio' | 'bytes' | 'ms' | 'count';
  /** The value must be at most this. */
  max: number;
  pass: boolean;
}

export interface ScenarioResult {
  name: string;
  description: string;
  rows: number;
  runs: number;
  warmup: number;
  sides: SideResult[];
  checks: Check[];
  notes: string[];
}
