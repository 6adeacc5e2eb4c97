// Preloaded into every measured child (`node --import <this file> …`): when the process exits, it
// writes its own resource usage (peak RSS from getrusage, CPU times) to $BENCH_USAGE_FILE.
// getrusage(RUSAGE_SELF) covers all threads, so DuckDB's worker threads are included.
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_USAGE_FILE;
if (target) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    try {
      writeFileSync(target, JSON.stringify({ maxRssKiB: u.maxRSS, userMicros: u.userCPUTime, systemMicros: u.systemCPUTime }));
    } catch {
      // The parent falls back to what it polled from /proc.
    }
  });
}
