// remote kinds: file only — the WAL replay budget and the checkpoint at detach belong to a file remote detached between steps (the emulator stays attached, never checkpoints)
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Database } from '../../src/db/database.js';
import { REMOTE_ALIAS } from '../../src/remote/file/attachAlias.js';
import { parseRemote } from '../../src/remote/parseRemote.js';
import { WalReplayBudget } from '../../src/db/walReplayBudget.js';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';

/** When a file remote is detached without a checkpoint (library pushes): the replay budget, on real files. */

const dir = tempDir();
const walSize = (file: string): number => (existsSync(`${file}.wal`) ? statSync(`${file}.wal`).size : 0);

async function openWith(name: string, budget: WalReplayBudget | undefined): Promise<{ db: Database; remote: string }> {
  const remote = join(dir, `${name}-remote.duckdb`);
  await exec(remote, 'CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR)', "INSERT INTO t SELECT i, 'v' || i FROM range(1000) r(i)");
  const db = await Database.open({
    local: join(dir, `${name}-local.duckdb`),
    remote: parseRemote(remote),
    motherduckToken: undefined,
    maxRetries: 0,
    retryDelayMs: 10,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    ...(budget ? { walReplayBudget: budget } : {}),
  });
  return { db, remote };
}

const write = (db: Database, id: number): Promise<number> => db.withRemote(false, () => db.run(`UPDATE "${REMOTE_ALIAS}".main.t SET v = 'w' || $1 WHERE id = $2`, [String(id), id]));

test('with a budget, pushes leave the WAL until the replay paid at attaches reaches the cost of a checkpoint', async () => {
  // A checkpoint estimated at 1 µs: the first attach that replays a WAL spends the budget.
  const { db, remote } = await openWith('budget', new WalReplayBudget(0.001));
  try {
    await write(db, 1);
    assert.ok(walSize(remote) > 0, 'the first push left its WAL (nothing was replayed yet)');
    await write(db, 2);
    assert.equal(walSize(remote), 0, 'the second attach replayed that WAL: the detach checkpointed');
    await write(db, 3);
    assert.ok(walSize(remote) > 0, 'the measured checkpoint is the new budget: the WAL is left again');
  } finally {
    await db.close();
  }
  assert.deepEqual(await query(remote, 'SELECT v FROM t WHERE id IN (1, 2, 3) ORDER BY id'), [{ v: 'w1' }, { v: 'w2' }, { v: 'w3' }]);
});

test('with a budget that is never spent, the WAL is left but every write is in the remote', async () => {
  const { db, remote } = await openWith('unspent', new WalReplayBudget(1e9));
  try {
    for (let i = 1; i <= 5; i++) await write(db, i);
    assert.ok(walSize(remote) > 0);
  } finally {
    await db.close();
  }
  // Opening it replays the WAL: the five writes are there.
  assert.deepEqual(await query(remote, "SELECT count(*)::INTEGER AS n FROM t WHERE v LIKE 'w%'"), [{ n: 5 }]);
});

test('without a budget every detach after a write checkpoints the remote', async () => {
  const { db, remote } = await openWith('always', undefined);
  try {
    await write(db, 1);
    assert.equal(walSize(remote), 0);
  } finally {
    await db.close();
  }
});
