import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { createRemote, parseOneJson } from './support.js';

/** Row counts of the fixture's tables on the remote, by display name. */
async function remoteCounts(remote: string): Promise<Map<string, number>> {
  const rows = await query(
    remote,
    `SELECT CASE WHEN schema_name = 'main' THEN table_name ELSE schema_name || '.' || table_name END AS name FROM duckdb_tables()`,
  );
  const out = new Map<string, number>();
  for (const r of rows) {
    const [c] = await query(remote, `SELECT count(*)::INTEGER AS n FROM ${String(r.name)}`);
    out.set(String(r.name), Number(c?.n));
  }
  return out;
}

describe('sync --json, verify, status', () => {
  const cwd = tempDir();
  const remote = join(cwd, 'remote.duckdb');
  const local = join(cwd, 'local.duckdb');
  const args = ['--local', local, '--remote', remoteUri(remote)];
  const env = cleanEnv();
  let syncStarted: Date;
  let syncFinished: Date;

  before(async () => {
    await createRemote(remote);
  });

  test('sync --json prints exactly one JSON document with the contract, logs go to stderr', async () => {
    const counts = await remoteCounts(remote);
    syncStarted = new Date(Date.now() - 1000);
    const r = await runCli(['sync', '--json', ...args], { cwd, env });
    syncFinished = new Date(Date.now() + 1000);
    assert.equal(r.code, 0, r.stderr);
    const doc = parseOneJson(r.stdout);
    assert.equal(doc.ok, true);
    assert.ok(doc.mode === 'full' || doc.mode === 'incremental');
    assert.equal(doc.mode, 'full');
    assert.ok(Array.isArray(doc.tables));
    const tables = doc.tables as Array<Record<string, unknown>>;
    assert.deepEqual(tables.map((t) => t.name).sort(), [...counts.keys()].sort());
    for (const t of tables) {
      assert.equal(typeof t.name, 'string');
      assert.equal(t.status, 'ok');
      for (const f of ['rowsPulled', 'rowsPushed', 'rowsDeleted', 'conflicts']) assert.equal(typeof t[f], 'number', `${String(t.name)}.${f}`);
      assert.equal(t.rowsPulled, counts.get(t.name as string));
      assert.equal(t.rowsPushed, 0);
      assert.equal(t.rowsDeleted, 0);
      assert.equal(t.conflicts, 0);
      assert.ok(!('error' in t), 'no error on a table that synced');
    }
    // The log lines went to stderr, not into the JSON.
    assert.match(r.stderr, /full sync .*3 table\(s\)/);
    assert.ok(r.stderr.includes(`3 table(s) with ${remoteUri(remote)}\n`), `the log names the remote as given:\n${r.stderr}`);
    assert.match(r.stderr, /^emails: pulled 1000\b/m);
  });

  test('verify exits 0 when both sides are identical', async () => {
    const r = await runCli(['verify', ...args], { cwd, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /all 3 table\(s\) identical/);
    assert.match(r.stdout, /^emails\s+identical\s+1000\s+1000$/m);
  });

  test('status shows per table: last sync time, mode, direction, status, rows', async () => {
    const r = await runCli(['status', '--local', local], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0] ?? '', /^table\s+last sync\s+mode\s+direction\s+status\s+rows\b/);
    const counts = await remoteCounts(remote);
    for (const [name, n] of counts) {
      const line = lines.find((l) => l.startsWith(`${name} `));
      assert.ok(line, `status lists ${name}:\n${r.stdout}`);
      const m = /^\S+\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s/.exec(line);
      assert.ok(m, line);
      const time = new Date((m[1] as string).replace(' ', 'T'));
      assert.ok(time >= new Date(Math.floor(syncStarted.getTime() / 1000) * 1000) && time <= syncFinished, `last sync ${m[1]} during the sync`);
      assert.deepEqual(m.slice(2), ['full', 'pull', 'ok', String(n)]);
    }
  });

  test('status --json is one JSON document with the same facts', async () => {
    const r = await runCli(['status', '--json', '--local', local], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const doc = parseOneJson(r.stdout);
    assert.equal(doc.ok, true);
    const tables = doc.tables as Array<Record<string, unknown>>;
    const counts = await remoteCounts(remote);
    assert.deepEqual(tables.map((t) => t.tableName).sort(), [...counts.keys()].sort());
    for (const t of tables) {
      const time = new Date(t.lastSyncTime as string);
      assert.ok(time >= syncStarted && time <= syncFinished, `lastSyncTime ${String(t.lastSyncTime)}`);
      assert.equal(t.lastSyncMode, 'full');
      assert.equal(t.lastDirection, 'pull');
      assert.equal(t.status, 'ok');
      assert.equal(t.rowCount, counts.get(t.tableName as string));
    }
    const runs = doc.runs as Array<Record<string, unknown>>;
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.status, 'ok');
  });

  test('verify exits 1 and names the table and key when a remote value changed (same row count)', async () => {
    await exec(remote, `UPDATE emails SET subject = 'changed elsewhere' WHERE id = 421`);
    const r = await runCli(['verify', ...args], { cwd, env });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const line = r.stdout.split('\n').find((l) => l.startsWith('emails '));
    assert.ok(line, r.stdout);
    assert.match(line, /different\s+1000\s+1000\s+1 changed/);
    assert.ok(line.includes('{"id":421}'), `the differing key is named: ${line}`);
    assert.match(r.stdout, /^events\s+identical/m);
    assert.match(r.stdout, /1 of 3 table\(s\) differ/);
  });

  test('verify --json is one JSON document naming the differing table and key', async () => {
    const r = await runCli(['verify', '--json', ...args], { cwd, env });
    assert.equal(r.code, 1, r.stderr);
    const doc = parseOneJson(r.stdout);
    assert.equal(doc.ok, false);
    const tables = doc.tables as Array<Record<string, unknown>>;
    const emails = tables.find((t) => t.name === 'emails');
    assert.equal(emails?.status, 'different');
    assert.equal(emails?.localRows, 1000);
    assert.equal(emails?.remoteRows, 1000);
    assert.equal(emails?.changed, 1);
    assert.deepEqual(emails?.sample, ['{"id":421}']);
    for (const t of tables.filter((x) => x.name !== 'emails')) assert.equal(t.status, 'identical');
  });

  test('a second sync --json pulls the change and reports deleted rows; verify is clean again', async () => {
    await exec(remote, 'DELETE FROM events WHERE n = 0', 'DELETE FROM emails WHERE id > 990');
    const [events] = await query(remote, 'SELECT count(*)::INTEGER AS n FROM events');
    const r = await runCli(['sync', '--json', ...args], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const tables = parseOneJson(r.stdout).tables as Array<Record<string, unknown>>;
    const byName = new Map(tables.map((t) => [t.name, t]));
    // A full pull into the keyed table writes the one row that differs (row 421, changed elsewhere).
    assert.equal(byName.get('emails')?.rowsPulled, 1);
    assert.equal(byName.get('emails')?.rowsDeleted, 10);
    assert.equal(byName.get('events')?.rowsPulled, Number(events?.n));
    assert.equal(byName.get('events')?.rowsDeleted, 300 - Number(events?.n));
    const [row] = await query(local, `SELECT subject FROM emails WHERE id = 421`);
    assert.equal(row?.subject, 'changed elsewhere');
    const v = await runCli(['verify', ...args], { cwd, env });
    assert.equal(v.code, 0, v.stdout);
  });
});

test('sync --compare-all compares tables the last sync left settled; without it they are skipped while the file is unchanged', async () => {
  const cwd = tempDir();
  const remote = join(cwd, 'remote.duckdb');
  const local = join(cwd, 'local.duckdb');
  await createRemote(remote);
  const env = cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(cwd, 'cache') });
  const sync = (...extra: string[]) => runCli(['sync', '--mode', 'incremental', '--verbose', '--local', local, '--remote', remoteUri(remote), ...extra], { cwd, env });
  assert.equal((await sync()).code, 0);
  const skipped = await sync();
  assert.equal(skipped.code, 0, skipped.stderr);
  // With a key or without (events), a table the last sync left settled is not compared.
  for (const t of ['emails', 'analytics.daily', 'events']) assert.match(skipped.stderr, new RegExp(`${t.replace('.', '\\.')}: not compared with its baseline`));
  const all = await sync('--compare-all');
  assert.equal(all.code, 0, all.stderr);
  assert.doesNotMatch(all.stderr, /not compared with its baseline/);
  // A write by another program: compared, and pushed.
  await exec(local, "UPDATE emails SET subject = 'edited' WHERE id = 3");
  const changed = await sync('--json');
  assert.equal(changed.code, 0, changed.stderr);
  assert.doesNotMatch(changed.stderr, /not compared with its baseline/);
  const doc = parseOneJson(changed.stdout) as { tables: Array<{ name: string; rowsPushed: number }> };
  assert.equal(doc.tables.find((t) => t.name === 'emails')?.rowsPushed, 1);
  assert.deepEqual(await query(remote, 'SELECT subject FROM emails WHERE id = 3'), [{ subject: 'edited' }]);
});
