import { Command, Option } from 'commander';
import { checkDatabaseFiles, resolveConfig } from '../../run/session.js';
import { sync } from '../../run/sync.js';
import { UsageError } from '../../errors.js';
import { cronExpressionError } from '../../config/cronExpression.js';
import { readScheduleSettings } from '../../schedule/scheduleSettings.js';
import { SyncDaemon } from '../../schedule/syncDaemon.js';
import { addGlobalOptions, commonOptions, createCliLogger, intIn, type GlobalFlags } from '../globalOptions.js';
import { printJson } from '../output.js';

interface DaemonFlags extends GlobalFlags {
  fullSyncCron?: string;
  incrementalEvery?: string;
  watch?: boolean;
  watchDebounce?: number;
  watchMaxDelay?: number;
  watchPoll?: number;
}

export function daemonCommand(run: (action: () => Promise<number>, flags: GlobalFlags) => Promise<void>): Command {
  const cmd = new Command('daemon')
    .description('run in the foreground for hosts without cron: a full sync on a cron schedule, an incremental sync every N minutes, and with --watch a push soon after any program wrote the local file; stop with SIGINT/SIGTERM')
    .option('--full-sync-cron <expr>', 'cron expression of the full sync (default: daemon.fullSyncCron in the config, else "0 3 * * *")')
    .option('--incremental-every <minutes>', 'minutes between incremental syncs, 0 for none (default: daemon.incrementalEveryMinutes in the config, else 15)')
    .option('--watch', 'also watch the local file: writes made by any program (DuckDB CLI, Python, a notebook) are pushed soon after that program lets go of the file (default: daemon.watch in the config, else off)')
    .option('--no-watch', 'do not watch the local file, even if the config says so')
    .addOption(new Option('--watch-debounce <ms>', 'quiet after the last local write before a watched push starts (default: daemon.watchDebounceMs, else 2000)').argParser(intIn(0, 3_600_000)))
    .addOption(new Option('--watch-max-delay <ms>', 'while writes keep coming, a watched push starts at least this long after the first one waiting (default: daemon.watchMaxDelayMs, else 5000)').argParser(intIn(0, 3_600_000)))
    .addOption(new Option('--watch-poll <ms>', 'how often the local file is checked besides file events, for network file systems and containers (default: daemon.watchPollMs, else 1000)').argParser(intIn(50, 600_000)));
  addGlobalOptions(cmd).action(async (_opts: DaemonFlags, command: Command) => {
    const flags = command.optsWithGlobals<DaemonFlags>();
    await run(async () => {
      const logger = createCliLogger(flags);
      const common = commonOptions(flags, logger);
      const config = resolveConfig(common); // bad config or missing databases: exit 2 before starting
      checkDatabaseFiles(config, 'now'); // a file that is not a database, or no token: exit 2 before starting
      const settings = readScheduleSettings(config.configPath);
      const fullSyncCron = flags.fullSyncCron ?? settings.fullSyncCron;
      const cronError = cronExpressionError(fullSyncCron);
      if (cronError) throw new UsageError(cronError, 'for example --full-sync-cron "0 3 * * *" (03:00 daily)');
      const incrementalEveryMinutes = flags.incrementalEvery === undefined ? settings.incrementalEveryMinutes : parseMinutes(flags.incrementalEvery);
      const watching = flags.watch ?? settings.watch;

      const daemon = new SyncDaemon({
        fullSyncCron,
        incrementalEveryMinutes,
        logger,
        // A watched push fails at once on a held local file: the daemon waits for it itself, logged once.
        runSync: (mode, signal, trigger) => sync({ ...common, mode, signal, failIfLocalHeld: trigger === 'watch' }),
        watch: watching
          ? {
              local: config.local,
              cacheDir: config.cacheDir,
              debounceMs: flags.watchDebounce ?? settings.watchDebounceMs,
              maxDelayMs: flags.watchMaxDelay ?? settings.watchMaxDelayMs,
              pollMs: flags.watchPoll ?? settings.watchPollMs,
            }
          : undefined,
      });
      const stoppedBy = await new Promise<NodeJS.Signals>((resolve) => {
        let stopping = false;
        const onSignal = (signal: NodeJS.Signals): void => {
          if (stopping) {
            logger.warn(`${signal} again: exiting now; the table in progress rolls back`);
            process.exit(1);
          }
          stopping = true;
          logger.info(`${signal} received: stopping`);
          void daemon
            .close()
            .catch(() => undefined)
            .then(() => {
              process.off('SIGINT', onSignal);
              process.off('SIGTERM', onSignal);
              resolve(signal);
            });
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        daemon.start();
      });
      const runs = daemon.runs;
      if (flags.json) {
        printJson({
          ok: true,
          stoppedBy,
          watching,
          writesWaiting: daemon.writesWaiting,
          runs: runs.map((r) => ({ id: r.id, mode: r.mode, trigger: r.trigger, outcome: r.outcome, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() })),
        });
      }
      return 0;
    }, flags);
  });
  return cmd;
}

function parseMinutes(value: string): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 10_080) {
    throw new UsageError(`--incremental-every must be a number of minutes from 0 to 10080, got "${value}"`, 'for example --incremental-every 15 (0: no incremental syncs)');
  }
  return n;
}
