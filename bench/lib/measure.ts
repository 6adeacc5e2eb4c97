import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What one child process cost. */
export interface ProcessSample {
  /** From spawn to exit, as seen by the parent (includes node start-up). */
  wallMs: number;
  /** Peak resident set size over the whole process life, in bytes. */
  peakRssBytes: number;
  /** Where the peak came from: the child's own getrusage at exit, /proc polling, or both. */
  peakRssSource: 'rusage' | 'proc' | 'rusage+proc' | 'none';
  userCpuMs: number | undefined;
  systemCpuMs: number | undefined;
  /**
   * CPU time the rest of the machine used while the child ran (busy time from /proc/stat minus the
   * child's own CPU time): a noise indicator. Undefined when /proc/stat or the child's usage is missing.
   */
  otherCpuMs: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunNodeOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How often /proc/<pid>/status is read (fallback and cross-check for the peak RSS). */
  pollMs?: number;
}

const USAGE_HOOK = fileURLToPath(new URL('./usageHook.mjs', import.meta.url));

/**
 * Writes every dirty page of the machine to disk (`sync`) before a timed process starts. Without it a
 * step paid for the writes of what ran before it: a file the bench had just copied, or the previous
 * step's output, was flushed by the step's first fsync (ext4 orders a journal commit after the data
 * of every file), e.g. 0.7 s for the first COMMIT of a step after a 1.2 GiB copy, 20 ms after `sync`.
 * A user's file is not in the middle of being copied when cron starts a sync. Linux only; elsewhere
 * nothing is done.
 */
function flushDirtyPages(): void {
  if (process.platform === 'linux') spawnSync('sync', { stdio: 'ignore' });
}

/**
 * Runs `node <args>` as a child process and measures wall time and peak memory.
 *
 * Peak RSS is measured two ways and the larger value is kept: (1) a tiny preloaded module writes
 * the child's own getrusage() (ru_maxrss, all threads) when it exits, and (2) the parent polls
 * VmHWM in /proc/<pid>/status while the child runs. VmHWM is a high-water mark, so polling only
 * misses growth in the last interval before exit; the exit hook covers that, and the polling
 * covers a child that dies without running exit handlers.
 */
export async function runNode(args: string[], options: RunNodeOptions = {}): Promise<ProcessSample> {
  flushDirtyPages();
  const usageFile = join(tmpdir(), `duckdb-sync-bench-usage-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  rmSync(usageFile, { force: true });
  const env = { ...(options.env ?? process.env), BENCH_USAGE_FILE: usageFile };
  const pollMs = options.pollMs ?? 20;

  const busyBefore = machineBusyMs();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', USAGE_HOOK, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));

  let polledKiB = 0;
  const pid = child.pid;
  const poll = (): void => {
    if (pid === undefined) return;
    const kib = readVmHwmKiB(pid);
    if (kib !== undefined && kib > polledKiB) polledKiB = kib;
  };
  const timer = setInterval(poll, pollMs);
  poll();

  const { code, signal, wallMs } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; wallMs: number }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve({ code: c, signal: s, wallMs: performance.now() - started }));
  });
  clearInterval(timer);
  const busyAfter = machineBusyMs();
  // Let the pipes drain.
  await new Promise<void>((resolve) => (child.stdout.readableEnded && child.stderr.readableEnded ? resolve() : child.once('close', () => resolve())));

  const usage = await readUsage(usageFile);
  rmSync(usageFile, { force: true });
  const rusageKiB = usage?.maxRssKiB ?? 0;
  const peakKiB = Math.max(rusageKiB, polledKiB);
  const source: ProcessSample['peakRssSource'] =
    rusageKiB && polledKiB ? 'rusage+proc' : rusageKiB ? 'rusage' : polledKiB ? 'proc' : 'none';
  const childCpuMs = usage ? (usage.userMicros + usage.systemMicros) / 1000 : undefined;
  const otherCpuMs =
    busyBefore !== undefined && busyAfter !== undefined && childCpuMs !== undefined ? Math.max(0, busyAfter - busyBefore - childCpuMs) : undefined;
  return {
    wallMs,
    peakRssBytes: peakKiB * 1024,
    peakRssSource: source,
    userCpuMs: usage ? usage.userMicros / 1000 : undefined,
    systemCpuMs: usage ? usage.systemMicros / 1000 : undefined,
    otherCpuMs,
    exitCode: code,
    signal,
    stdout,
    stderr,
  };
}

/** VmHWM (peak RSS) of a live process in KiB; undefined when it is gone or not on Linux. */
export function readVmHwmKiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Busy CPU time of the whole machine so far (all cores), from /proc/stat; undefined off Linux. */
export function machineBusyMs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice — in USER_HZ ticks (100/s).
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const ticks = [user, nice, system, irq, softirq, steal].reduce<number>((a, v) => a + (v ?? 0), 0);
    return Number.isFinite(ticks) && line.startsWith('cpu ') ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

interface UsageRecord {
  maxRssKiB: number;
  userMicros: number;
  systemMicros: number;
}

async function readUsage(file: string): Promise<UsageRecord | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as UsageRecord;
  } catch {
    return undefined;
  }
}

/** Throws with the child's output when it did not exit 0. */
export function assertSucceeded(label: string, sample: ProcessSample): void {
  if (sample.exitCode === 0) return;
  const how = sample.signal ? `was killed by ${sample.signal}` : `exited with code ${sample.exitCode}`;
  throw new Error(`${label} ${how}\n--- stdout ---\n${sample.stdout.trim()}\n--- stderr ---\n${sample.stderr.trim()}`);
}
