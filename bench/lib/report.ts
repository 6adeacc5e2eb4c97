import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { formatBytes, formatInt, formatMs, formatRatio, textTable } from './format.js';
import type { MachineFacts } from './machine.js';
import type { ProcessSample } from './measure.js';
import { max, median, min } from './stats.js';
import type { Check, ScenarioResult, SideResult } from './types.js';

export function printMachine(m: MachineFacts): void {
  console.log('Machine');
  console.log(`  cores          ${m.cores} × ${m.cpuModel}`);
  console.log(`  memory         ${formatBytes(m.memoryBytes)}`);
  console.log(`  platform       ${m.platform}`);
  console.log(`  node           ${m.node}`);
  console.log(`  load average   ${m.loadAverageAtStart} (1 min, at start)`);
  console.log(`  duckdb         ${m.duckdb} (@duckdb/node-api ${m.duckdbNodeApi}; threads ${m.duckdbThreads}, memory_limit ${m.duckdbMemoryLimit})`);
  console.log('');
}

export function summarizeSide(side: SideResult): {
  label: string;
  command: string;
  runs: number;
  wallMs: { median: number; min: number; max: number; samples: number[] };
  peakRssBytes: { median: number; max: number; samples: number[]; source: string[] };
  cpuMs: { median: number | null; samples: Array<number | null> };
  outputBytes: number | null;
  /** Share of the machine's CPU that other processes used during this side's runs (0…1), or null. */
  otherLoad: number | null;
} {
  const wall = side.samples.map((s) => s.wallMs);
  const rss = side.samples.map((s) => s.peakRssBytes);
  const cpu = side.samples.map(cpuMs);
  const knownCpu = cpu.filter((c): c is number => c !== null);
  return {
    label: side.label,
    command: side.command,
    runs: side.samples.length,
    wallMs: { median: Math.round(median(wall)), min: Math.round(min(wall)), max: Math.round(max(wall)), samples: wall.map(Math.round) },
    peakRssBytes: { median: median(rss), max: max(rss), samples: rss, source: side.samples.map((s) => s.peakRssSource) },
    cpuMs: { median: knownCpu.length ? Math.round(median(knownCpu)) : null, samples: cpu.map((c) => (c === null ? null : Math.round(c))) },
    outputBytes: side.outputBytes ?? null,
    otherLoad: otherLoad(side.samples),
  };
}

/** CPU used by other processes while the samples ran, as a share of all cores over that time. */
export function otherLoad(samples: ProcessSample[]): number | null {
  if (!samples.length || samples.some((s) => s.otherCpuMs === undefined)) return null;
  const other = samples.reduce((a, s) => a + (s.otherCpuMs ?? 0), 0);
  const capacity = samples.reduce((a, s) => a + s.wallMs, 0) * Math.max(1, cpus().length);
  return capacity > 0 ? Math.round((other / capacity) * 1000) / 1000 : null;
}

/** Above this share of the machine used by other processes, figures are flagged as noisy. */
export const NOISY_OTHER_LOAD = 0.1;

function cpuMs(s: ProcessSample): number | null {
  return s.userCpuMs === undefined || s.systemCpuMs === undefined ? null : s.userCpuMs + s.systemCpuMs;
}

export function printScenario(result: ScenarioResult): void {
  console.log(`Scenario ${result.name}: ${result.description}`);
  console.log(`  ${formatInt(result.rows)} rows, ${result.runs} timed run(s) per side after ${result.warmup} warm-up round(s), order alternating`);
  console.log('');
  const rows: string[][] = [['side', 'median wall', 'min', 'max', 'runs (wall)', 'peak RSS (max)', 'CPU user+sys (median)', 'output file', 'other load']];
  for (const side of result.sides) {
    const s = summarizeSide(side);
    rows.push([
      s.label,
      formatMs(s.wallMs.median),
      formatMs(s.wallMs.min),
      formatMs(s.wallMs.max),
      s.wallMs.samples.map(formatMs).join(' / '),
      formatBytes(s.peakRssBytes.max),
      s.cpuMs.median === null ? '-' : formatMs(s.cpuMs.median),
      s.outputBytes === null ? '-' : formatBytes(s.outputBytes),
      s.otherLoad === null ? '-' : `${Math.round(s.otherLoad * 100)}%`,
    ]);
  }
  console.log(indent(textTable(rows, new Set([1, 2, 3, 5, 6, 7, 8]))));
  console.log('');
  if (result.checks.length) {
    const checks: string[][] = [['check', 'measured', 'target', 'result']];
    for (const c of result.checks) checks.push([c.name, formatCheckValue(c, c.value), `≤ ${formatCheckValue(c, c.max)}`, c.pass ? 'PASS' : 'MISS']);
    console.log(indent(textTable(checks, new Set([1, 2]))));
    console.log('');
  }
  const noisy = result.sides.map((side) => [side.label, otherLoad(side.samples)] as const).filter(([, l]) => l !== null && l > NOISY_OTHER_LOAD);
  for (const [label, l] of noisy) {
    console.log(`  warning: other processes used ${Math.round((l ?? 0) * 100)}% of the machine during the ${label} runs: timings are noisy`);
  }
  if (noisy.length) console.log('');
  for (const n of result.notes) console.log(`  note: ${n}`);
  if (result.notes.length) console.log('');
}

function formatCheckValue(c: Check, v: number): string {
  if (c.unit === 'count') return formatInt(v);
  return c.unit === 'ratio' ? formatRatio(v) : c.unit === 'bytes' ? formatBytes(v) : formatMs(v);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

export function writeJsonSummary(path: string, summary: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(summary, null, 2)}\n`);
}

/** The JSON form of a scenario result (child output left out). */
export function scenarioJson(result: ScenarioResult): object {
  return {
    name: result.name,
    description: result.description,
    rows: result.rows,
    runs: result.runs,
    warmup: result.warmup,
    sides: result.sides.map(summarizeSide),
    checks: result.checks,
    notes: result.notes,
  };
}
