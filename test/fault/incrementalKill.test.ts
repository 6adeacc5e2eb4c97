/**
 * Fault test: SIGKILL at random moments during incremental and full syncs, with writes on both sides
 * in between (design decision 2: every step is idempotent; re-running after a crash converges and
 * loses nothing).
 *
 * Three tables: `kc` (primary key + cursor column updated_at), `kn` (primary key, no cursor: bucket
 * summaries), `kl` (no key: a multiset). Before each round the test writes on both sides while no sync
 * runs: inserts, updates (bumping updated_at) and deletes, the local side and the remote side on
 * disjoint keys, so none of these writes conflicts with another (the contested rows below do, on
 * purpose). Every write is also made on `expected.duckdb`, which starts as a copy of the remote: it
 * is the model of what both sides must hold in the end.
 *
 * Then the built CLI syncs (incremental or full) and is SIGKILLed: after a seeded random delay, as
 * soon as the remote file changes, or at the start of a chosen transaction. For the last, the CLI
 * runs with a small preload (a data: URL module) that counts Database.transaction calls and SIGKILLs
 * its own process at the chosen one; "after a push" picks the transaction that follows the n-th one
 * run in a step that may write the remote (Database.withRemote(false, …)), i.e. the window between a
 * table's remote push transaction and its local transaction (counted by pushes, so it holds in a sync
 * that runs extra transactions). Steps, not the attach mode, tell them apart: the emulator stays
 * attached read-write from the first step to the end of the process. The first three rounds kill
 * there, one table each; the others pick at random.
 *
 * Contested rows (design decision 11: a cursor chooses what to read, never what to compare before a
 * write): before the first two rounds and some others, a few `kc` rows that neither side's usual writes
 * touch (id % 4 = 3) are updated on the remote by "another program" WITHOUT moving updated_at (kept at
 * its initial value, or set back to an old time; either way far outside the 300 s lag window before
 * the watermark), and the local side updates the same rows differently (moving updated_at forward, as
 * an application would). Each row is contested once. With the default policy remote-wins the model
 * takes the remote's version, and the local version must be in dewey_sync_conflicts exactly once: a
 * keyed table records its conflicts and applies the pull in one local transaction (a kill before it
 * commits leaves the conflict to be found again by the next sync, and nothing recorded), and a full
 * sync records the local versions its replace discards in the transaction of the replace.
 *
 * Upgrade (FAULT_UPGRADE, on unless 0): the initial full sync and the two uninterrupted syncs are run
 * by the CLI on the previous DuckDB release (1.4.4, test/fixtures/previousDuckdb.cjs), so the first
 * killed sync (an incremental one, killed after kc's push) is the first sync after an upgrade (design
 * decision 14: baselines stay usable, pending local edits are pushed, nothing is re-pulled).
 * FAULT_UPGRADE=0 runs every sync on the current release. The baselines keep hash() only (the
 * emulator's server hashes as this client does), so the upgraded sync uses them as they are when the
 * hashes agree (they do for 1.4.4 and the current release), or pulls the table in full.
 *
 * Remote kinds: the CLI gets the remote as DUCKDB_SYNC_TEST_REMOTE says (test/helpers/remoteKinds.ts):
 * the file itself, or `mdemu:<file>` (the MotherDuck emulator on the same file); the test writes and
 * reads the file directly either way. `npm test` runs this file once per kind, so a run makes 4 kill
 * rounds by default (8 over both kinds; the first three are the forced ones).
 *
 * Afterwards: both files open, one clean incremental sync succeeds, a second finds nothing to do,
 * `verify` exits 0, and both sides hold exactly the model: no insert, update or delete of either side
 * lost, nothing resurrected, and dewey_sync_conflicts holds exactly the contested rows' local versions
 * (once each, with the remote versions that won) and nothing else.
 *
 * FAULT_SEED=<n> replays a run (the seed and the kind are printed; kills by time vary with the
 * machine's speed); FAULT_KILLS=<n> and FAULT_ROWS=<n> change the number of kill rounds and the size
 * of the tables.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { spawn } from 'node:child_process';
import { copyFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cleanEnv, MODULE_CLI, onPreviousDuckdb, PREVIOUS_DUCKDB_PRELOAD, runCli } from '../helpers/cli.js';
import { exec, withDuck } from '../helpers/duck.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { tempDir } from '../helpers/tempDir.js';

const ROWS = Number(process.env.FAULT_ROWS ?? 250_000);
/** Per remote kind (the file runs once per kind): 8 rounds in all by default, and at least the three forced ones. */
const KILLS = Number(process.env.FAULT_KILLS ?? 4);
const SEED = process.env.FAULT_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FAULT_SEED);
/** The state the kills start from is built on the previous DuckDB release (see the header). */
const UPGRADE = process.env.FAULT_UPGRADE !== '0';
const KIND = testRemoteKind();
console.log(
  `FAULT_SEED=${SEED} (remote: ${KIND}, kill rounds: ${KILLS}, rows: ${ROWS}, upgrade from the previous DuckDB: ${UPGRADE ? 'yes' : 'no (FAULT_UPGRADE=0)'}; replay with DUCKDB_SYNC_TEST_REMOTE=${KIND} FAULT_SEED=${SEED})`,
);

/** The first rounds kill between a table's push transaction and its local transaction, one table each. */
const FORCED = 3;

type Table = 'kc' | 'kn' | 'kl';
const TABLES: Table[] = ['kc', 'kl', 'kn'];
type SideName = 'local' | 'remote';

/**
 * Which rows a side owns: initial ids (< 10M) by residue, plus the rows it inserted itself
 * (local: 10M..20M, remote: 20M and up). A side writes only its own rows.
 */
function owned(side: SideName, col: string): string {
  return side === 'local'
    ? `((${col} < 10000000 AND ${col} % 4 = 1) OR (${col} >= 10000000 AND ${col} < 20000000))`
    : `((${col} < 10000000 AND ${col} % 4 = 2) OR ${col} >= 20000000)`;
}

/** The cursor value of a round's writes: one clock for both sides, 1000 s per round (past the lag window). */
function roundTime(round: number, side: SideName): string {
  const ms = Date.UTC(2024, 0, 1) + (round * 1000 + (side === 'remote' ? 1 : 0)) * 1000;
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * One round of writes of one side on some tables: 150 inserts, updates of about 1/1000 of its rows,
 * deletes of about as many, and changes to rows the side wrote in the round before (some of the
 * rows it inserted are updated or deleted, half of those it updated are updated again), so that a
 * row pushed by a killed sync is often changed again before the next one. The statements depend
 * only on ids and the round, so making them on the model gives what the side must hold.
 */
function writesFor(side: SideName, round: number, tables: Table[]): string[] {
  const tag = `${side === 'local' ? 'L' : 'R'}${round}`;
  const at = `TIMESTAMP '${roundTime(round, side)}'`;
  const base = side === 'local' ? 10_000_000 : 20_000_000;
  const firstId = base + round * 100_000;
  const previous = (col: string): string => `${col} BETWEEN ${base + (round - 1) * 100_000} AND ${base + (round - 1) * 100_000 + 149}`;
  const pick = (col: string, which: number, r = round): string => `${owned(side, col)} AND (${col} * 7919 + ${r} * 104729) % 997 = ${which}`;
  const updated = (col: string): string => `(${pick(col, 0)} OR (${pick(col, 0, round - 1)} AND ${col} % 2 = 0) OR (${previous(col)} AND ${col} % 10 = 3))`;
  const deleted = (col: string): string => `(${pick(col, 1)} OR (${previous(col)} AND ${col} % 10 = 7))`;
  const out: string[] = [];
  for (const t of tables) {
    if (t === 'kc') {
      out.push(
        `INSERT INTO kc SELECT ${firstId} + i, i * 3, '${tag}', ${at} FROM range(150) r(i)`,
        `UPDATE kc SET v = id * 5 + ${round}, s = '${tag}-u', updated_at = ${at} WHERE ${updated('id')}`,
        `DELETE FROM kc WHERE ${deleted('id')}`,
      );
    } else if (t === 'kn') {
      out.push(
        `INSERT INTO kn SELECT ${firstId} + i, i * 3, '${tag}' FROM range(150) r(i)`,
        `UPDATE kn SET v = id * 5 + ${round}, s = '${tag}-u' WHERE ${updated('id')}`,
        `DELETE FROM kn WHERE ${deleted('id')}`,
      );
    } else {
      out.push(
        `INSERT INTO kl SELECT ${firstId} + i, '${tag}' FROM range(150) r(i)`,
        `UPDATE kl SET s = '${tag}-u' WHERE ${updated('a')}`,
        `DELETE FROM kl WHERE ${deleted('a')}`,
      );
    }
  }
  return out;
}

/** Rows contested per contested round, and the old cursor value some remote edits set (outside the lag window). */
const CONTESTED_PER_ROUND = 3;
const OLD_CURSOR = '2023-06-01 00:00:00';
/** The cursor value of every initial row (never moved for rows that only the contested writes touch). */
const INITIAL_CURSOR = '2023-01-01 00:00:00';

/** A kc row that both sides updated differently, the remote without moving the cursor. */
interface Contested {
  id: number;
  round: number;
  /** The versions as dewey_sync_conflicts holds them (JSON of the row, local column names). */
  local: Record<string, unknown>;
  remote: Record<string, unknown>;
}

/**
 * The contested writes of a round: the remote's (kept or set-back cursor) and the local's (cursor
 * moved forward), and the versions each leaves.
 */
function contestedWrites(round: number, ids: number[], keepCursor: boolean[]): { remote: string[]; local: string[]; rows: Contested[] } {
  const local = roundTime(round, 'local');
  const remote: string[] = [];
  ids.forEach((id, i) => {
    remote.push(`UPDATE kc SET v = -id - ${round}, s = 'R${round}-c'${keepCursor[i] ? '' : `, updated_at = TIMESTAMP '${OLD_CURSOR}'`} WHERE id = ${id}`);
  });
  return {
    remote,
    local: [`UPDATE kc SET v = id * 11 + ${round}, s = 'L${round}-c', updated_at = TIMESTAMP '${local}' WHERE id IN (${ids.join(', ')})`],
    rows: ids.map((id, i) => ({
      id,
      round,
      local: { id, v: id * 11 + round, s: `L${round}-c`, updated_at: local },
      remote: { id, v: -id - round, s: `R${round}-c`, updated_at: keepCursor[i] ? INITIAL_CURSOR : OLD_CURSOR },
    })),
  };
}

/**
 * Preloaded into the module-by-module CLI (the bundle has no Database module to patch): logs every
 * Database.transaction call with the remote step it runs in
 * (rw: inside withRemote(false, …) or holdRemote, a transaction that may write the remote; ro:
 * inside a reading step; none: outside any step) and SIGKILLs the process at the start of the
 * transaction numbered FAULT_KILL_AT_TRANSACTION, or at the start of the transaction that follows
 * the remote-writing one numbered FAULT_KILL_AFTER_PUSH (counted among those only: the first sync
 * after an upgrade runs more transactions than the syncs measured before it). The step, not the
 * attach mode: a file remote is attached per step (read-only for reading steps), the emulator once,
 * read-write, until the process ends; for a file both give the same answer.
 */
const PRELOAD = `data:text/javascript,${encodeURIComponent(`
import { Database } from ${JSON.stringify(pathToFileURL(join(MODULE_CLI, '..', '..', 'db', 'database.js')).href)};
const killAt = Number(process.env.FAULT_KILL_AT_TRANSACTION ?? 0);
const killAfterPush = Number(process.env.FAULT_KILL_AFTER_PUSH ?? 0);
let n = 0;
let pushes = 0;
let afterPush = false;
const steps = new WeakMap();
const inStep = (name, mode) => {
  const original = Database.prototype[name];
  Database.prototype[name] = async function (...args) {
    const stack = steps.get(this) ?? [];
    steps.set(this, stack);
    stack.push(mode(args));
    try {
      return await original.apply(this, args);
    } finally {
      stack.pop();
    }
  };
};
inStep('withRemote', (args) => (args[0] ? 'ro' : 'rw'));
inStep('holdRemote', () => 'rw');
const transaction = Database.prototype.transaction;
Database.prototype.transaction = function (body) {
  n++;
  const stack = steps.get(this) ?? [];
  const remote = stack.includes('rw') ? 'rw' : stack.length ? 'ro' : 'none';
  process.stderr.write('[fault] transaction ' + n + ' remote=' + remote + '\\n');
  if (n === killAt || (afterPush && pushes === killAfterPush)) process.kill(process.pid, 'SIGKILL');
  afterPush = remote === 'rw';
  if (afterPush) pushes++;
  return transaction.call(this, body);
};
`)}`;

interface Difference {
  table: string;
  /** Rows the model has and the side lacks (lost inserts and updates; resurrected deletes show on the other side). */
  missing: number;
  /** Rows the side has and the model lacks (lost deletes, lost updates, duplicates). */
  extra: number;
  sample: string[];
}

describe('SIGKILL during incremental and full syncs, with writes on both sides in between', () => {
  const dir = tempDir('duckdb-sync-fault-incr-');
  const remote = join(dir, 'remote.duckdb');
  const local = join(dir, 'local.duckdb');
  const expected = join(dir, 'expected.duckdb');
  /** What the CLI is given as the remote (the file, or the emulator on it); the test reads and writes `remote` itself. */
  const remoteArg = remoteUri(remote, KIND);
  const args = ['sync', '--local', local, '--remote', remoteArg, '--log-dir', join(dir, 'logs')];
  const random = seededRandom(SEED);
  const durationMs: Record<'incremental' | 'full', number> = { incremental: 0, full: 0 };
  /** Transactions of an uninterrupted sync per mode, and how many of them may write the remote. */
  const transactions: Record<'incremental' | 'full', { total: number; pushes: number }> = {
    incremental: { total: 0, pushes: 0 },
    full: { total: 0, pushes: 0 },
  };
  let round = 0;
  /** Every write statement made, per side (the model in words; expected.duckdb is the model in data). */
  const writeLog: Record<SideName, string[]> = { local: [], remote: [] };
  const outcomes: string[] = [];
  /** Contested rows so far; their choice has a generator of its own, so a seed's kills stay as they were. */
  const contested: Contested[] = [];
  const contestRandom = seededRandom(SEED ^ 0x5bd1e995);

  /**
   * A side's writes of the round, with the side's contested writes (`contestedStatements`). The
   * model takes every write except the local side's contested ones: the remote's versions win.
   */
  async function write(side: SideName, tables: Table[], contestedStatements: string[] = []): Promise<void> {
    const statements = writesFor(side, round, tables);
    const all = [...statements, ...contestedStatements];
    await exec(side === 'local' ? local : remote, ...all);
    await exec(expected, ...(side === 'remote' ? all : statements));
    writeLog[side].push(...all);
  }

  /** Picks this round's contested rows (never contested before, id % 4 = 3) and returns their writes. */
  function contest(): { remote: string[]; local: string[] } {
    const taken = new Set(contested.map((c) => c.id));
    const ids: number[] = [];
    while (ids.length < CONTESTED_PER_ROUND) {
      const id = 4 * Math.floor(contestRandom() * Math.floor(ROWS / 4)) + 3;
      if (id < ROWS && !taken.has(id) && !ids.includes(id)) ids.push(id);
    }
    const w = contestedWrites(
      round,
      ids,
      ids.map(() => contestRandom() < 0.5),
    );
    contested.push(...w.rows);
    return w;
  }

  function pickTables(): Table[] {
    const chosen = TABLES.filter(() => random() < 0.6);
    return chosen.length ? chosen : [TABLES[Math.floor(random() * TABLES.length)] as Table];
  }

  before(async () => {
    await exec(
      remote,
      'CREATE TABLE kc (id BIGINT PRIMARY KEY, v BIGINT, s VARCHAR, updated_at TIMESTAMP)',
      'CREATE TABLE kn (id BIGINT PRIMARY KEY, v BIGINT, s VARCHAR)',
      'CREATE TABLE kl (a BIGINT, s VARCHAR)',
      `INSERT INTO kc SELECT i, i * 7, 'row-' || i, TIMESTAMP '2023-01-01' FROM range(${ROWS}) r(i)`,
      `INSERT INTO kn SELECT i, i * 7, 'row-' || i FROM range(${ROWS}) r(i)`,
      `INSERT INTO kl SELECT i, 'row-' || i FROM range(${Math.round(ROWS * 0.8)}) r(i)`,
    );
    copyFileSync(remote, expected);
    const first = await runCli([...args, '--mode', 'full'], UPGRADE ? onPreviousDuckdb({ env: cleanEnv() }) : { env: cleanEnv() });
    assert.equal(first.code, 0, first.stderr);

    // Uninterrupted syncs of each mode (after writes on both sides) give the windows the kills are
    // spread over, and the transactions they run.
    for (const mode of ['incremental', 'full'] as const) {
      round++;
      await write('local', TABLES);
      await write('remote', TABLES);
      const r = await runSync(mode, {}, UPGRADE);
      assert.equal(r.code, 0, r.stderr);
      durationMs[mode] = r.elapsedMs;
      const log = [...r.stderr.matchAll(/^\[fault\] transaction (\d+) remote=(\w+)$/gm)].map((m) => ({ n: Number(m[1]), remote: m[2] }));
      transactions[mode] = { total: log.length, pushes: log.filter((t) => t.remote === 'rw').length };
      assert.ok(transactions[mode].pushes >= TABLES.length, `${mode}: the preload sees a remote-writing transaction per table: ${r.stderr}`);
    }
    console.log(
      `uninterrupted syncs${UPGRADE ? ' (previous DuckDB)' : ''}: incremental ${Math.round(durationMs.incremental)} ms, ${transactions.incremental.total} transactions; full ${Math.round(durationMs.full)} ms, ${transactions.full.total} transactions`,
    );
    if (UPGRADE) {
      // The state the kills start from was written by the previous release.
      const versions = await withDuck(local, (q) => q.json('SELECT table_name, engine_version FROM dewey_sync_metadata ORDER BY table_name'));
      assert.deepEqual(
        versions,
        [...TABLES].sort().map((t) => ({ table_name: t, engine_version: 'v1.4.4' })),
        'the syncs before the kills ran on the previous DuckDB release',
      );
    }
  });

  interface SyncRun {
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
    elapsedMs: number;
    trigger: string;
  }

  /** When to SIGKILL a sync (see runSync). */
  interface Kill {
    atTransaction?: number;
    afterPush?: number;
    delayMs?: number;
    onRemoteWrite?: boolean;
  }

  /**
   * Runs the built CLI (with the preload; on the previous DuckDB release with `previousDuckdb`) and
   * SIGKILLs it: at the start of transaction `atTransaction`, at the start of the transaction after
   * remote-writing transaction `afterPush`, after `delayMs`, or (with `onRemoteWrite`) `delayMs` after
   * the remote file first changes.
   */
  async function runSync(mode: 'incremental' | 'full', kill: Kill, previousDuckdb = false): Promise<SyncRun> {
    const watcher = kill.onRemoteWrite ? watch(dir) : undefined;
    const started = performance.now();
    const env = cleanEnv({
      ...(kill.atTransaction ? { FAULT_KILL_AT_TRANSACTION: String(kill.atTransaction) } : {}),
      ...(kill.afterPush ? { FAULT_KILL_AFTER_PUSH: String(kill.afterPush) } : {}),
    });
    const nodeArgs = [...(previousDuckdb ? ['--require', PREVIOUS_DUCKDB_PRELOAD] : []), '--import', PRELOAD];
    const child = spawn(process.execPath, [...nodeArgs, MODULE_CLI, ...args, '--mode', mode], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    let timer: NodeJS.Timeout | undefined;
    let trigger = kill.atTransaction ? `transaction ${kill.atTransaction}` : kill.afterPush ? `after push ${kill.afterPush}` : 'timer';
    if (watcher) {
      watcher.on('change', (_event, name) => {
        if (timer || !String(name).startsWith('remote.duckdb')) return;
        trigger = `remote write at ${Math.round(performance.now() - started)} ms, + ${kill.delayMs ?? 0} ms`;
        timer = setTimeout(() => child.kill('SIGKILL'), kill.delayMs ?? 0);
      });
    } else if (kill.delayMs !== undefined) {
      timer = setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
    }
    const { code, signal } = await closed;
    watcher?.close();
    clearTimeout(timer);
    return { code, signal, stderr, elapsedMs: performance.now() - started, trigger };
  }

  /** A sync killed as `kill` says; returns what happened, in words. */
  async function syncAndKill(mode: 'incremental' | 'full', kill: Kill): Promise<string> {
    const r = await runSync(mode, kill);
    const done = r.stderr
      .split('\n')
      .filter((l) => /^(kc|kn|kl): pulled/.test(l))
      .map((l) => l.slice(0, 2));
    const ran = [...r.stderr.matchAll(/^\[fault\] transaction (\d+)/gm)].length;
    if (r.signal !== 'SIGKILL') {
      assert.equal(r.code, 0, `not killed, so it must have finished cleanly: ${r.stderr}`);
      return `finished in ${Math.round(r.elapsedMs)} ms before the kill (${r.trigger})`;
    }
    return `killed at ${Math.round(r.elapsedMs)} ms (${r.trigger}; in transaction ${ran}; tables done: ${done.join(', ') || 'none'})`;
  }

  /** Both files open (replaying their WAL) and their tables read. */
  async function assertFilesOpen(label: string): Promise<void> {
    for (const path of [local, remote]) {
      const counts = await withDuck(path, (q) => q.json(`SELECT (SELECT count(*) FROM kc)::INTEGER AS kc, (SELECT count(*) FROM kn)::INTEGER AS kn, (SELECT count(*) FROM kl)::INTEGER AS kl`));
      assert.equal(counts.length, 1, `${label}: ${path} opens and its tables read`);
    }
  }

  test(`${KILLS} rounds: writes on both sides, then a sync killed at a random moment`, { timeout: 240_000 }, async () => {
    for (let i = 0; i < KILLS; i++) {
      round++;
      const forced = i < FORCED;
      // Contested kc rows before the first two rounds (a kill after kc's push, then a full sync) and some others.
      const c = i < 2 || contestRandom() < 0.4 ? contest() : undefined;
      await write('local', forced ? TABLES : pickTables(), c?.local);
      await write('remote', pickTables(), c?.remote);
      // The first three rounds kill between a push transaction and its local transaction, one table
      // each (kc incremental, kl full, kn incremental); the others choose the mode and the moment at random.
      const mode: 'incremental' | 'full' = forced ? (i === 1 ? 'full' : 'incremental') : random() < 0.5 ? 'incremental' : 'full';
      const how = forced ? 0 : random();
      const t = transactions[mode];
      let kill: Kill;
      if (how < 0.35) kill = { afterPush: forced ? i + 1 : 1 + Math.floor(random() * t.pushes) };
      else if (how < 0.55) kill = { atTransaction: 1 + Math.floor(random() * t.total) };
      else if (how < 0.7) kill = { onRemoteWrite: true, delayMs: Math.floor(random() * 25) };
      // Stratified over the sync's duration (a little past it, so that some syncs finish first): the
      // rounds after the forced ones share it out, however few they are.
      else kill = { delayMs: Math.round((durationMs[mode] * 1.1 * (i - FORCED + random())) / (KILLS - FORCED)) };
      const outcome = await syncAndKill(mode, kill);
      outcomes.push(`round ${round} ${mode}${c ? ` (contested kc rows: ${contested.filter((x) => x.round === round).map((x) => x.id).join(', ')})` : ''}: ${outcome}`);
      console.log(`round ${round}: ${mode} sync -> ${outcome}`);
      await assertFilesOpen(`round ${round} (seed ${SEED}, remote ${KIND})`);
    }
  });

  /** Differences between a file's table and the model (as multisets of rows). */
  async function differences(path: string, table: Table): Promise<Difference> {
    return withDuck(expected, async (q) => {
      await q.run(`ATTACH '${path}' AS side (READ_ONLY)`);
      try {
        const cols = table === 'kc' ? 'id, v, s, updated_at' : table === 'kn' ? 'id, v, s' : 'a, s';
        const missing = `SELECT ${cols} FROM main.${table} EXCEPT ALL SELECT ${cols} FROM side.${table}`;
        const extra = `SELECT ${cols} FROM side.${table} EXCEPT ALL SELECT ${cols} FROM main.${table}`;
        const [n] = await q.json(`SELECT (SELECT count(*) FROM (${missing}))::INTEGER AS missing, (SELECT count(*) FROM (${extra}))::INTEGER AS extra`);
        const sample = await q.json(
          `(SELECT 'model has, side lacks' AS what, * FROM (${missing}) LIMIT 3) UNION ALL (SELECT 'side has, model lacks' AS what, * FROM (${extra}) LIMIT 3)`,
        );
        return { table, missing: Number(n?.missing), extra: Number(n?.extra), sample: sample.map((s) => JSON.stringify(s)) };
      } finally {
        await q.run('DETACH side');
      }
    });
  }

  test('after the kills one clean sync converges, a second finds nothing to do, verify exits 0, no write is lost, each contested local version recorded once', { timeout: 120_000 }, async () => {
    console.log(`outcomes:\n  ${outcomes.join('\n  ')}`);
    await assertFilesOpen('after the kills');
    const first = await runCli([...args, '--mode', 'incremental', '--json'], { env: cleanEnv() });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const firstDoc = JSON.parse(first.stdout) as { ok: boolean; tables: Array<{ name: string; status: string }> };
    assert.equal(firstDoc.ok, true, first.stdout);

    const second = await runCli([...args, '--mode', 'incremental', '--json'], { env: cleanEnv() });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const doc = JSON.parse(second.stdout) as { ok: boolean; tables: Array<{ name: string; status: string; rowsPulled: number; rowsPushed: number; rowsDeleted: number; conflicts: number }> };
    assert.deepEqual(
      doc.tables.map((t) => [t.name, t.status, t.rowsPulled, t.rowsPushed, t.rowsDeleted, t.conflicts]),
      TABLES.map((t) => [t, 'ok', 0, 0, 0, 0]),
      'a second sync finds nothing to do',
    );

    const v = await runCli(['verify', '--local', local, '--remote', remoteArg, '--log-dir', join(dir, 'logs')], { env: cleanEnv() });
    assert.equal(v.code, 0, v.stdout + v.stderr);

    // Every write of either side is there: both sides hold exactly the model, the keyless table
    // included (no lost insert, no deleted row or old version back, no row doubled).
    const recorded = await withDuck(local, (q) =>
      q.json(
        `SELECT table_name, key_json, CAST(local_version AS VARCHAR) AS lv, CAST(remote_version AS VARCHAR) AS rv, copies::INTEGER AS copies, policy, winner
           FROM dewey_sync_conflicts`,
      ),
    );
    const problems: string[] = [];
    for (const [name, path] of [['local', local], ['remote', remote]] as const) {
      for (const table of TABLES) {
        const d = await differences(path, table);
        if (d.missing || d.extra) {
          problems.push(`${name} ${table}: ${d.missing} model row(s) missing or different, ${d.extra} row(s) the model lacks; ${d.sample.join(' ')}`);
        }
      }
    }
    assert.deepEqual(problems, [], `writes lost or wrong (seed ${SEED}, remote ${KIND}; ${writeLog.local.length} local and ${writeLog.remote.length} remote write statements)`);

    // The usual writes were disjoint: the only conflicts are the contested rows, each recorded once
    // with its local version (the loser) and the remote version that won.
    const byKey = (a: { key: string | null; text: string }, b: { key: string | null; text: string }): number => (a.key ?? '').localeCompare(b.key ?? '') || a.text.localeCompare(b.text);
    const actual = recorded
      .map((r) => {
        const entry = {
          table: r.table_name,
          key: r.key_json as string | null,
          local: r.lv === null ? null : (JSON.parse(String(r.lv)) as unknown),
          remote: r.rv === null ? null : (JSON.parse(String(r.rv)) as unknown),
          copies: r.copies,
          policy: r.policy,
          winner: r.winner,
        };
        return { ...entry, text: JSON.stringify(entry) };
      })
      .sort(byKey)
      .map(({ text: _text, ...entry }) => entry);
    const wanted = contested
      .map((c) => {
        const entry = { table: 'kc', key: `{"id":${c.id}}`, local: c.local as unknown, remote: c.remote as unknown, copies: 1, policy: 'remote-wins', winner: 'remote' };
        return { ...entry, text: JSON.stringify(entry) };
      })
      .sort(byKey)
      .map(({ text: _text, ...entry }) => entry);
    assert.deepEqual(actual, wanted, `dewey_sync_conflicts holds exactly the ${contested.length} contested rows' local versions, once each (seed ${SEED}, remote ${KIND})`);
  });
});
