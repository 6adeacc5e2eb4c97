import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cleanEnv, runCli, type CliResult } from '../helpers/cli.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { assertCleanError, assertJsonError, createRemote, filesBelow, holdFile, snapshot, type LockHolder } from './support.js';

/**
 * Bad input, one row each: the exit code, a one-line message with a hint and no stack trace, the
 * same error as one JSON document with --json, and no data changed on either side.
 */
interface BadInput {
  name: string;
  /** Arguments; the case's folder (cwd) holds remote.duckdb, and local.duckdb when `local` is 'existing'. */
  args: string[];
  exit: 1 | 2;
  code: string;
  message: RegExp | ((ctx: CaseContext) => RegExp);
  hint?: RegExp;
  /** Whether local.duckdb exists (a synced copy) before the run. */
  local: 'existing' | 'absent';
  env?: NodeJS.ProcessEnv;
  /** Files written into the case folder first. */
  files?: Record<string, string>;
  /** Another process holds this file read-write during the run. */
  lock?: 'remote.duckdb' | 'local.duckdb';
  /** The remote is read or checked: the case runs for every remote kind (the others only with the file remote). */
  everyKind?: true;
  /** A secret that must never be printed or logged. */
  secret?: string;
  /** Paths (relative to the case folder) that must not exist afterwards. */
  absentAfter?: string[];
}

interface CaseContext {
  cwd: string;
  holder: LockHolder | undefined;
}

const TOKEN = `md_e2e_${randomBytes(12).toString('hex')}`;
const SYNC = ['sync', '--local', 'local.duckdb', '--remote', remoteUri('remote.duckdb')];
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const CASES: BadInput[] = [
  { name: 'bad --mode value', args: [...SYNC, '--mode', 'bogus'], exit: 2, code: 'E_USAGE', message: /--mode.*'bogus' is invalid/, local: 'existing' },
  {
    name: 'bad --memory-limit value',
    args: [...SYNC, '--memory-limit', 'lots'],
    exit: 2,
    code: 'E_CONFIG',
    message: /invalid memory limit: lots$/,
    hint: /"auto".*a fixed size such as 2GB/,
    local: 'existing',
  },
  {
    name: 'bad --direction value',
    args: [...SYNC, '--direction', 'sideways'],
    exit: 2,
    code: 'E_USAGE',
    message: /--direction.*'sideways' is invalid/,
    local: 'absent',
  },
  { name: 'unknown option', args: [...SYNC, '--frobnicate'], exit: 2, code: 'E_USAGE', message: /unknown option '--frobnicate'/, local: 'existing' },
  {
    name: 'unknown --table',
    everyKind: true,
    args: [...SYNC, '--table', 'nope'],
    exit: 2,
    code: 'E_UNKNOWN_TABLE',
    message: /unknown table: nope$/,
    hint: /emails/,
    local: 'existing',
  },
  {
    name: 'unknown --table, local absent',
    everyKind: true,
    args: [...SYNC, '--table', 'emails', '--table', 'nope'],
    exit: 2,
    code: 'E_UNKNOWN_TABLE',
    message: /unknown table: nope$/,
    local: 'absent',
  },
  {
    name: 'missing remote file',
    everyKind: true,
    args: ['sync', '--local', 'local.duckdb', '--remote', remoteUri('nothere.duckdb')],
    exit: 2,
    code: 'E_NOT_FOUND',
    message: (c) => new RegExp(`remote database file does not exist: ${escape(join(c.cwd, 'nothere.duckdb'))}$`),
    local: 'existing',
    absentAfter: ['nothere.duckdb'],
  },
  {
    name: 'missing remote folder',
    everyKind: true,
    args: ['sync', '--local', 'local.duckdb', '--remote', remoteUri('nodir/remote.duckdb')],
    exit: 2,
    code: 'E_NOT_FOUND',
    message: (c) => new RegExp(`remote folder does not exist: ${escape(join(c.cwd, 'nodir'))}$`),
    local: 'absent',
    absentAfter: ['nodir'],
  },
  {
    name: 'missing local folder',
    args: ['sync', '--local', 'nodir/local.duckdb', '--remote', remoteUri('remote.duckdb')],
    exit: 2,
    code: 'E_NOT_FOUND',
    message: (c) => new RegExp(`local folder does not exist: ${escape(join(c.cwd, 'nodir'))}$`),
    local: 'absent',
    absentAfter: ['nodir'],
  },
  {
    name: 'md: without a token',
    args: ['sync', '--local', 'local.duckdb', '--remote', 'md:analytics'],
    exit: 2,
    code: 'E_NO_TOKEN',
    message: /MotherDuck/,
    hint: /MOTHERDUCK_TOKEN/,
    local: 'absent',
  },
  {
    name: 'md: with a token (extension cannot be loaded here)',
    args: ['sync', '--local', 'local.duckdb', '--remote', 'md:analytics'],
    env: { MOTHERDUCK_TOKEN: TOKEN },
    exit: 1,
    code: 'E_EXTENSION',
    message: /extension "motherduck" could not be loaded/,
    local: 'absent',
    secret: TOKEN,
  },
  {
    name: 'md: with a token from the config file',
    args: ['verify', '--local', 'local.duckdb', '--remote', 'md:analytics'],
    files: { 'duckdb-sync.config.json': JSON.stringify({ motherduckToken: TOKEN }) },
    exit: 1,
    code: 'E_EXTENSION',
    message: /extension "motherduck" could not be loaded/,
    local: 'existing',
    secret: TOKEN,
  },
  {
    name: 'invalid config file (--config)',
    args: [...SYNC, '--config', 'bad.json'],
    files: { 'bad.json': JSON.stringify({ tables: { emails: { key: 'id' } } }) },
    exit: 2,
    code: 'E_CONFIG',
    message: /invalid config file .*bad\.json: tables\.emails\.key\b/,
    local: 'existing',
  },
  {
    name: 'invalid config file (found in the working directory)',
    args: SYNC,
    files: { 'duckdb-sync.config.yaml': 'mode: sometimes\n' },
    exit: 2,
    code: 'E_CONFIG',
    message: /invalid config file .*duckdb-sync\.config\.yaml: mode\b/,
    local: 'absent',
  },
  {
    name: 'unparsable config file',
    args: [...SYNC, '--config', 'broken.json'],
    files: { 'broken.json': '{ "tables": ' },
    exit: 2,
    code: 'E_CONFIG',
    message: /cannot parse config file .*broken\.json/,
    local: 'existing',
  },
  {
    name: '--max-transaction-rows below 1000',
    args: [...SYNC, '--max-transaction-rows', '10'],
    exit: 2,
    code: 'E_USAGE',
    message: /--max-transaction-rows.*'10' is invalid.*from 1000/,
    local: 'existing',
  },
  {
    name: 'maxTransactionRows in the config file not a whole number',
    args: SYNC,
    files: { 'duckdb-sync.config.json': JSON.stringify({ maxTransactionRows: 2.5 }) },
    exit: 2,
    code: 'E_CONFIG',
    message: /invalid config file .*duckdb-sync\.config\.json: maxTransactionRows\b/,
    local: 'existing',
  },
  {
    name: '--max-retries abc',
    args: [...SYNC, '--max-retries', 'abc'],
    exit: 2,
    code: 'E_USAGE',
    message: /--max-retries.*'abc' is invalid/,
    local: 'existing',
  },
  { name: 'no remote given', args: ['sync', '--local', 'local.duckdb'], exit: 2, code: 'E_CONFIG', message: /no remote database given/, local: 'absent' },
  {
    name: 'status of a local file that does not exist',
    args: ['status', '--local', 'local.duckdb'],
    exit: 2,
    code: 'E_NOT_FOUND',
    message: /local database file does not exist/,
    local: 'absent',
  },
  {
    name: 'remote locked by another process',
    everyKind: true,
    args: [...SYNC, '--max-retries', '1', '--retry-delay', '10'],
    lock: 'remote.duckdb',
    exit: 1,
    code: 'E_LOCKED',
    message: (c) => new RegExp(`locked .*${escape(join(c.cwd, 'remote.duckdb'))}.*\\(PID ${String(c.holder?.pid)}\\b`),
    local: 'absent',
  },
  {
    name: 'local locked by another process',
    everyKind: true,
    args: [...SYNC, '--max-retries', '1', '--retry-delay', '10'],
    lock: 'local.duckdb',
    exit: 1,
    code: 'E_LOCKED',
    message: (c) => new RegExp(`locked .*${escape(join(c.cwd, 'local.duckdb'))}.*\\(PID ${String(c.holder?.pid)}\\b`),
    local: 'existing',
  },
];

describe('bad input: exit code, one-line message, no data changed', { concurrency: 2 }, () => {
  const fixture = tempDir();
  before(async () => {
    await createRemote(join(fixture, 'remote.duckdb'));
    const r = await runCli(SYNC, { cwd: fixture, env: cleanEnv() });
    assert.equal(r.code, 0, r.stderr);
  });

  for (const c of CASES) {
    test(c.name, { skip: !c.everyKind && testRemoteKind() !== 'file' && 'argument handling: the remote kind does not matter' }, async () => {
      const cwd = tempDir();
      const remote = join(cwd, 'remote.duckdb');
      const local = join(cwd, 'local.duckdb');
      copyFileSync(join(fixture, 'remote.duckdb'), remote);
      if (c.local === 'existing') copyFileSync(join(fixture, 'local.duckdb'), local);
      for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(cwd, name), text);
      const remoteBefore = await snapshot(remote);
      const localBefore = await snapshot(local);
      assert.ok(remoteBefore);
      assert.equal(localBefore === null, c.local === 'absent');

      const holder = c.lock ? holdFile(join(cwd, c.lock)) : undefined;
      const runs: Array<[string, CliResult]> = [];
      try {
        await holder?.ready;
        const env = cleanEnv(c.env);
        const message = typeof c.message === 'function' ? c.message({ cwd, holder }) : c.message;

        const plain = await runCli(c.args, { cwd, env });
        runs.push(['plain', plain]);
        assert.equal(plain.code, c.exit, `exit code\n${plain.stderr}`);
        const { hint } = assertCleanError(plain.stderr, message);
        if (c.hint) assert.match(hint, c.hint);
        assert.equal(plain.stdout, '', 'nothing on stdout');

        const json = await runCli([...c.args, '--json'], { cwd, env });
        runs.push(['json', json]);
        assert.equal(json.code, c.exit, `exit code with --json\n${json.stderr}`);
        assertJsonError(json.stdout, c.code, message);
        assertCleanError(json.stderr, message);

        if (c.secret) {
          // The stack trace of --verbose must not leak the secret either.
          const verbose = await runCli([...c.args, '--verbose'], { cwd, env });
          runs.push(['verbose', verbose]);
          assert.equal(verbose.code, c.exit);
        }
      } finally {
        await holder?.release();
      }

      if (c.secret) {
        for (const [label, r] of runs) {
          assert.ok(!r.stdout.includes(c.secret) && !r.stderr.includes(c.secret), `${label} run printed the token`);
        }
        // Log files (if any were written) and the database files never hold it; only the config file
        // that the user put it in does.
        const secret = Buffer.from(c.secret);
        const files = filesBelow(cwd).filter((f) => !Object.keys(c.files ?? {}).some((name) => f === join(cwd, name)));
        for (const f of files) assert.ok(!readFileSync(f).includes(secret), `${f} holds the token`);
      }

      // No data changed: the remote byte for byte, the local unchanged or still absent.
      const remoteAfter = await snapshot(remote);
      assert.deepEqual(remoteAfter, remoteBefore, 'remote unchanged');
      if (c.local === 'absent') {
        assert.ok(!existsSync(local), 'local file not created');
        assert.ok(!existsSync(`${local}.wal`), 'no local WAL left');
      } else {
        const localAfter = await snapshot(local);
        assert.equal(localAfter?.dump, localBefore?.dump, 'local content unchanged');
        assert.equal(localAfter?.sha256, localBefore?.sha256, 'local bytes unchanged');
      }
      for (const p of c.absentAfter ?? []) assert.ok(!existsSync(join(cwd, p)), `${p} not created`);
    });
  }

  test('--verbose adds a stack trace after the message and hint', async () => {
    const cwd = tempDir();
    const r = await runCli(['sync', '--local', 'local.duckdb', '--remote', remoteUri('nothere.duckdb'), '--verbose'], { cwd, env: cleanEnv() });
    assert.equal(r.code, 2);
    const lines = r.stderr.split('\n');
    assert.match(lines[0] ?? '', /^duckdb-sync: remote database file does not exist/);
    assert.match(lines[1] ?? '', /^hint: /);
    assert.ok(lines.some((l) => l.startsWith('    at ')), r.stderr);
    assert.ok(!existsSync(join(cwd, 'local.duckdb')));
  });
});
