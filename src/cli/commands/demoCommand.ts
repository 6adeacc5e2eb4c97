import { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { status } from '../../run/status.js';
import { sync } from '../../run/sync.js';
import { verify } from '../../run/verify.js';
import { createDemoRemote } from '../../demo/createDemoRemote.js';
import { openSyncedDatabase } from '../../tracking/syncedDatabase.js';
import { addGlobalOptions, createCliLogger, type GlobalFlags } from '../globalOptions.js';
import { formatTable, formatTime, printJson, println } from '../output.js';
import { ProgressBar } from '../progressBar.js';
import { syncJson } from './syncCommand.js';
import { printVerifyResult } from './verifyCommand.js';

interface DemoFlags extends GlobalFlags {
  dir: string;
}

export function demoCommand(run: (action: () => Promise<number>, flags: GlobalFlags) => Promise<void>): Command {
  const cmd = new Command('demo')
    .description(
      'create a stand-in cloud database with sample data and sync it the way MotherDuck is synced (the emulator, mdemu:): ' +
        'full-sync it into a local file, show status, write a row locally and push it, then verify (no account needed)',
    )
    .option('--dir <folder>', 'where the demo files go', 'duckdb-sync-demo');
  addGlobalOptions(cmd).action(async (_opts: DemoFlags, command: Command) => {
    const flags = command.optsWithGlobals<DemoFlags>();
    await run(async () => {
      const dir = resolve(flags.dir);
      mkdirSync(dir, { recursive: true });
      const cloudFile = resolve(dir, 'cloud.duckdb');
      // The MotherDuck code path on a local file: the same statements a MotherDuck user's sync sends.
      const remote = `mdemu:${cloudFile}`;
      const local = resolve(dir, 'local.duckdb');
      const logger = createCliLogger({ ...flags, logDir: flags.logDir ?? resolve(dir, 'logs') });
      logger.info(`creating the stand-in cloud database ${cloudFile}, synced through the MotherDuck emulator (${remote})`);
      await createDemoRemote(cloudFile);
      const options = { local, remote, logger, logDir: resolve(dir, 'logs') };
      const progress = ProgressBar.forOutput(flags.json);
      const synced = await sync({ ...options, onProgress: (p) => progress.update(p) });
      progress.stop();
      const state = await status(options);
      // A local write through the library (as `duckdb-sync exec` does): marked, then pushed.
      const edit = "UPDATE emails SET subject = 'edited locally' WHERE id = 1";
      const db = await openSyncedDatabase({ ...options, autoSync: false, initialSync: false });
      const { changed, pushed } = await (async () => {
        try {
          return { changed: await db.run(edit), pushed: await db.flush() };
        } finally {
          await db.close({ flush: false });
        }
      })();
      const verified = await verify(options);
      if (flags.json) {
        printJson({ ok: synced.ok && pushed.ok && verified.ok, local, remote, sync: syncJson(synced), push: syncJson(pushed), verify: verified });
      } else {
        println(`\n$ duckdb-sync sync --local ${local} --remote ${remote}`);
        println(formatTable(['table', 'status', 'rows pulled'], synced.tables.map((t) => [t.name, t.status, t.rowsPulled])));
        const created = synced.objects.filter((o) => o.action === 'create' && o.status === 'ok');
        if (created.length) println(`and ${created.map((o) => `${o.kind} ${o.name}`).join(', ')}`);
        println(`\n$ duckdb-sync status --local ${local}`);
        println(
          formatTable(
            ['table', 'last sync', 'mode', 'direction', 'status', 'rows'],
            state.tables.map((t) => [t.tableName, formatTime(t.lastSyncTime), t.lastSyncMode ?? '-', t.lastDirection ?? '-', t.status ?? '-', t.rowCount ?? '-']),
          ),
        );
        println(`\n$ duckdb-sync exec --local ${local} --remote ${remote} "${edit}"`);
        println(`${changed} row${changed === 1 ? '' : 's'} changed`);
        println(`pushed ${pushed.tables.map((t) => `${t.name} (${t.rowsPushed} upserted, ${t.rowsDeleted} deleted)`).join(', ')}`);
        println(`\n$ duckdb-sync verify --local ${local} --remote ${remote}`);
        printVerifyResult(verified);
        println(`\nTry it yourself: change a row in ${cloudFile} with the DuckDB CLI, then run verify and sync again.`);
      }
      return synced.ok && pushed.ok && verified.ok ? 0 : 1;
    }, flags);
  });
  return cmd;
}
