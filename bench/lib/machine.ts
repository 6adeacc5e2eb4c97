import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { duckdbVersion, withDuckDB } from './duck.js';

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  platform: string;
  node: string;
  duckdb: string;
  duckdbNodeApi: string;
  /** DuckDB's defaults on this machine (both sides of every comparison run with them). */
  duckdbThreads: string;
  duckdbMemoryLimit: string;
  /** 1-minute load average when the run started (see also each side's `otherLoad`). */
  loadAverageAtStart: number;
}

export async function machineFacts(): Promise<MachineFacts> {
  const defaults = await withDuckDB(':memory:', (q) =>
    q.all<{ threads: string; mem: string }>(`SELECT current_setting('threads')::VARCHAR AS threads, current_setting('memory_limit') AS mem`),
  );
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    platform: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    duckdb: duckdbVersion(),
    duckdbNodeApi: packageVersion('@duckdb/node-api'),
    duckdbThreads: defaults[0]?.threads ?? '?',
    duckdbMemoryLimit: defaults[0]?.mem ?? '?',
    loadAverageAtStart: loadAverage(),
  };
}

function packageVersion(name: string): string {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function loadAverage(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

