import { Command } from 'commander';
import { status } from '../../run/status.js';
import { addGlobalOptions, commonOptions, createCliLogger, type GlobalFlags } from '../globalOptions.js';
import { formatTable, formatTime, printJson, println } from '../output.js';

export function statusCommand(run: (action: () => Promise<number>, flags: GlobalFlags) => Promise<void>): Command {
  const cmd = new Command('status').description('show, per table, the last sync: time, mode, direction, status, rows, open conflicts, last error');
  addGlobalOptions(cmd).action(async (_opts: GlobalFlags, command: Command) => {
    const flags = command.optsWithGlobals<GlobalFlags>();
    await run(async () => {
      const result = await status(commonOptions(flags, createCliLogger(flags)));
      if (flags.json) {
        printJson({ ok: result.tables.every((t) => t.status === 'ok'), local: result.local, tables: result.tables, runs: result.runs, pending: result.pending, openConflicts: result.openConflicts });
        return 0;
      }
      if (!result.tables.length) {
        println(`${result.local}: never synced (run duckdb-sync sync)`);
        return 0;
      }
      println(
        formatTable(
          ['table', 'last sync', 'mode', 'direction', 'status', 'rows', 'pulled', 'pushed', 'deleted', 'conflicts', 'open conflicts', 'last error'],
          result.tables.map((t) => [
            t.tableName,
            formatTime(t.lastSyncTime),
            t.lastSyncMode ?? '-',
            t.lastDirection ?? '-',
            t.status ?? '-',
            t.rowCount ?? '-',
            t.rowsPulled,
            t.rowsPushed,
            t.rowsDeleted,
            t.conflicts,
            result.openConflicts[t.tableName] ?? 0,
            t.errorMessage ?? '',
          ]),
        ),
      );
      const last = result.runs[0];
      if (last) {
        const trips = last.remoteRoundTrips === null ? '' : `, ${last.remoteRoundTrips} round trip(s) to the remote`;
        println(`last run: ${formatTime(last.startedAt)} ${last.mode} ${last.status}${trips}${last.errorMessage ? ` (${last.errorMessage})` : ''}`);
      }
      if (result.pending.length) println(`written, not pushed yet: ${result.pending.join(', ')}`);
      const open = Object.values(result.openConflicts).reduce((n, c) => n + c, 0);
      if (open) println(`${open} open conflict(s): see them with duckdb-sync conflicts`);
      return 0;
    }, flags);
  });
  return cmd;
}
