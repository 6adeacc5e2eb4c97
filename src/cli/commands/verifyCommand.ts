import { Command } from 'commander';
import { verify, type VerifyResult } from '../../run/verify.js';
import { addGlobalOptions, collect, commonOptions, createCliLogger, type GlobalFlags } from '../globalOptions.js';
import { formatTable, printJson, println } from '../output.js';

interface VerifyFlags extends GlobalFlags {
  table?: string[];
  exclude?: string[];
}

export function verifyCommand(run: (action: () => Promise<number>, flags: GlobalFlags) => Promise<void>): Command {
  const cmd = new Command('verify')
    .description('compare content on both sides (row counts and content fingerprints); exit 0 only when identical')
    .option('--table <name>', 'only this table (repeatable)', collect)
    .option('--exclude <name>', 'leave this table out (repeatable)', collect);
  addGlobalOptions(cmd).action(async (_opts: VerifyFlags, command: Command) => {
    const flags = command.optsWithGlobals<VerifyFlags>();
    await run(async () => {
      const result = await verify({ ...commonOptions(flags, createCliLogger(flags)), tables: flags.table, excludeTables: flags.exclude });
      if (flags.json) printJson(result);
      else printVerifyResult(result);
      return result.ok ? 0 : 1;
    }, flags);
  });
  return cmd;
}

export function printVerifyResult(result: VerifyResult): void {
  println(
    formatTable(
      ['table', 'result', 'local rows', 'remote rows', 'differences'],
      result.tables.map((t) => [
        t.name,
        t.status,
        t.localRows,
        t.remoteRows,
        t.error ?? [t.detail, t.sample.length ? `e.g. ${t.sample.join(' ')}` : ''].filter(Boolean).join('; '),
      ]),
    ),
  );
  const bad = result.tables.filter((t) => t.status !== 'identical').length;
  println(bad ? `${bad} of ${result.tables.length} table(s) differ` : `all ${result.tables.length} table(s) identical`);
}
