import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { createRemote, dumpDatabase } from './support.js';

describe('duckdb-sync demo', () => {
  test('runs in an empty folder: exit 0, status and verify output, files and a log', async () => {
    const cwd = tempDir();
    const r = await runCli(['demo'], { cwd, env: cleanEnv() });
    assert.equal(r.code, 0, r.stderr);
    const dir = join(cwd, 'duckdb-sync-demo');
    const cloud = join(dir, 'cloud.duckdb');
    const local = join(dir, 'local.duckdb');
    assert.ok(existsSync(cloud), 'cloud.duckdb created');
    assert.ok(existsSync(local), 'local.duckdb created');

    // The sync, status and verify sections are all printed, with every remote table in each.
    // User tables (the push leaves duckdb-sync's change log in the _duckdb_sync schema of the cloud).
    const tables = await query(cloud, `SELECT CASE WHEN schema_name = 'main' THEN table_name ELSE schema_name || '.' || table_name END AS name FROM duckdb_tables() WHERE schema_name <> '_duckdb_sync' ORDER BY 1`);
    const names = tables.map((t) => String(t.name));
    assert.ok(names.length >= 2, `demo remote has tables: ${names.join(', ')}`);
    const out = r.stdout;
    const statusAt = out.indexOf('duckdb-sync status');
    const verifyAt = out.indexOf('duckdb-sync verify');
    // The local write is pushed: the cloud has it, and verify (after it) finds both sides identical.
    assert.match(out, /duckdb-sync exec .*UPDATE emails[\s\S]*1 row changed\npushed emails \(1 upserted, 0 deleted\)/);
    assert.deepEqual(await query(cloud, 'SELECT subject FROM emails WHERE id = 1'), [{ subject: 'edited locally' }]);
    assert.ok(out.indexOf('duckdb-sync sync') >= 0 && statusAt > 0 && verifyAt > statusAt, out);
    const statusSection = out.slice(statusAt, verifyAt);
    const verifySection = out.slice(verifyAt);
    assert.match(statusSection, /last sync.*mode.*direction.*status.*rows/);
    assert.match(verifySection, new RegExp(`all ${names.length} table\\(s\\) identical`));
    for (const name of names) {
      const [row] = await query(cloud, `SELECT count(*)::INTEGER AS n FROM ${name}`);
      const n = Number(row?.n);
      assert.match(statusSection, new RegExp(`^${name.replace('.', '\\.')}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+full\\s+pull\\s+ok\\s+${n}$`, 'm'));
      assert.match(verifySection, new RegExp(`^${name.replace('.', '\\.')}\\s+identical\\s+${n}\\s+${n}$`, 'm'));
      // The local copy really holds the remote rows.
      const [copied] = await query(local, `SELECT count(*)::INTEGER AS n FROM ${name}`);
      assert.equal(Number(copied?.n), n, `${name} rows in local.duckdb`);
    }

    const logs = readdirSync(join(dir, 'logs'));
    assert.equal(logs.length, 1, `one log file: ${logs.join(', ')}`);
    assert.match(logs[0] ?? '', /^duckdb-sync-\d{4}-\d\d-\d\d\.log$/);
    assert.match(readFileSync(join(dir, 'logs', logs[0] as string), 'utf8'), /INFO .*emails: pulled 5000\b/);
  });
});

describe('help', () => {
  test('--help exits 0 and lists the commands', async () => {
    const r = await runCli(['--help'], { env: cleanEnv() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: duckdb-sync/m);
    for (const command of ['sync', 'status', 'verify', 'demo']) assert.match(r.stdout, new RegExp(`^\\s+${command} \\[options\\]`, 'm'), `${command} listed`);
    assert.equal(r.stderr, '');
  });

  test('sync --help lists its options', async () => {
    const r = await runCli(['sync', '--help'], { env: cleanEnv() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: duckdb-sync sync/m);
    for (const option of ['--table <name>', '--exclude <name>', '--mode <mode>', '--dry-run', '--local <path>', '--remote <uri>', '--config <file>', '--json', '--verbose', '--max-retries <n>', '--retry-delay <ms>']) {
      assert.ok(r.stdout.includes(option), `sync --help lists ${option}`);
    }
  });
});

describe('global options before or after the command name', () => {
  // Created in the suite body (not in the hook) so that it is removed when the suite ends.
  const fixture = tempDir();
  let remoteDump: string;
  before(async () => {
    await createRemote(join(fixture, 'remote.duckdb'));
    remoteDump = await dumpDatabase(join(fixture, 'remote.duckdb'));
  });

  const orders: Array<[string, (l: string, r: string) => string[]]> = [
    ['before', (l, r) => ['--local', l, '--remote', r, 'sync']],
    ['after', (l, r) => ['sync', '--local', l, '--remote', r]],
    ['mixed', (l, r) => ['--local', l, 'sync', '--remote', r, '--json']],
    ['--json before', (l, r) => ['--json', '--remote', r, 'sync', '--local', l]],
  ];
  for (const [label, args] of orders) {
    test(`options ${label} the command`, async () => {
      const cwd = tempDir();
      copyFileSync(join(fixture, 'remote.duckdb'), join(cwd, 'remote.duckdb'));
      const r = await runCli(args('local.duckdb', remoteUri('remote.duckdb')), { cwd, env: cleanEnv() });
      assert.equal(r.code, 0, r.stderr);
      if (args('l', 'r').includes('--json')) assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, true);
      else assert.match(r.stdout, /synced 3 table\(s\)/);
      // The local file is where --local said, and holds what the remote holds.
      const [row] = await query(join(cwd, 'local.duckdb'), 'SELECT count(*)::INTEGER AS n FROM emails');
      assert.equal(Number(row?.n), 1000);
      assert.equal(await dumpDatabase(join(cwd, 'remote.duckdb')), remoteDump, 'the remote is unchanged by a pull');
    });
  }
});
