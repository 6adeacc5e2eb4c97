import { readConfigFile } from '../config/loadConfig.js';
import type { ConfigFile } from '../config/schema.js';

/** Defaults of the `schedule` and `daemon` sections of the config file. */
export const SCHEDULE_DEFAULTS = {
  hour: 3,
  minute: 0,
  fullSyncCron: '0 3 * * *',
  incrementalEveryMinutes: 15,
  watch: false,
  watchDebounceMs: 2000,
  watchMaxDelayMs: 5000,
  watchPollMs: 1000,
};

export interface ScheduleSettings {
  /** Time of the nightly full sync installed by `duckdb-sync schedule`. */
  hour: number;
  minute: number;
  /** Cron expression of the daemon's full sync. */
  fullSyncCron: string;
  /** Minutes between the daemon's incremental syncs; 0: none. */
  incrementalEveryMinutes: number;
  /** Whether the daemon pushes local writes soon after any program made them. */
  watch: boolean;
  watchDebounceMs: number;
  watchMaxDelayMs: number;
  watchPollMs: number;
}

/** The `schedule` and `daemon` settings of a config file (validated), with defaults filled in. */
export function readScheduleSettings(configPath: string | undefined): ScheduleSettings {
  return scheduleSettingsOf(configPath ? readConfigFile(configPath) : {});
}

/** The `schedule` and `daemon` settings of a parsed config file, with defaults filled in. */
export function scheduleSettingsOf(file: ConfigFile): ScheduleSettings {
  return {
    hour: file.schedule?.hour ?? SCHEDULE_DEFAULTS.hour,
    minute: file.schedule?.minute ?? SCHEDULE_DEFAULTS.minute,
    fullSyncCron: file.daemon?.fullSyncCron ?? SCHEDULE_DEFAULTS.fullSyncCron,
    incrementalEveryMinutes: file.daemon?.incrementalEveryMinutes ?? SCHEDULE_DEFAULTS.incrementalEveryMinutes,
    watch: file.daemon?.watch ?? SCHEDULE_DEFAULTS.watch,
    watchDebounceMs: file.daemon?.watchDebounceMs ?? SCHEDULE_DEFAULTS.watchDebounceMs,
    watchMaxDelayMs: file.daemon?.watchMaxDelayMs ?? SCHEDULE_DEFAULTS.watchMaxDelayMs,
    watchPollMs: file.daemon?.watchPollMs ?? SCHEDULE_DEFAULTS.watchPollMs,
  };
}
