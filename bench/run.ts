/**
 * Benchmarks: `npm run bench [-- --only full-sync --rows 1M --runs 3 --warmup 1 --fresh]`.
 *
 * Each scenario (bench/scenarios/) compares duckdb-sync with DuckDB's own COPY FROM DATABASE measured
 * in the same run, prints a table with the ratios and targets (PASS/MISS), and the whole run is
 * written to bench/results/latest.json. Timings are never asserted: PASS or MISS, the exit code is 0.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, USAGE, type BenchArgs } from './lib/args.js';
import { machineFacts } from './lib/machine.js';
import { printMachine, printScenario, scenarioJson, writeJsonSummary } from './lib/report.js';
import type { BenchContext, ScenarioResult } from './lib/types.js';
import { SCENARIOS } from './scenarios/index.js';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const resultsFile = join(repoRoot, 'bench', 'results', 'latest.json');

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(USAGE);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(16)} ${s.description}`);
    return 0;
  }
  const unknown = args.only.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`unknown scenario: ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
    return 2;
  }
  const selected = args.only.length ? SCENARIOS.filter((s) => args.only.includes(s.name)) : [...SCENARIOS];
  if (!existsSync(join(repoRoot, 'dist', 'bin', 'duckdb-sync.js'))) {
    console.error('dist/bin/duckdb-sync.js is missing: run `npm run build` first (npm run bench does)');
    return 2;
  }

  mkdirSync(args.workDir, { recursive: true });
  const ctx: BenchContext = {
    rows: args.rows,
    rowsGiven: args.rowsGiven,
    runs: args.runs,
    warmup: args.warmup,
    fresh: args.fresh,
    workDir: args.workDir,
    remote: (path) => (args.remoteKind === 'file' ? path : `mdemu:${path}${args.remoteKind === 'mdemu-other' ? '?hashes=other' : ''}`),
    repoRoot,
    log: (m) => console.error(`[bench] ${m}`),
  };
  const startedAt = new Date();
  const machine = await machineFacts();
  printMachine(machine);
  ctx.log(`work folder ${args.workDir}; remote kind ${args.remoteKind}`);

  const results: ScenarioResult[] = [];
  const errors: Array<{ scenario: string; error: string }> = [];
  for (const scenario of selected) {
    ctx.log(`scenario ${scenario.name}`);
    try {
      const result = await scenario.run(ctx);
      results.push(result);
      printScenario(result);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push({ scenario: scenario.name, error: message });
      console.error(`Scenario ${scenario.name} could not run:\n${message}\n`);
    }
  }

  writeJsonSummary(resultsFile, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { rows: args.rows, runs: args.runs, warmup: args.warmup, only: args.only, fresh: args.fresh, workDir: args.workDir },
    machine,
    scenarios: results.map(scenarioJson),
    errors,
  });
  const checks = results.flatMap((r) => r.checks);
  const missed = checks.filter((c) => !c.pass).length;
  console.log(`${checks.length - missed}/${checks.length} targets met (timings are reported, not asserted).`);
  console.log(`summary written to ${relative(process.cwd(), resultsFile) || resultsFile}`);
  return errors.length ? 1 : 0;
}

process.exitCode = await main();
