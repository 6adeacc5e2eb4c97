import assert from 'node:assert/strict';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { assertCleanError, assertJsonError, createRemote, holdFile, parseOneJson, snapshot } from './support.js';

/**
 * `duckdb-sync exec`: SQL on the local database through the library, query results printed, the
 * tables written pushed to the remote before the command exits (or kept marked when it cannot).
 */

const env = cleanEnv();
const DB = ['--local', 'local.duckdb', '--remote', remoteUri('remote.duckdb')];

/** A folder holding a copy of the synced fixture (remote.duckdb and local.duckdb). */
function syncedCopy(fixture: string): string {
  const cwd = tempDir();
  for (const f of ['remote.duckdb', 'local.duckdb']) copyFileSync(join(fixture, f), join(cwd, f));
  return cwd;
}

/** The tables marked dirty in the local database (one entry per mark). */
async function dirtyMarks(cwd: string): Promise<string[]> {
  const rows = await query(join(cwd, 'local.duckdb'), 'SELECT table_name FROM _duckdb_sync.dirty ORDER BY ALL');
  return rows.map((r) => String(r.table_name));
}

async function subjects(path: string, ids: number[]): Promise<Array<Record<string, unknown>>> {
  return query(path, `SELECT id, subject FROM emails WHERE id IN (${ids.join(', ')}) ORDER BY id`);
}

/**
 * stderr of a failed exec: log lines may come first (the push ran), then exactly one
 * `duckdb-sync: <message>` line, then (when `hint`) a `hint:` line; no stack trace.
 */
function assertErrorLine(stderr: string, message: RegExp, hint?: RegExp): void {
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  const at = lines.findIndex((l) => l.startsWith('duckdb-sync: '));
  assert.ok(at >= 0, `a "duckdb-sync:" line in stderr:\n${stderr}`);
  assert.equal(lines.filter((l) => l.startsWith('duckdb-sync: ')).length, 1, `one error line:\n${stderr}`);
  assert.match(lines[at] as string, message, stderr);
  if (hint) assert.match(lines[at + 1] ?? '', new RegExp(`^hint: .*${hint.source}`), stderr);
  assert.ok(!lines.some((l) => /^\s+at /.test(l)), `no stack trace without --verbose:\n${stderr}`);
}

describe('exec: run SQL locally, push the tables written', () => {
  const fixture = tempDir();

  before(async () => {
    await createRemote(join(fixture, 'remote.duckdb'));
    const r = await runCli(['sync', ...DB], { cwd: fixture, env });
    assert.equal(r.code, 0, r.stderr);
  });

  test('INSERT; UPDATE; SELECT prints the rows and the push, and the remote holds the changes', async () => {
    const cwd = syncedCopy(fixture);
    const r = await runCli(
      [
        'exec',
        ...DB,
        `INSERT INTO emails (id, sender, subject) VALUES (1001, 'me@example.com', 'new row');
         UPDATE emails SET subject = 'edited' WHERE id = 7;
         SELECT id, subject FROM emails WHERE id IN (7, 1001) ORDER BY id`,
      ],
      { cwd, env },
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 2), ['1 row changed', '1 row changed'], r.stdout);
    assert.match(lines[2] ?? '', /^id\s+subject$/);
    assert.match(r.stdout, /^7\s+edited$/m);
    assert.match(r.stdout, /^1001\s+new row$/m);
    assert.match(r.stdout, /^\(2 rows\)$/m);
    assert.equal(lines.at(-1), 'pushed emails (2 upserted, 0 deleted)');

    // After the CLI exited: the remote has both changes, no mark is left, and verify agrees.
    assert.deepEqual(await subjects(join(cwd, 'remote.duckdb'), [7, 1001]), [
      { id: 7, subject: 'edited' },
      { id: 1001, subject: 'new row' },
    ]);
    assert.deepEqual(await dirtyMarks(cwd), []);
    const v = await runCli(['verify', ...DB], { cwd, env });
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  test('--json prints one document: the statements, the push, ok', async () => {
    const cwd = syncedCopy(fixture);
    const r = await runCli(
      [
        'exec',
        '--json',
        ...DB,
        `INSERT INTO emails (id, sender) VALUES (1002, 'me@example.com'); DELETE FROM emails WHERE id = 3; SELECT count(*)::INTEGER AS n FROM emails`,
      ],
      { cwd, env },
    );
    assert.equal(r.code, 0, r.stderr);
    const doc = parseOneJson(r.stdout);
    assert.equal(doc.ok, true);
    assert.deepEqual(doc.statements, [
      { kind: 'write', rowsChanged: 1, marked: ['emails'] },
      { kind: 'write', rowsChanged: 1, marked: ['emails'] },
      { kind: 'read', columns: ['n'], rows: [{ n: 1000 }] },
    ]);
    const push = doc.push as Record<string, unknown>;
    assert.equal(push.ok, true);
    assert.equal(push.mode, 'incremental');
    assert.equal(push.direction, 'push');
    const tables = push.tables as Array<Record<string, unknown>>;
    assert.deepEqual(
      tables.map((t) => [t.name, t.status, t.rowsPushed, t.rowsDeleted]),
      [['emails', 'ok', 1, 1]],
    );
    const [remote] = await query(join(cwd, 'remote.duckdb'), 'SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE id = 3)::INTEGER AS gone FROM emails');
    assert.deepEqual(remote, { n: 1000, gone: 0 });
  });

  test('--file with several statements (CREATE TABLE, a ; inside a string): the new table is created on the remote', async () => {
    const cwd = syncedCopy(fixture);
    writeFileSync(
      join(cwd, 'changes.sql'),
      [
        '-- a new table, and a change in another schema',
        'CREATE TABLE new_t (id INTEGER PRIMARY KEY, label VARCHAR);',
        "INSERT INTO new_t VALUES (1, 'one'), (2, 'two; with a semicolon');",
        "UPDATE analytics.daily SET total = -1 WHERE day = DATE '2024-01-05';",
        '/* and a query */ SELECT label FROM new_t ORDER BY id;',
        '',
      ].join('\n'),
    );
    const r = await runCli(['exec', ...DB, '--file', 'changes.sql'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^two; with a semicolon$/m);
    assert.match(r.stdout, /^\(2 rows\)$/m);
    const pushed = r.stdout.split('\n').find((l) => l.startsWith('pushed '));
    assert.ok(pushed, r.stdout);
    assert.ok(pushed.includes('new_t (2 upserted, 0 deleted)'), r.stdout);
    assert.ok(pushed.includes('analytics.daily (1 upserted, 0 deleted)'), r.stdout);

    const remote = join(cwd, 'remote.duckdb');
    assert.deepEqual(await query(remote, 'SELECT id, label FROM new_t ORDER BY id'), [
      { id: 1, label: 'one' },
      { id: 2, label: 'two; with a semicolon' },
    ]);
    assert.deepEqual(await query(remote, `SELECT total::INTEGER AS total FROM analytics.daily WHERE day = DATE '2024-01-05'`), [{ total: -1 }]);
    assert.deepEqual(await dirtyMarks(cwd), []);
  });

  test('a SQL error in the 2nd statement: exit 1, one line; the 1st statement is done and pushed', async () => {
    const cwd = syncedCopy(fixture);
    const sql = (id: number): string =>
      `UPDATE emails SET subject = 'before the error' WHERE id = ${id}; SELECT * FROM no_such_table; UPDATE emails SET subject = 'never' WHERE id = ${id + 1}`;
    const r = await runCli(['exec', ...DB, sql(11)], { cwd, env });
    assert.equal(r.code, 1, r.stderr);
    assertErrorLine(r.stderr, /^duckdb-sync: statement 2 of 3 failed: .*no_such_table/);
    assert.match(r.stderr, /^hint: the 1 statement\(s\) before it are done/m);
    // What ran is printed, and its push reported.
    assert.match(r.stdout, /^1 row changed$/m);
    assert.match(r.stdout, /^pushed emails \(1 upserted, 0 deleted\)$/m);

    const json = await runCli(['exec', '--json', ...DB, sql(21)], { cwd, env });
    assert.equal(json.code, 1, json.stderr);
    const doc = parseOneJson(json.stdout);
    assert.equal(doc.ok, false);
    const error = doc.error as Record<string, unknown>;
    assert.equal(error.code, 'E_SQL');
    assert.match(error.message as string, /no_such_table/);
    assert.equal(error.transient, false);
    assert.deepEqual(doc.statements, [{ kind: 'write', rowsChanged: 1, marked: ['emails'] }], 'the statement that ran');
    const push = doc.push as Record<string, unknown>;
    assert.equal(push.ok, true);
    assert.deepEqual(
      (push.tables as Array<Record<string, unknown>>).map((t) => [t.name, t.rowsPushed]),
      [['emails', 1]],
    );
    assertErrorLine(json.stderr, /no_such_table/);

    // The statements before the error ran and were pushed; the ones after it did not run.
    assert.deepEqual(await subjects(join(cwd, 'remote.duckdb'), [11, 12, 21, 22]), [
      { id: 11, subject: 'before the error' },
      { id: 12, subject: 'Subject 12' },
      { id: 21, subject: 'before the error' },
      { id: 22, subject: 'Subject 22' },
    ]);
    assert.deepEqual(await dirtyMarks(cwd), []);
  });

  test('push failure (remote held by another process): exit 1, the change is kept, marked, and a later sync pushes it', async () => {
    const cwd = syncedCopy(fixture);
    const remote = join(cwd, 'remote.duckdb');
    const remoteBefore = await snapshot(remote);
    const holder = holdFile(remote);
    try {
      await holder.ready;
      const args = ['exec', ...DB, '--max-retries', '0', '--retry-delay', '10'];
      const r = await runCli([...args, `UPDATE emails SET subject = 'offline' WHERE id = 31`], { cwd, env });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '1 row changed\n', 'the statement ran; nothing pushed');
      assertErrorLine(r.stderr, new RegExp(`^duckdb-sync: push failed: .*locked.*\\(PID ${holder.pid}\\b`), /local changes are kept/);

      const json = await runCli([...args, '--json', `INSERT INTO emails (id, sender) VALUES (1003, 'offline@example.com')`], { cwd, env });
      assert.equal(json.code, 1, json.stderr);
      assertJsonError(json.stdout, 'E_LOCKED', /^push failed: .*locked/);
      const doc = parseOneJson(json.stdout);
      assert.deepEqual(doc.statements, [{ kind: 'write', rowsChanged: 1, marked: ['emails'] }]);
      assert.equal(doc.push, null);
      assert.match((doc.error as Record<string, unknown>).hint as string, /local changes are kept/);
      assert.equal((doc.error as Record<string, unknown>).transient, true);
    } finally {
      await holder.release();
    }

    // The local database has both changes, still marked; the remote did not change.
    const local = join(cwd, 'local.duckdb');
    assert.deepEqual(await subjects(local, [31, 1003]), [
      { id: 31, subject: 'offline' },
      { id: 1003, subject: null },
    ]);
    const marks = await dirtyMarks(cwd);
    assert.ok(marks.length > 0 && marks.every((t) => t === 'emails'), `emails still marked: ${marks.join(', ')}`);
    assert.deepEqual(await snapshot(remote), remoteBefore, 'remote unchanged while held');

    // Released: the next sync pushes the kept changes, and the marks are gone.
    const s = await runCli(['sync', '--json', '--mode', 'incremental', ...DB], { cwd, env });
    assert.equal(s.code, 0, s.stderr);
    const emails = (parseOneJson(s.stdout).tables as Array<Record<string, unknown>>).find((t) => t.name === 'emails');
    assert.equal(emails?.rowsPushed, 2);
    assert.deepEqual(await subjects(remote, [31, 1003]), [
      { id: 31, subject: 'offline' },
      { id: 1003, subject: null },
    ]);
    assert.deepEqual(await dirtyMarks(cwd), []);
  });

  test('--no-push: exit 0, the remote unchanged, the table stays marked', async () => {
    const cwd = syncedCopy(fixture);
    const remote = join(cwd, 'remote.duckdb');
    const remoteBefore = await snapshot(remote);
    const r = await runCli(['exec', '--no-push', ...DB, `UPDATE emails SET subject = 'held back' WHERE id = 41`], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1 row changed\n');
    assert.deepEqual(await snapshot(remote), remoteBefore, 'remote unchanged');
    assert.deepEqual(await subjects(join(cwd, 'local.duckdb'), [41]), [{ id: 41, subject: 'held back' }]);
    assert.deepEqual(await dirtyMarks(cwd), ['emails']);
  });

  test('reads only: the table is printed, nothing pushed', async () => {
    const cwd = syncedCopy(fixture);
    const remoteBefore = await snapshot(join(cwd, 'remote.duckdb'));
    const r = await runCli(['exec', ...DB, 'SELECT 42 AS answer'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'answer\n------\n42\n(1 row)\n');
    assert.deepEqual(await snapshot(join(cwd, 'remote.duckdb')), remoteBefore, 'remote unchanged');
    assert.deepEqual(await dirtyMarks(cwd), []);
  });

  describe('bad input: exit 2, one line and a hint, no database created', () => {
    const USAGE = /duckdb-sync exec "<sql>" or duckdb-sync exec --file <path>/;
    const cases: Array<{ name: string; args: string[]; message: RegExp; hint?: RegExp }> = [
      { name: 'no SQL at all', args: [], message: /^no SQL given$/, hint: USAGE },
      { name: 'an empty SQL string', args: [''], message: /^no SQL given$/, hint: USAGE },
      { name: 'only semicolons and comments', args: ['--', ' ; -- nothing\n/* at /* all */ */ ;'], message: /^no SQL given$/, hint: USAGE },
      { name: 'both an argument and --file', args: ['SELECT 1', '--file', 'query.sql'], message: /^give the SQL either as an argument or with --file, not both$/, hint: USAGE },
      { name: '--file pointing to a missing file', args: ['--file', 'missing.sql'], message: /^SQL file not found: missing\.sql$/, hint: /--file/ },
      { name: '--file without a path', args: ['--file'], message: /^option '--file <path>' argument missing$/ },
      { name: '--file of an empty file', args: ['--file', 'empty.sql'], message: /^no SQL statement in empty\.sql$/ },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        const cwd = tempDir();
        copyFileSync(join(fixture, 'remote.duckdb'), join(cwd, 'remote.duckdb'));
        writeFileSync(join(cwd, 'query.sql'), 'SELECT 1;\n');
        writeFileSync(join(cwd, 'empty.sql'), '\n');
        const remoteBefore = await snapshot(join(cwd, 'remote.duckdb'));
        const args = ['exec', ...DB, ...c.args];
        const [plain, json] = await Promise.all([runCli(args, { cwd, env }), runCli(['--json', ...args], { cwd, env })]);

        assert.equal(plain.code, 2, plain.stderr);
        assert.equal(plain.stdout, '');
        const { message, hint } = assertCleanError(plain.stderr, /./);
        assert.match(message, c.message);
        if (c.hint) assert.match(hint, c.hint);
        assert.equal(plain.stderr.trimEnd().split('\n').length, 2, `one line and a hint:\n${plain.stderr}`);

        assert.equal(json.code, 2, json.stderr);
        assertJsonError(json.stdout, 'E_USAGE', c.message);

        assert.ok(!existsSync(join(cwd, 'local.duckdb')), 'local database not created');
        assert.ok(!existsSync(join(cwd, 'local.duckdb.wal')), 'no local WAL');
        assert.deepEqual(await snapshot(join(cwd, 'remote.duckdb')), remoteBefore, 'remote unchanged');
      });
    }
  });
});
