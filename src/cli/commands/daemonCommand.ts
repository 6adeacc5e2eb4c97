import { Command } from 'commander';
import { checkDatabaseFiles, resolveConfig } from '../../run/session.js';
import { sync } from '../../run/sync.js';
import { UsageError } from '../../errors.js';
import { cronExpressionError } from '../../config/cronExpression.js';
import { readScheduleSettings } from '../../schedule/scheduleSettings.js';
import { SyncDaemon } from '../../schedule/syncDaemon.js';
import { addGlobalOptions, commonOptions, createCliLogger, type GlobalFlags } from '../globalOptions.js';
import { printJson } from '../output.js';

interface DaemonFlags extends GlobalFlags {
  fullSyncCron?: string;
  incrementalEvery?: string;
}

export function daemonCommand(run: (action: () => Promise<number>, flags: GlobalFlags) => Promise<void>): Command {
  const cmd = new Command('daemon')
    .description('run in the foreground for hosts without cron: a full sync on a cron schedule, an incremental sync every N minutes; stop with SIGINT/SIGTERM')
    .option('--full-sync-cron <expr>', 'cron expression of the full sync (default: daemon.fullSyncCron in the config, else "0 3 * * *")')
    .option('--incremental-every <minutes>', 'minutes between incremental syncs, 0 for none (default: daemon.incrementalEveryMinutes in the config, else 15)');
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

      const daemon = new SyncDaemon({
        fullSyncCron,
        incrementalEveryMinutes,
        logger,
        runSync: (mode, signal) => sync({ ...common, mode, signal }),
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
          runs: runs.map((r) => ({ id: r.id, mode: r.mode, outcome: r.outcome, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() })),
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
