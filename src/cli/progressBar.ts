import type * as CliProgress from 'cli-progress';
import { createRequire } from 'node:module';
import type { PullProgress } from '../engine/api.js';

/**
 * A per-table progress bar (rows and rate) on a terminal; a no-op when stdout is not a TTY or the
 * output is JSON.
 */
export class ProgressBar {
  private bar: CliProgress.SingleBar | undefined;
  private table: string | undefined;

  constructor(private readonly enabled: boolean) {}

  static forOutput(json: boolean | undefined): ProgressBar {
    return new ProgressBar(!json && process.stdout.isTTY === true && process.stderr.isTTY === true);
  }

  update(p: PullProgress): void {
    if (!this.enabled || p.totalRows <= 0) return;
    if (this.table !== p.table) {
      this.stop();
      this.table = p.table;
      // Loaded on a terminal only (~0.015 s).
      const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
      this.bar = new cliProgress.SingleBar(
        { format: `${p.table} [{bar}] {percentage}% | {value}/{total} rows | {speed} rows/s`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(p.totalRows, 0, { speed: '0' });
      this.started = performance.now();
    }
    const seconds = (performance.now() - this.started) / 1000;
    this.bar?.update(p.rowsProcessed, { speed: seconds > 0 ? Math.round(p.rowsProcessed / seconds).toLocaleString('en-US') : '0' });
  }

  private started = 0;

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.table = undefined;
  }
}
