import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { exec, query } from '../helpers/duck.js';
import { cleanEnv, runCli, type CliResult } from '../helpers/cli.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * `duckdb-sync conflicts`: the kept losing versions listed (plain and --json), restored (an update,
 * an insert, a delete) and pushed by the next sync, a restore racing a newer cloud edit kept as a
 * new conflict, dismissed, purged after the retention period; every bad input exits 2 and changes nothing.
 */

const dir = tempDir();
const remote = join(dir, 'cloud.duckdb');
const local = join(dir, 'local.duckdb');
const db = ['--local', local, '--remote', remoteUri(remote)];
const cli = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: dir, env: cleanEnv() });
const ITEMS = 'SELECT CAST(id AS INTEGER) AS id, name, CAST(qty AS INTEGER) AS qty FROM items ORDER BY id';

interface Listed {
  id: number;
  table: string;
  key: { id: number } | null;
  winner: string;
  status: string;
  local: Record<string, unknown> | null;
  remote: Record<string, unknown> | null;
  differingColumns: string[];
}

async function listed(...args: string[]): Promise<Listed[]> {
  const r = await cli('conflicts', '--local', local, '--json', ...args);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { conflicts: Listed[] }).conflicts;
}

const idOf = (conflicts: Listed[], key: number): number => {
  const c = conflicts.find((x) => x.key?.id === key);
  assert.ok(c, `a conflict for key ${key} in ${JSON.stringify(conflicts)}`);
  return c.id;
};

before(async () => {
  await exec(
    remote,
    'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, qty INTEGER, updated_at TIMESTAMP)',
    "INSERT INTO items VALUES (1, 'one', 1, '2024-01-01'), (2, 'two', 2, '2024-01-01'), (3, 'three', 3, '2024-01-01'), (4, 'four', 4, '2024-01-01')",
  );
  assert.equal((await cli('sync', ...db)).code, 0);
  // Both sides change the same rows: an update against an update, a local delete against a cloud
  // update, a local update against a cloud delete. The cloud wins each (remote-wins).
  await exec(local, 'UPDATE items SET qty = 10 WHERE id = 1', 'DELETE FROM items WHERE id = 2', "UPDATE items SET name = 'THREE' WHERE id = 3");
  await exec(remote, "UPDATE items SET qty = 99, updated_at = '2025-01-01' WHERE id = 1", "UPDATE items SET name = 'Two', updated_at = '2025-01-01' WHERE id = 2", 'DELETE FROM items WHERE id = 3');
  const r = await cli('sync', ...db, '--mode', 'incremental');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kept 3 conflict\(s\): see them with `duckdb-sync conflicts`/);
});

test('conflicts lists the kept versions, newest first, with the columns that differ', async () => {
  const r = await cli('conflicts', '--local', local);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^#\d+ {2}items {2}\{"id":1\} {2}.* {2}remote-wins: the remote version won$/m);
  // Only the differing columns by default: qty and updated_at for key 1, not name.
  const block = r.stdout.slice(r.stdout.indexOf('{"id":1}'));
  assert.match(block, /qty\s+10\s+99/);
  assert.doesNotMatch(block.slice(0, block.indexOf('\n\n')), /"one"/);
  const all = await cli('conflicts', '--local', local, '--all-columns');
  assert.match(all.stdout.slice(all.stdout.indexOf('{"id":1}')), /name\s+"one"\s+"one"/);

  const conflicts = await listed();
  assert.deepEqual(conflicts.map((c) => c.key?.id).sort(), [1, 2, 3]);
  assert.deepEqual([...conflicts].sort((a, b) => b.id - a.id).map((c) => c.id), conflicts.map((c) => c.id), 'newest first');
  const one = conflicts.find((c) => c.key?.id === 1);
  assert.deepEqual(one?.differingColumns, ['qty', 'updated_at']);
  assert.equal(one?.local?.qty, 10);
  assert.equal(one?.remote?.qty, 99);
  assert.equal(conflicts.find((c) => c.key?.id === 2)?.local, null);
  assert.equal(conflicts.find((c) => c.key?.id === 3)?.remote, null);
  assert.deepEqual(await listed('--table', 'nothing_here'), []);
  assert.deepEqual(await listed('--since', '1h'), conflicts);
  assert.deepEqual(await listed('--since', '2999-01-01'), []);

  const status = await cli('status', '--local', local);
  assert.match(status.stdout, /3 open conflict\(s\)/);
});

test('restore writes the losing versions back (update, delete, insert) and the next sync pushes them', async () => {
  const conflicts = await listed();
  const r = await cli('conflicts', 'restore', String(idOf(conflicts, 1)), String(idOf(conflicts, 2)), String(idOf(conflicts, 3)), '--local', local);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /restored conflict \d+ in items \{"id":2\}: deleted again/);
  assert.deepEqual(await query(local, ITEMS), [
    { id: 1, name: 'one', qty: 10 },
    { id: 3, name: 'THREE', qty: 3 },
    { id: 4, name: 'four', qty: 4 },
  ]);
  assert.deepEqual(await listed(), []);
  assert.deepEqual((await listed('--include-dismissed')).map((c) => c.status), ['restored', 'restored', 'restored']);

  const s = await cli('sync', ...db, '--mode', 'incremental');
  assert.equal(s.code, 0, s.stderr);
  assert.doesNotMatch(s.stdout, /kept/);
  assert.deepEqual(await query(remote, ITEMS), await query(local, ITEMS));
});

test('a restore racing a newer cloud edit is kept as a new conflict, not overwritten', async () => {
  await exec(local, 'UPDATE items SET qty = 40 WHERE id = 4');
  await exec(remote, "UPDATE items SET qty = 44, updated_at = '2025-02-01' WHERE id = 4");
  await cli('sync', ...db, '--mode', 'incremental');
  const first = idOf(await listed(), 4);
  assert.equal((await cli('conflicts', 'restore', String(first), '--local', local)).code, 0);
  assert.deepEqual((await query(local, 'SELECT CAST(qty AS INTEGER) AS qty FROM items WHERE id = 4'))[0], { qty: 40 });
  // The cloud changes the row again before the restored version is pushed.
  await exec(remote, "UPDATE items SET qty = 45, updated_at = '2025-03-01' WHERE id = 4");
  const s = await cli('sync', ...db, '--mode', 'incremental');
  assert.match(s.stdout, /kept 1 conflict/);
  const again = (await listed()).find((c) => c.key?.id === 4);
  assert.ok(again && again.id !== first);
  assert.equal(again.local?.qty, 40);
  assert.equal(again.remote?.qty, 45);
  assert.deepEqual((await query(remote, 'SELECT CAST(qty AS INTEGER) AS qty FROM items WHERE id = 4'))[0], { qty: 45 });
});

test('dismiss hides records; restored and dismissed records are purged after the retention period', async () => {
  const open = await listed();
  assert.equal(open.length, 1);
  const d = await cli('conflicts', 'dismiss', String(open[0]?.id), '--local', local);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /dismissed 1 conflict/);
  assert.deepEqual(await listed(), []);
  const dealt = await listed('--include-dismissed');
  assert.deepEqual(dealt.map((c) => c.status).sort(), ['dismissed', 'restored', 'restored', 'restored', 'restored']);
  // Records dealt with long ago go; a recent one stays.
  const old = dealt.filter((c) => c.status === 'restored').map((c) => c.id);
  await exec(local, `UPDATE dewey_sync_conflicts SET resolved_at = now() - INTERVAL 100 DAY WHERE id IN (${old.join(', ')})`);
  assert.deepEqual((await listed('--include-dismissed')).map((c) => c.status), ['dismissed']);
});

test('bad input: a clear error, exit 2, and nothing changed', async () => {
  await exec(
    local,
    `INSERT INTO dewey_sync_conflicts (id, table_name, key_json, local_version, remote_version, policy, winner)
     SELECT nextval('_duckdb_sync.conflict_ids'), * FROM (VALUES ('gone', '{"id":1}', '{"id":1,"v":2}', NULL, 'remote-wins', 'remote'),
            ('items', '{"id":9}', '{"id":9,"name":"nine","qty":9,"updated_at":"2024-01-01 00:00:00","extra":1}', NULL, 'remote-wins', 'remote'),
            ('items', '{"id":8}', '{"id":8,"name":"eight","qty":"many","updated_at":"2024-01-01 00:00:00"}', NULL, 'remote-wins', 'remote'),
            ('items', '{"id":7}', '{"id":7,"name":"seven","qty":7,"updated_at":"2024-01-01 00:00:00"}', NULL, 'remote-wins', 'remote'))`,
  );
  const seven = idOf(await listed(), 7);
  assert.equal((await cli('conflicts', 'restore', String(seven), '--local', local)).code, 0);
  const ids = (await listed()).map((c) => c.id);
  const [gone, extra, badType] = [...ids].sort((a, b) => a - b);
  const before = await query(local, ITEMS);
  const cases: Array<[string[], RegExp]> = [
    [['conflicts', 'restore', '99999'], /unknown conflict id\(s\): 99999/],
    [['conflicts', 'restore', String(seven)], /conflict \d+ was already restored/],
    [['conflicts', 'restore', String(extra), '99998'], /unknown conflict id\(s\): 99998/],
    [['conflicts', 'restore', String(gone)], /table gone no longer exists locally/],
    [['conflicts', 'restore', String(extra)], /no longer fits table items \(columns gone: extra\)/],
    [['conflicts', 'restore', String(badType)], /no longer fits table items/],
    [['conflicts', 'restore', String(badType), String(extra)], /no longer fits/],
    [['conflicts', 'restore', 'abc'], /a conflict id is a positive integer/],
    [['conflicts', 'restore'], /missing required argument/],
    [['conflicts', 'dismiss'], /no conflict id given/],
    [['conflicts', 'dismiss', '1', '--all'], /ids or --all, not both/],
    [['conflicts', 'dismiss', '99999'], /unknown conflict id\(s\): 99999/],
    [['conflicts', '--since', 'yesterday-ish'], /expected an ISO time/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(...args, '--local', local);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(await query(local, ITEMS), before);
  assert.deepEqual((await listed()).map((c) => c.id).sort(), [...ids].sort());
  const missing = await cli('conflicts', '--local', join(dir, 'nope.duckdb'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /local database file does not exist/);
});
