import { Command } from 'commander';
import { status } from '../../run/status.js';
import { addGlobalOptions, commonOptions, createCliLogger, type GlobalFlags } from '../globalOptions.js';
import { formatTable, formatTime, printJson, println } from '../output.js';
import type { LocalWritesStatus } from '../../run/localWritesStatus.js';

export function statusCommand(run: (action: () => Promise<number>, flags: GlobalFlags) => Promise<void>): Command {
  const cmd = new Command('status').description('show, per table, the last sync: time, mode, direction, status, rows, open conflicts, last error');
  addGlobalOptions(cmd).action(async (_opts: GlobalFlags, command: Command) => {
    const flags = command.optsWithGlobals<GlobalFlags>();
    await run(async () => {
      const result = await status(commonOptions(flags, createCliLogger(flags)));
      if (flags.json) {
        printJson({
          ok: result.tables.every((t) => t.status === 'ok'),
          local: result.local,
          tables: result.tables,
          runs: result.runs,
          pending: result.pending,
          openConflicts: result.openConflicts,
          localWrites: result.localWrites,
        });
        return 0;
      }
      if (!result.tables.length) {
        println(`${result.local}: never synced (run duckdb-sync sync)`);
        for (const line of localWritesLines(result.localWrites)) println(line);
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
      for (const t of result.tables) if (t.scopeFilter) println(`${t.tableName}: a partial replica, rows where ${t.scopeFilter}`);
      if (result.pending.length) println(`written, not pushed yet: ${result.pending.join(', ')}`);
      for (const line of localWritesLines(result.localWrites)) println(line);
      const open = Object.values(result.openConflicts).reduce((n, c) => n + c, 0);
      if (open) println(`${open} open conflict(s): see them with duckdb-sync conflicts`);
      return 0;
    }, flags);
  });
  return cmd;
}

/** Whether writes wait for a push, and what a watching daemon is doing about them. */
function localWritesLines(w: LocalWritesStatus): string[] {
  const at = (iso: string | null): string => formatTime(iso === null ? null : new Date(iso));
  const lines: string[] = [];
  if (w.waiting) lines.push(`local file written since the last sync (${at(w.lastSyncAt)}), last write ${at(w.lastWriteAt)}: not pushed yet`);
  const d = w.watcher;
  if (!d) {
    if (w.waiting) lines.push('no daemon watches it: the next scheduled sync pushes it (or run duckdb-sync sync; duckdb-sync daemon --watch pushes writes soon after they are made)');
    return lines;
  }
  lines.push(`watched by duckdb-sync daemon (PID ${d.pid}) since ${at(d.watchingSince)}; last push ${at(d.lastPushAt)}`);
  if (d.waitingSince) lines.push(`writes waiting for its push since ${at(d.waitingSince)}`);
  if (d.heldSince) lines.push(`its push waits for another program to let go of the file (${d.heldBy ?? 'another process'}) since ${at(d.heldSince)}`);
  return lines;
}
