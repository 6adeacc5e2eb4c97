/**
 * `duckdb-sync schedule` against the real `crontab` program. The tests share the current user's
 * crontab, so they run one after the other in this file; the crontab as it was before is saved
 * first and put back afterwards, whatever happens in between.
 *
 * Remote kinds: the remotes given to `schedule` (flags and config files) are `remoteUri(...)`: a file
 * path, or `mdemu:<path>` for the MotherDuck emulator, which the entry carries as an absolute
 * `mdemu:` URI. The token test keeps its `md:` remote whatever the kind: it is about MotherDuck's
 * token, which neither a file remote nor the emulator needs.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { CLI, cleanEnv, runCli, type CliResult } from '../helpers/cli.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';

/**
 * Tests that only write, list or remove crontab entries run once, with the file remote: the remote is
 * only an argument written into the entry. The test that runs the installed entry runs for every kind.
 */
const ENTRY_ONLY = { skip: testRemoteKind() !== 'file' && 'crontab entries only: the remote kind does not matter' };
import { tempDir } from '../helpers/tempDir.js';

const TOKEN = 'md-secret-token-8c1f0e5a9b77d2';
const MARKER_PREFIX = '# duckdb-sync: nightly full sync';
/** Lines of "the developer" that must survive every test byte for byte (odd spacing, %, blank, tabs). */
const OTHERS = `MAILTO=""\n# nightly backup   \n*/5 * * * *\t/usr/local/bin/backup --fast  \n\n@reboot echo 'boot at %H' \\% done\n30 1 * * 1-5 echo weekday\n`;

function readCrontab(): string | undefined {
  const r = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status === 0) return r.stdout;
  if (/no crontab for/i.test(r.stderr)) return undefined;
  throw new Error(`crontab -l failed: ${r.stderr}`);
}

function writeCrontab(text: string | undefined): void {
  const r = text === undefined ? spawnSync('crontab', ['-r'], { encoding: 'utf8' }) : spawnSync('crontab', ['-'], { input: text, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0 && !(text === undefined && /no crontab for/i.test(r.stderr))) throw new Error(`crontab failed: ${r.stderr}`);
}

/** What cron hands to sh for a job line: the fields skipped, `\%` → `%`, an unescaped `%` ends it. */
function cronCommand(line: string): string {
  const rest = line.replace(/^(\S+\s+){5}/, '');
  let out = '';
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '\\' && rest[i + 1] === '%') {
      out += '%';
      i++;
    } else if (rest[i] === '%') break;
    else out += rest[i];
  }
  return out;
}

/** Our job line in the crontab text (the line after the marker); fails unless there is exactly one. */
function ourLine(text: string | undefined): string {
  const lines = (text ?? '').split('\n');
  const markers = lines.flatMap((l, i) => (l.startsWith(MARKER_PREFIX) ? [i] : []));
  assert.equal(markers.length, 1, `exactly one duckdb-sync entry in:\n${text}`);
  return lines[(markers[0] as number) + 1] as string;
}

/** Runs a command under cron's bare environment. */
function runBare(command: string, home: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('env', ['-i', `HOME=${home}`, 'PATH=/usr/bin:/bin', 'sh', '-c', command], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Exit 2 with one message line and one hint line on stderr. */
function assertUsageFailure(r: CliResult, message: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0] as string, /^duckdb-sync: /);
  assert.match(lines[0] as string, message);
  assert.match(lines[1] as string, /^hint: /);
}

async function createRemote(path: string): Promise<void> {
  await exec(
    path,
    `CREATE TABLE emails (id INTEGER PRIMARY KEY, sender VARCHAR, subject VARCHAR)`,
    `INSERT INTO emails SELECT i, 'sender' || (i % 13) || '@example.com', 'Subject ' || i FROM range(1, 1501) t(i)`,
    `CREATE SCHEMA analytics`,
    `CREATE TABLE analytics.daily (day DATE PRIMARY KEY, total BIGINT)`,
    `INSERT INTO analytics.daily SELECT DATE '2024-01-01' + i::INTEGER, i * 10 FROM range(0, 30) t(i)`,
  );
}

/**
 * Another run of this file (a second `npm test` by the same user) would share the crontab: wait for
 * it. The lock file holds the owner's pid, so a lock left by a killed run is taken over.
 */
async function lockCrontabForTests(): Promise<() => void> {
  const path = join(tmpdir(), `duckdb-sync-crontab-tests-${process.getuid?.() ?? 'user'}.lock`);
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(path, 'utf8'));
    let alive = false;
    try {
      alive = Number.isInteger(owner) && owner > 0 && process.kill(owner, 0);
    } catch {
      alive = false;
    }
    if (!alive) rmSync(path, { force: true });
    else if (Date.now() > until) throw new Error(`another test run (pid ${owner}) holds ${path}`);
    else await sleep(200);
  }
}

describe('duckdb-sync schedule (real crontab)', { concurrency: 1 }, () => {
  let saved: string | undefined;
  const root = tempDir('duckdb-sync-schedule-');
  let counter = 0;
  const freshDir = (name = 'case'): string => {
    const dir = join(root, `${name}-${++counter}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  let unlock: (() => void) | undefined;

  before(async () => {
    unlock = await lockCrontabForTests();
    saved = readCrontab();
  });
  after(() => {
    try {
      writeCrontab(saved);
      assert.equal(readCrontab(), saved, "the user's crontab is back as it was");
    } finally {
      unlock?.();
    }
  });

  test('installs one entry with absolute paths; other lines are kept byte for byte', ENTRY_ONLY, async () => {
    writeCrontab(OTHERS);
    const cwd = freshDir();
    const r = await runCli(['schedule', '--local', 'local.duckdb', '--remote', remoteUri('cloud.duckdb'), '--json'], { cwd, env: cleanEnv() });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(doc.ok, true);
    assert.equal(doc.action, 'installed');
    assert.equal(doc.schedule, '0 3 * * *');
    const text = readCrontab() as string;
    assert.ok(text.startsWith(OTHERS), 'other lines untouched');
    const line = ourLine(text);
    assert.equal(text, `${OTHERS}${text.slice(OTHERS.length).split('\n')[0]}\n${line}\n`);
    assert.equal(doc.line, line);
    assert.ok(line.startsWith('0 3 * * * '));
    const command = cronCommand(line);
    assert.equal(doc.command, command);
    assert.ok(command.includes(`cd ${cwd} && exec ${process.execPath} ${CLI} sync --mode full`), command);
    assert.ok(command.includes(`--local ${join(cwd, 'local.duckdb')} --remote ${remoteUri(join(cwd, 'cloud.duckdb'))}`), command);
    assert.ok(command.endsWith(`>> ${join(cwd, 'logs', 'duckdb-sync-cron.log')} 2>&1`), command);
    assert.equal(doc.tokenSource, 'none');
  });

  test('running it again replaces the entry (no second one); the same call twice changes nothing', ENTRY_ONLY, async () => {
    writeCrontab(OTHERS);
    const cwd = freshDir();
    const args = ['schedule', '--local', 'l.duckdb', '--remote', remoteUri('r.duckdb')];
    assert.equal((await runCli(args, { cwd })).code, 0);
    const r = await runCli([...args, '--hour', '5', '--minute', '07'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^replaced the duckdb-sync entry: full sync daily at 05:07 \(cron "7 5 \* \* \*"\)$/m);
    const once = readCrontab() as string;
    assert.ok(ourLine(once).startsWith('7 5 * * * '));
    assert.ok(once.startsWith(OTHERS));
    assert.equal((await runCli([...args, '--hour', '5', '--minute', '7'], { cwd })).code, 0);
    assert.equal(readCrontab(), once, 'idempotent');
  });

  test('--list shows the entry and its next run; --remove takes out only our entry', ENTRY_ONLY, async () => {
    writeCrontab(OTHERS);
    const cwd = freshDir();
    assert.equal((await runCli(['schedule', '--hour', '23', '--minute', '59', '--local', 'l.duckdb', '--remote', remoteUri('r.duckdb')], { cwd })).code, 0);
    const installed = readCrontab() as string;

    const human = await runCli(['schedule', '--list'], { cwd });
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^schedule: 59 23 \* \* \*$/m);
    assert.match(human.stdout, /^next run: \d{4}-\d\d-\d\d 23:59 \(local time\)$/m);
    assert.ok(human.stdout.includes(`command:  ${cronCommand(ourLine(installed))}`));

    const json = await runCli(['schedule', '--list', '--json'], { cwd });
    const doc = JSON.parse(json.stdout) as { ok: boolean; installed: boolean; schedule: string; nextRun: string; line: string };
    assert.equal(doc.installed, true);
    assert.equal(doc.line, ourLine(installed));
    const expected = new Date();
    expected.setSeconds(0, 0);
    if (expected.getHours() === 23 && expected.getMinutes() === 59) expected.setDate(expected.getDate() + 1);
    expected.setHours(23, 59);
    assert.equal(doc.nextRun, expected.toISOString());
    assert.equal(readCrontab(), installed, '--list changes nothing');

    const removed = await runCli(['schedule', '--remove', '--json'], { cwd });
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(JSON.parse(removed.stdout), { ok: true, removed: true });
    assert.equal(readCrontab(), OTHERS, 'everything else exactly as before');

    const again = await runCli(['schedule', '--remove'], { cwd });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /no duckdb-sync entry/);
    assert.equal(readCrontab(), OTHERS);
    const none = await runCli(['schedule', '--list', '--json'], { cwd });
    assert.deepEqual(JSON.parse(none.stdout), { ok: true, installed: false });

    // A crontab that held only our entry is removed altogether.
    writeCrontab(undefined);
    assert.equal((await runCli(['schedule', '--local', 'l.duckdb', '--remote', remoteUri('r.duckdb')], { cwd })).code, 0);
    assert.equal((await runCli(['schedule', '--remove'], { cwd })).code, 0);
    assert.equal(readCrontab(), undefined);
  });

  test('invalid hour or minute: exit 2, a one-line message and a hint, crontab unchanged', ENTRY_ONLY, async () => {
    writeCrontab(OTHERS);
    const cwd = freshDir();
    assert.equal((await runCli(['schedule', '--local', 'l.duckdb', '--remote', remoteUri('r.duckdb')], { cwd })).code, 0);
    const before = readCrontab();
    const cases: Array<[string[], RegExp]> = [
      [['--hour', '24'], /--hour must be an integer from 0 to 23, got "24"/],
      [['--hour', '-1'], /--hour must be an integer from 0 to 23/],
      [['--hour', '3.5'], /--hour must be an integer from 0 to 23, got "3.5"/],
      [['--hour', 'three'], /--hour must be an integer/],
      [['--hour', ''], /--hour must be an integer/],
      [['--minute', '60'], /--minute must be an integer from 0 to 59, got "60"/],
      [['--minute', '1e1'], /--minute must be an integer/],
      [['--remove', '--list'], /--remove and --list cannot be used together/],
      [['--remove', '--hour', '4'], /--remove takes no --hour or --minute/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['schedule', '--local', 'l.duckdb', '--remote', remoteUri('r.duckdb'), ...args], { cwd })));
    cases.forEach(([, message], i) => {
      const r = results[i] as CliResult;
      assertUsageFailure(r, message);
      assert.equal(r.stdout, '');
    });
    assert.equal(readCrontab(), before, 'crontab unchanged');
    const json = await runCli(['schedule', '--hour', '99', '--json'], { cwd });
    assert.equal(json.code, 2);
    const doc = JSON.parse(json.stdout) as { ok: boolean; error: { code: string; message: string; hint: string } };
    assert.equal(doc.ok, false);
    assert.equal(doc.error.code, 'E_USAGE');
    assert.match(doc.error.hint, /--hour 3 --minute 30/);
    // Without a remote the job could never work: refused too.
    assertUsageFailure(await runCli(['schedule', '--local', 'l.duckdb'], { cwd }), /no remote database given/);
    assert.equal(readCrontab(), before);
  });

  test('the MotherDuck token never reaches the crontab: it goes to a 0600 env file the entry sources', ENTRY_ONLY, async () => {
    writeCrontab(OTHERS);
    const cwd = freshDir();
    const confDir = join(cwd, 'conf');
    mkdirSync(confDir);
    const config = join(confDir, 'duckdb-sync.config.json');
    writeFileSync(config, JSON.stringify({ local: '../local.duckdb', remote: 'md:analytics' }));
    const r = await runCli(['schedule', '--config', config, '--json'], { cwd, env: cleanEnv({ MOTHERDUCK_TOKEN: TOKEN }) });
    assert.equal(r.code, 0, r.stderr);
    const text = readCrontab() as string;
    assert.ok(!text.includes(TOKEN), 'token not in the crontab');
    assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), 'token not printed');
    const doc = JSON.parse(r.stdout) as { tokenSource: string; envFile: string };
    assert.equal(doc.tokenSource, 'env-file');
    assert.equal(doc.envFile, join(confDir, 'duckdb-sync.env'));
    assert.equal(statSync(doc.envFile).mode & 0o777, 0o600, 'env file readable by its owner only');
    assert.ok(readFileSync(doc.envFile, 'utf8').includes(TOKEN));
    const command = cronCommand(ourLine(text));
    assert.ok(command.includes(`--config ${config}`));

    // At run time the entry exports the token from the file: swap the CLI for a probe that reports it.
    const probe = join(cwd, 'probe.mjs');
    const report = join(cwd, 'probe.json');
    writeFileSync(probe, `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(report)}, JSON.stringify({ token: process.env.MOTHERDUCK_TOKEN ?? null, cwd: process.cwd(), args: process.argv.slice(2), path: process.env.PATH }));\n`);
    assert.ok(command.includes(` ${CLI} `));
    const ran = await runBare(command.replace(` ${CLI} `, ` ${probe} `), cwd);
    assert.equal(ran.code, 0, ran.stderr);
    const seen = JSON.parse(readFileSync(report, 'utf8')) as { token: string | null; cwd: string; args: string[]; path: string };
    assert.equal(seen.token, TOKEN);
    assert.equal(seen.cwd, cwd);
    assert.equal(seen.path, '/usr/bin:/bin');
    assert.deepEqual(seen.args, ['sync', '--mode', 'full', '--config', config]);

    // Scheduling again later without the token in the environment keeps using the file.
    const again = await runCli(['schedule', '--config', config, '--hour', '4', '--json'], { cwd, env: cleanEnv() });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { tokenSource: string }).tokenSource, 'env-file');
    assert.ok(!(readCrontab() as string).includes(TOKEN));
  });

  test('a crontab with carriage returns is refused rather than altered (crontab -l shows them as \\r)', ENTRY_ONLY, async () => {
    writeCrontab(`${OTHERS}# dos line\r\n`);
    const before = readCrontab();
    const cwd = freshDir();
    const r = await runCli(['schedule', '--local', 'l.duckdb', '--remote', remoteUri('r.duckdb')], { cwd });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^duckdb-sync: the crontab has 1 line\(s\) ending in a carriage return/m);
    assert.match(r.stderr, /^hint: remove the carriage returns first/m);
    assert.equal(readCrontab(), before);
  });

  test('no crontab program: a clear error that suggests duckdb-sync daemon', ENTRY_ONLY, async () => {
    writeCrontab(OTHERS);
    const cwd = freshDir();
    const emptyBin = freshDir('bin');
    const env = cleanEnv({ PATH: emptyBin });
    for (const args of [['--local', 'l.duckdb', '--remote', remoteUri('r.duckdb')], ['--list'], ['--remove']]) {
      const r = await runCli(['schedule', ...args], { cwd, env });
      assertUsageFailure(r, /crontab program was not found/);
      assert.match(r.stderr, /hint: .*duckdb-sync daemon/);
    }
    const json = await runCli(['schedule', '--list', '--json'], { cwd, env });
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'E_NO_CRONTAB');
    assert.equal(readCrontab(), OTHERS);
  });

  test('the installed command performs a full sync under cron\'s bare environment (env -i, PATH=/usr/bin:/bin)', async () => {
    writeCrontab(OTHERS);
    const home = freshDir('home');
    // Quotes, %, $, spaces and backticks in the folder: the entry must quote for sh and escape % for cron.
    const cwd = join(root, `it's 100% a $dir \`x\` ${++counter}`);
    mkdirSync(join(cwd, 'data'), { recursive: true });
    await createRemote(join(cwd, 'data', 'cloud.duckdb'));
    const config = join(cwd, 'data', 'duckdb-sync.config.yaml');
    writeFileSync(config, `local: local.duckdb\nremote: ${JSON.stringify(remoteUri('cloud.duckdb'))}\nschedule:\n  hour: 2\n  minute: 15\n`);

    const r = await runCli(['schedule', '--config', config], { cwd, env: cleanEnv() });
    assert.equal(r.code, 0, r.stderr);
    const line = ourLine(readCrontab());
    assert.ok(line.startsWith('15 2 * * * '), 'time from the config file');
    const ran = await runBare(cronCommand(line), home);
    assert.equal(ran.code, 0, `${ran.stdout}\n${ran.stderr}`);
    assert.equal(ran.stdout + ran.stderr, '', 'all output goes to the log file');

    const local = join(cwd, 'data', 'local.duckdb');
    assert.ok(existsSync(local));
    assert.deepEqual(await query(local, 'SELECT count(*)::INTEGER AS n, sum(id)::INTEGER AS s FROM emails'), [{ n: 1500, s: (1500 * 1501) / 2 }]);
    assert.deepEqual(await query(local, 'SELECT count(*)::INTEGER AS n FROM analytics.daily'), [{ n: 30 }]);
    const log = readFileSync(join(cwd, 'logs', 'duckdb-sync-cron.log'), 'utf8');
    assert.match(log, /synced 2 table\(s\)/);

    // The same with --local/--remote on the command line instead of a config file.
    const cwd2 = freshDir('flags');
    await createRemote(join(cwd2, 'remote.duckdb'));
    assert.equal((await runCli(['schedule', '--local', 'copy.duckdb', '--remote', remoteUri('remote.duckdb'), '--log-dir', 'sync-logs'], { cwd: cwd2 })).code, 0);
    const ran2 = await runBare(cronCommand(ourLine(readCrontab())), home);
    assert.equal(ran2.code, 0, ran2.stderr);
    assert.deepEqual(await query(join(cwd2, 'copy.duckdb'), 'SELECT count(*)::INTEGER AS n FROM emails'), [{ n: 1500 }]);
    assert.ok(existsSync(join(cwd2, 'sync-logs', 'duckdb-sync-cron.log')));
    assert.ok((readCrontab() as string).startsWith(OTHERS));
  });
});
