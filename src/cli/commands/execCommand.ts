import { Command, Option } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { CONFLICT_POLICIES, type ConflictPolicy } from '../../config/schema.js';
import { PushError, SyncError, toSyncError, UsageError } from '../../errors.js';
import { openSyncedDatabase } from '../../tracking/syncedDatabase.js';
import { StatementError } from '../../tracking/statementError.js';
import { loadSqlParser } from '../../sql/sqlParser.js';
import type { StatementResult } from '../../tracking/statementResult.js';
import { DocumentedError } from '../documentedError.js';
import { addGlobalOptions, commonOptions, createCliLogger, type GlobalFlags } from '../globalOptions.js';
import { formatTable, printJson, println } from '../output.js';
import { syncJson } from './syncCommand.js';
import type { SyncResult } from '../../engine/api.js';

interface ExecFlags extends GlobalFlags {
  file?: string;
  push?: boolean;
  onConflict?: ConflictPolicy;
}

export function execCommand(run: (action: () => Promise<number>, flags: GlobalFlags) => Promise<void>): Command {
  const cmd = new Command('exec')
    .description('run SQL on the local database (statements separated by ;), print query results, then push the tables written')
    .argument('[sql]', 'the SQL to run (or --file)')
    .option('--file <path>', 'read the SQL from this file')
    .option('--no-push', 'do not push; the tables written stay marked and are pushed by the next sync or push')
    .addOption(new Option('--on-conflict <policy>', 'rows the remote changed too: remote-wins, local-wins, newest-wins or fail (default: remote-wins, or the config)').choices(CONFLICT_POLICIES));
  addGlobalOptions(cmd).action(async (sqlArg: string | undefined, _opts: ExecFlags, command: Command) => {
    const flags = command.optsWithGlobals<ExecFlags>();
    await run(async () => {
      const sql = await readSql(sqlArg, flags.file);
      const logger = createCliLogger(flags);
      const db = await openSyncedDatabase({ ...commonOptions(flags, logger), onConflict: flags.onConflict, autoSync: false, initialSync: false });
      let statements: StatementResult[] = [];
      let failure: unknown;
      let push: SyncResult | undefined;
      try {
        try {
          statements = await db.execute(sql);
        } catch (error) {
          // Statements before the failing one are done (and marked): they are still pushed.
          failure = error;
          if (error instanceof StatementError) statements = error.completed;
        }
        if (flags.push !== false) push = await db.flush();
      } catch (error) {
        if (failure) logger.error(`push failed too: ${error instanceof Error ? error.message : String(error)}`);
        else failure = pushFailure(error);
      } finally {
        await db.close({ flush: false });
      }
      const document = { statements: statements.map(statementJson), push: push ? syncJson(push) : null };
      // The results of the statements that ran are printed even when the push failed.
      if (!flags.json) printExecResult(statements, push);
      if (failure) throw new DocumentedError(failure, document);
      if (flags.json) printJson({ ok: true, ...document });
      return 0;
    }, flags);
  });
  return cmd;
}

/** The SQL to run; text without any statement (empty, only comments or semicolons) is refused before the local file is opened. */
async function readSql(sqlArg: string | undefined, file: string | undefined): Promise<string> {
  if (sqlArg !== undefined && file !== undefined) throw new UsageError('give the SQL either as an argument or with --file, not both', 'duckdb-sync exec "<sql>" or duckdb-sync exec --file <path>');
  if (file !== undefined) {
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`SQL file not found: ${file}`, 'check the path given to --file');
    const text = readFileSync(file, 'utf8');
    if (!(await hasStatement(text))) throw new UsageError(`no SQL statement in ${file}`, 'the file is empty or holds only comments and semicolons');
    return text;
  }
  if (sqlArg === undefined || !(await hasStatement(sqlArg))) throw new UsageError('no SQL given', 'duckdb-sync exec "<sql>" or duckdb-sync exec --file <path>');
  return sqlArg;
}

/** Whether DuckDB's SQL dialect finds any statement in the text (the parser is the library's). */
async function hasStatement(sql: string): Promise<boolean> {
  return (await loadSqlParser()).parse(sql)?.length !== 0;
}

/** A failed push, said so (code, exit 1 and transience kept): the local changes stay marked and a later sync pushes them. */
function pushFailure(error: unknown): SyncError {
  const e = toSyncError(error);
  if (e instanceof PushError) return e;
  return new SyncError(e.code, `push failed: ${e.message}`, 1, {
    hint: `the local changes are kept and stay marked; \`duckdb-sync sync\` pushes them later${e.hint ? ` (${e.hint})` : ''}`,
    transient: e.transient,
    cause: e,
  });
}

function statementJson(s: StatementResult): object {
  return s.kind === 'read' ? { kind: s.kind, columns: s.columns, rows: s.rows } : { kind: s.kind, rowsChanged: s.rowsChanged, marked: s.marked };
}

function printExecResult(statements: StatementResult[], push: SyncResult | undefined): void {
  for (const s of statements) {
    if (s.kind === 'read' && s.columns.length) {
      println(formatTable(s.columns, s.rows.map((r) => s.columns.map((c) => cellText(r[c])))));
      println(`(${s.rows.length} row${s.rows.length === 1 ? '' : 's'})`);
    } else if (s.kind === 'write') {
      println(`${s.rowsChanged} row${s.rowsChanged === 1 ? '' : 's'} changed`);
    }
  }
  if (push?.tables.length) println(`pushed ${push.tables.map((t) => `${t.name} (${t.rowsPushed} upserted, ${t.rowsDeleted} deleted)`).join(', ')}`);
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}
