import { Command, InvalidArgumentError } from 'commander';
import { dismissConflicts, listConflicts, restoreConflicts, type ConflictView } from '../../run/conflicts.js';
import { UsageError } from '../../errors.js';
import { addGlobalOptions, collect, commonOptions, createCliLogger, type GlobalFlags } from '../globalOptions.js';
import { formatTable, formatTime, printJson, println } from '../output.js';

interface ListFlags extends GlobalFlags {
  table?: string[];
  since?: Date;
  allColumns?: boolean;
  includeDismissed?: boolean;
}

interface DismissFlags extends GlobalFlags {
  all?: boolean;
  table?: string[];
}

type Run = (action: () => Promise<number>, flags: GlobalFlags) => Promise<void>;

/** `duckdb-sync conflicts`: list the kept conflicts; `restore` and `dismiss` act on them. */
export function conflictsCommand(run: Run): Command {
  const cmd = new Command('conflicts')
    .description('list the conflicts kept in dewey_sync_conflicts, newest first (open ones); restore or dismiss them with the subcommands')
    .enablePositionalOptions()
    .option('--table <name>', 'only this table (repeatable)', collect)
    .option('--since <time>', 'only conflicts kept since then: an ISO time (2026-12-01, 2026-12-01T08:00Z) or a duration ago (30m, 12h, 7d)', parseSince)
    .option('--all-columns', 'show every column of both versions (default: the columns that differ)')
    .option('--include-dismissed', 'also list records already restored or dismissed');
  addGlobalOptions(cmd).action(async (_opts: ListFlags, command: Command) => {
    const flags = command.optsWithGlobals<ListFlags>();
    await run(async () => {
      const conflicts = await listConflicts({ ...commonOptions(flags, createCliLogger(flags)), tables: flags.table, since: flags.since, includeDismissed: flags.includeDismissed });
      if (flags.json) printJson({ ok: true, conflicts });
      else printConflicts(conflicts, flags.allColumns === true);
      return 0;
    }, flags);
  });
  cmd.addCommand(restoreCommand(run));
  cmd.addCommand(dismissCommand(run));
  return cmd;
}

function restoreCommand(run: Run): Command {
  const cmd = new Command('restore')
    .description('write the losing version of these conflicts back into the local table, as a local edit the next sync pushes (through the merge: a newer cloud edit is a new conflict)')
    .argument('<id...>', 'conflict ids (from `duckdb-sync conflicts`)', collectId);
  addGlobalOptions(cmd).action(async (ids: number[], _opts: GlobalFlags, command: Command) => {
    const flags = command.optsWithGlobals<GlobalFlags>();
    await run(async () => {
      const restored = await restoreConflicts({ ...commonOptions(flags, createCliLogger(flags)), ids });
      if (flags.json) printJson({ ok: true, restored });
      else for (const c of restored) println(`restored conflict ${c.id} in ${c.table}${c.key ? ` ${JSON.stringify(c.key)}` : ''}: ${describeRestore(c)}; the next sync pushes it`);
      return 0;
    }, flags);
  });
  return cmd.exitOverride().configureOutput({ outputError: () => undefined });
}

function dismissCommand(run: Run): Command {
  const cmd = new Command('dismiss')
    .description('mark conflicts as dealt with: no longer listed, purged after conflicts.retentionDays (default 90)')
    .argument('[id...]', 'conflict ids', collectId)
    .option('--all', 'every open conflict (of the --table tables)')
    .option('--table <name>', 'with --all: only this table (repeatable)', collect);
  addGlobalOptions(cmd).action(async (ids: number[] | undefined, _opts: DismissFlags, command: Command) => {
    const flags = command.optsWithGlobals<DismissFlags>();
    await run(async () => {
      const given = ids ?? [];
      if (flags.all && given.length) throw new UsageError('give conflict ids or --all, not both');
      if (!flags.all && !given.length) throw new UsageError('no conflict id given', 'duckdb-sync conflicts dismiss <id>... (or --all)');
      if (flags.table?.length && !flags.all) throw new UsageError('--table goes with --all', 'duckdb-sync conflicts dismiss --all --table <name>');
      const options = commonOptions(flags, createCliLogger(flags));
      const dismissed = await dismissConflicts(flags.all ? { ...options, all: true, tables: flags.table } : { ...options, ids: given });
      if (flags.json) printJson({ ok: true, dismissed });
      else println(`dismissed ${dismissed.length} conflict(s)`);
      return 0;
    }, flags);
  });
  return cmd.exitOverride().configureOutput({ outputError: () => undefined });
}

function printConflicts(conflicts: ConflictView[], allColumns: boolean): void {
  if (!conflicts.length) {
    println('no conflicts kept');
    return;
  }
  for (const c of conflicts) {
    const lost = c.winner === 'remote' ? 'local' : 'remote';
    const key = c.key ? JSON.stringify(c.key) : `${c.copies} cop${c.copies === 1 ? 'y' : 'ies'} (no key)`;
    println(`#${c.id}  ${c.table}  ${key}  ${formatTime(new Date(c.detectedAt))}  ${c.policy}: the ${c.winner} version won${c.status === 'open' ? '' : `  (${c.status})`}`);
    const columns = allColumns ? [...new Set([...Object.keys(c.local ?? {}), ...Object.keys(c.remote ?? {})])] : c.differingColumns;
    const show = (v: ConflictView['local'], column: string): string => (v === null ? '(deleted)' : JSON.stringify(v[column] ?? null));
    const rows = columns.map((col) => [col, show(c.local, col), show(c.remote, col)]);
    const text = formatTable(['column', `local${lost === 'local' ? ' (lost)' : ''}`, `remote${lost === 'remote' ? ' (lost)' : ''}`], rows);
    println(text.split('\n').map((l) => `    ${l}`).join('\n'));
    println();
  }
  println(`${conflicts.length} conflict(s). Restore a lost version: duckdb-sync conflicts restore <id>; dismiss: duckdb-sync conflicts dismiss <id>`);
}

function describeRestore(c: ConflictView): string {
  const lost = c.winner === 'remote' ? c.local : c.remote;
  if (c.key === null) return lost === null ? `${c.copies} returned cop(ies) deleted again` : `${c.copies} lost cop(ies) added back`;
  return lost === null ? 'deleted again (the losing side had deleted it)' : 'the lost version written back';
}

function collectId(value: string, previous: number[] | undefined): number[] {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`a conflict id is a positive integer, not "${value}"`);
  return [...(previous ?? []), Number(value)];
}

/** `--since`: an ISO time, or a duration ago (`30m`, `12h`, `7d`, `2w`). */
function parseSince(value: string): Date {
  const ago = /^(\d+)\s*([mhdw])$/.exec(value.trim());
  if (ago) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[ago[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(Date.now() - Number(ago[1]) * unit);
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidArgumentError('expected an ISO time (2026-12-01, 2026-12-01T08:00Z) or a duration ago (30m, 12h, 7d)');
  return new Date(time);
}
