import { Command, Option } from 'commander';
import { sync } from '../../run/sync.js';
import { CONFLICT_POLICIES, SYNC_MODES, type ConflictPolicy, type SyncMode } from '../../config/schema.js';
import { addGlobalOptions, collect, commonOptions, createCliLogger, type GlobalFlags } from '../globalOptions.js';
import { formatTable, printJson, println } from '../output.js';
import { ProgressBar } from '../progressBar.js';
import { type Direction, type SyncResult, DIRECTIONS } from '../../engine/api.js';

interface SyncFlags extends GlobalFlags {
  table?: string[];
  exclude?: string[];
  mode?: SyncMode;
  direction?: Direction;
  onConflict?: ConflictPolicy;
  dryRun?: boolean;
  compareAll?: boolean;
}

export function syncCommand(run: (action: () => Promise<number>, flags: GlobalFlags) => Promise<void>): Command {
  const cmd = new Command('sync')
    .description('sync the local database with the remote')
    .option('--table <name>', 'only this table (repeatable; local name, e.g. emails or analytics.daily)', collect)
    .option('--exclude <name>', 'leave this table, view, macro or sequence out (repeatable)', collect)
    .addOption(new Option('--mode <mode>', 'full: push local changes, then replace local tables with the remote\'s; incremental: only what changed, both ways (default: full, or "mode" in the config)').choices(SYNC_MODES))
    .addOption(new Option('--direction <direction>', 'both, pull (never writes the remote) or push (never writes local user tables)').choices(DIRECTIONS).default('both'))
    .addOption(new Option('--on-conflict <policy>', 'rows changed differently on both sides: remote-wins, local-wins, newest-wins (by the cursor column) or fail (default: remote-wins, or the config)').choices(CONFLICT_POLICIES))
    .option('--dry-run', 'show what would happen per table and object; change nothing')
    .option('--compare-all', 'compare every local table with its baseline, even when the local file is exactly as the last sync left it');
  addGlobalOptions(cmd).action(async (_opts: SyncFlags, command: Command) => {
    const flags = command.optsWithGlobals<SyncFlags>();
    await run(async () => {
      const logger = createCliLogger(flags);
      const progress = ProgressBar.forOutput(flags.json);
      try {
        const result = await sync({
          ...commonOptions(flags, logger),
          tables: flags.table,
          excludeTables: flags.exclude,
          mode: flags.mode,
          direction: flags.direction,
          onConflict: flags.onConflict,
          dryRun: flags.dryRun,
          compareAll: flags.compareAll,
          onProgress: (p) => progress.update(p),
        });
        progress.stop();
        if (flags.json) printJson(syncJson(result));
        else printSyncResult(result);
        return result.ok ? 0 : 1;
      } finally {
        progress.stop();
      }
    }, flags);
  });
  return cmd;
}

/** The `--json` contract of `sync`. */
export function syncJson(result: SyncResult): object {
  return {
    ok: result.ok,
    mode: result.mode,
    direction: result.direction,
    dryRun: result.dryRun,
    durationMs: Math.round(result.durationMs),
    remoteRoundTrips: result.remoteRoundTrips,
    tables: result.tables.map((t) => ({
      name: t.name,
      status: t.status,
      rowsPulled: t.rowsPulled,
      rowsPushed: t.rowsPushed,
      rowsDeleted: t.rowsDeleted,
      conflicts: t.conflicts,
      ...(t.rowsRead === undefined ? {} : { rowsRead: t.rowsRead }),
      ...(t.remoteRoundTrips === undefined ? {} : { remoteRoundTrips: t.remoteRoundTrips }),
      ...(t.where === undefined ? {} : { where: t.where, rowsInScope: t.rowsInScope }),
      ...(t.error ? { error: t.error } : {}),
      ...(t.warnings?.length ? { warnings: t.warnings } : {}),
    })),
    objects: result.objects.map((o) => ({
      kind: o.kind,
      name: o.name,
      side: o.side,
      action: o.action,
      status: o.status,
      detail: o.detail,
      ...(o.error ? { error: o.error } : {}),
    })),
  };
}

function printSyncResult(result: SyncResult): void {
  if (result.dryRun) println(`dry run (${result.mode} sync): nothing was changed`);
  println(
    formatTable(
      ['table', 'status', 'pulled', 'pushed', 'deleted', 'conflicts', 'note'],
      result.tables.map((t) => [t.name, t.status, t.rowsPulled, t.rowsPushed, t.rowsDeleted, t.conflicts, t.error ?? (t.warnings ?? []).join('; ')]),
    ),
  );
  if (result.objects.length) {
    println(
      formatTable(
        ['object', 'kind', 'side', 'action', 'status', 'note'],
        result.objects.map((o) => [o.name, o.kind, o.side, o.action, o.status, o.error ?? o.detail]),
      ),
    );
  }
  const kept = result.tables.reduce((n, t) => n + t.conflicts, 0);
  if (kept && !result.dryRun) println(`kept ${kept} conflict(s): see them with \`duckdb-sync conflicts\` (restore a losing version with \`duckdb-sync conflicts restore <id>\`)`);
  const failed = result.tables.filter((t) => t.status === 'error').length;
  const failedObjects = result.objects.filter((o) => o.status === 'error').length;
  println(
    `${result.dryRun ? 'planned' : result.ok ? 'synced' : 'finished with errors:'} ${result.tables.length} table(s)${failed ? `, ${failed} failed` : ''}${failedObjects ? `, ${failedObjects} object change(s) failed` : ''} in ${(result.durationMs / 1000).toFixed(1)} s`,
  );
}
