/**
 * Fault test: SIGKILL during a full sync. Each kill starts from the same old local copy, and the CLI
 * is killed at a seeded random point of a sync that replaces the table with new content. Afterwards
 * the local file must open, hold either the whole old or the whole new table (never a mix), and its
 * dewey_sync_metadata must describe that content. Finally a clean sync converges and verify passes.
 *
 * The remote is synced as the kind DUCKDB_SYNC_TEST_REMOTE names (test/helpers/remoteKinds.ts): the
 * file itself, or the same file through the MotherDuck emulator (`mdemu:`); the test reads and writes
 * the file directly either way. `npm test` runs this file once per kind, so a run makes 3 kills by
 * default (6 over both kinds).
 *
 * FAULT_SEED=<n> replays a run (the seed and the kind are printed); FAULT_KILLS=<n> and FAULT_ROWS=<n>
 * change the number of kills and the table size.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import { exec, withDuck } from '../helpers/duck.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { seededRandom } from '../helpers/seededRandom.js';

const ROWS = Number(process.env.FAULT_ROWS ?? 1_000_000);
/** Per remote kind: the file runs once per kind (test/runTests.mjs), 4 kills in all by default. */
const KILLS = Number(process.env.FAULT_KILLS ?? 2);
const SEED = process.env.FAULT_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FAULT_SEED);
const KIND = testRemoteKind();
console.log(`FAULT_SEED=${SEED} (remote: ${KIND}, kills: ${KILLS}, rows: ${ROWS}; replay with DUCKDB_SYNC_TEST_REMOTE=${KIND} FAULT_SEED=${SEED})`);

interface Content {
  rows: string;
  sumId: string;
  sumV: string;
  checksum: string;
}

const CONTENT_SQL = `SELECT count(*)::VARCHAR AS rows, sum(id)::VARCHAR AS "sumId", sum(v)::VARCHAR AS "sumV", bit_xor(hash(id, v, s))::VARCHAR AS checksum FROM t`;

/** Opens a file as a user would (replaying its WAL), reads table t's content summary and metadata. */
async function inspect(path: string): Promise<{ content: Content; meta: Record<string, unknown> | undefined; baselineRows: number | undefined }> {
  return withDuck(path, async (q) => {
    const [content] = (await q.json(CONTENT_SQL)) as unknown as Content[];
    const [meta] = await q.json(`SELECT * FROM dewey_sync_metadata WHERE table_name = 't'`);
    let baselineRows: number | undefined;
    if (meta?.baseline_table) {
      const [b] = await q.json(`SELECT count(*)::INTEGER AS n FROM "_duckdb_sync"."${String(meta.baseline_table)}"`);
      baselineRows = Number(b?.n);
    }
    return { content: content as Content, meta, baselineRows };
  });
}

describe('SIGKILL during a full sync', () => {
  const dir = tempDir('duckdb-sync-fault-');
  const remote = join(dir, 'remote.duckdb');
  const local = join(dir, 'local.duckdb');
  const pristine = join(dir, 'old-local.duckdb');
  /** What the CLI is given as the remote (the file, or the emulator on it); the test reads `remote` itself. */
  const remoteArg = remoteUri(remote, KIND);
  const args = ['sync', '--local', local, '--remote', remoteArg, '--log-dir', join(dir, 'logs')];
  const random = seededRandom(SEED);
  let oldState: Awaited<ReturnType<typeof inspect>>;
  let newContent: Content;
  /** How long a whole sync from the old content takes here, from spawn to exit. */
  let syncMs = 0;
  const outcomes: string[] = [];
  let lastOutcome: 'old' | 'new' = 'new';
  /** Extra attempts, over all kills, for syncs that finished before their kill (bounds the runtime). */
  let retriesLeft = 3;

  const restoreOldLocal = (): void => {
    rmSync(`${local}.wal`, { force: true });
    copyFileSync(pristine, local);
  };

  before(async () => {
    await exec(
      remote,
      'CREATE TABLE t (id BIGINT PRIMARY KEY, v BIGINT, s VARCHAR)',
      `INSERT INTO t SELECT i, (i * 7919) % 1000003, 'row-' || i FROM range(${ROWS}) r(i)`,
    );
    const first = await runCli(args, { env: cleanEnv() });
    assert.equal(first.code, 0, first.stderr);
    oldState = await inspect(local);
    assert.equal(oldState.content.rows, String(ROWS));
    assert.equal(Number(oldState.meta?.row_count), ROWS);
    // inspect() opened and closed the file, which checkpoints it: the main file alone is complete.
    assert.ok(!existsSync(`${local}.wal`));
    copyFileSync(local, pristine);

    // New content, distinguishable from the old by count and by checksum.
    await exec(remote, 'UPDATE t SET v = v + 1', 'DELETE FROM t WHERE id % 10 = 3');
    newContent = await withDuck(remote, async (q) => ((await q.json(CONTENT_SQL)) as unknown as Content[])[0] as Content);
    assert.notEqual(newContent.rows, oldState.content.rows);
    assert.notEqual(newContent.checksum, oldState.content.checksum);

    // One uninterrupted sync from the old content measures the window the kills are spread over.
    const started = performance.now();
    const full = await runCli(args, { env: cleanEnv() });
    syncMs = performance.now() - started;
    assert.equal(full.code, 0, full.stderr);
    assert.deepEqual((await inspect(local)).content, newContent, 'an uninterrupted sync gives the new content');
    console.log(`uninterrupted sync of ${ROWS} rows: ${Math.round(syncMs)} ms`);
  });

  /**
   * Old content with metadata describing it, or new content with metadata describing it. `from` is what
   * the local held before the sync (for the deleted-rows count).
   */
  async function assertWholeOldOrNew(label: string, from: 'old' | 'new' = 'old'): Promise<'old' | 'new'> {
    const state = await inspect(local);
    const { content, meta } = state;
    if (content.rows === oldState.content.rows && content.checksum === oldState.content.checksum) {
      assert.deepEqual(content, oldState.content, `${label}: old content intact`);
      // A sync may commit steps before its full pull (the push step moves the baseline in its own
      // local transaction), so the metadata need not be byte-identical; it must describe the old content.
      assert.ok(meta, `${label}: metadata row`);
      assert.equal(meta.status, 'ok', `${label}: metadata status`);
      assert.equal(Number(meta.row_count), ROWS, `${label}: metadata row count is the old one`);
      assert.equal(meta.baseline_table, oldState.meta?.baseline_table);
      assert.deepEqual(meta.key_columns, oldState.meta?.key_columns);
      assert.equal(state.baselineRows, ROWS, `${label}: baseline of the old content`);
      return 'old';
    }
    assert.deepEqual(content, newContent, `${label}: local table is neither wholly old nor wholly new`);
    assert.ok(meta, `${label}: metadata row`);
    assert.equal(meta.status, 'ok');
    assert.equal(meta.last_sync_mode, 'full');
    assert.equal(Number(meta.row_count), Number(newContent.rows), `${label}: metadata row count is the new one`);
    // Written as the difference: every row of the old content differed, none of the new one does.
    assert.equal(Number(meta.rows_pulled), from === 'old' ? Number(newContent.rows) : 0);
    assert.equal(Number(meta.rows_deleted), from === 'old' ? ROWS - Number(newContent.rows) : 0);
    assert.ok(String(meta.last_sync_time) > String(oldState.meta?.last_sync_time), `${label}: a newer last sync time`);
    assert.equal(state.baselineRows, Number(newContent.rows), `${label}: baseline of the new content`);
    return 'new';
  }

  /** Starts a sync from the old local copy and SIGKILLs it after `delay` ms (unless it finished first). */
  async function syncAndKill(delay: number, afterLine?: RegExp): Promise<{ killed: boolean; elapsedMs: number }> {
    restoreOldLocal();
    const started = performance.now();
    const child = startCli(args, { env: cleanEnv() });
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = (): void => void child.kill('SIGKILL');
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      // With `afterLine`, the delay counts from that log line instead of from the start.
      if (afterLine && !timer && afterLine.test(stderr)) timer = setTimeout(kill, delay);
    });
    child.stdout?.resume();
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    if (!afterLine) timer = setTimeout(kill, delay);
    const { code, signal } = await closed;
    clearTimeout(timer);
    const killed = signal === 'SIGKILL';
    if (!killed) assert.equal(code, 0, `not killed, so it must have finished cleanly: ${stderr}`);
    return { killed, elapsedMs: performance.now() - started };
  }

  for (let i = 0; i < KILLS; i++) {
    test(`kill ${i + 1} of ${KILLS}: the local table is wholly old or wholly new`, async () => {
      // Stratified: kill i lands in the i-th slice of the sync's duration. Timings vary with the
      // machine's load: a sync that finishes before its kill is checked too, shortens the estimate,
      // and the kill is tried again (within a small budget) so that most kills really interrupt a sync.
      for (;;) {
        const delay = Math.round((syncMs * (i + random())) / KILLS);
        const { killed, elapsedMs } = await syncAndKill(delay);
        const outcome = await assertWholeOldOrNew(`kill at ${delay} ms (seed ${SEED}, remote ${KIND})`);
        if (!killed) assert.equal(outcome, 'new', 'a sync that finished left the new content');
        lastOutcome = outcome;
        outcomes.push(`${delay} ms: ${killed ? 'killed' : 'finished first'} -> ${outcome}`);
        console.log(`kill ${i + 1}: SIGKILL at ${delay} ms of ~${Math.round(syncMs)} ms -> ${killed ? '' : 'finished before the kill, '}${outcome} content`);
        if (killed || retriesLeft-- <= 0) break;
        syncMs = Math.min(syncMs, elapsedMs);
      }
    });
  }

  test('a kill right after the table was committed leaves the new content', async () => {
    // The log line for the table comes after its transaction committed; the run history and the
    // close are still to come.
    const delay = Math.round(random() * 30);
    const { killed } = await syncAndKill(delay, /^t: pulled /m);
    const outcome = await assertWholeOldOrNew(`kill ${delay} ms after the commit (seed ${SEED}, remote ${KIND})`);
    assert.equal(outcome, 'new');
    lastOutcome = outcome;
    outcomes.push(`${delay} ms after commit: ${killed ? 'killed' : 'finished first'} -> ${outcome}`);
    const status = await runCli(['status', '--json', '--local', local, '--log-dir', join(dir, 'logs')], { env: cleanEnv() });
    assert.equal(status.code, 0, status.stderr);
    const runs = (JSON.parse(status.stdout) as { runs: Array<{ status: string }> }).runs;
    // A run cut short before it recorded its end shows as interrupted, never as still running.
    assert.ok(runs[0] && ['ok', 'interrupted'].includes(runs[0].status), `last run: ${runs[0]?.status}`);
    console.log(`kill ${delay} ms after the commit: ${killed ? 'killed' : 'finished first'}, new content, last run ${runs[0]?.status}`);
  });

  test('after the kills a clean sync converges and verify exits 0', async () => {
    console.log(`outcomes: ${outcomes.join('; ')}`);
    // The kills (some while the remote was attached read-write for the push step) left it as it was.
    assert.deepEqual(await withDuck(remote, async (q) => (await q.json(CONTENT_SQL))[0]), { ...newContent }, 'remote content unchanged');
    const r = await runCli([...args, '--json'], { env: cleanEnv() });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { ok: boolean; tables: Array<{ name: string; status: string; rowsPulled: number }> };
    assert.equal(doc.ok, true);
    // Written as the difference (full/replaceByDifference.ts): every row of the old content differs from
    // the new (v changed), none of the new content does.
    assert.deepEqual(
      doc.tables.map((t) => [t.name, t.status, t.rowsPulled]),
      [['t', 'ok', lastOutcome === 'new' ? 0 : Number(newContent.rows)]],
    );
    assert.equal(await assertWholeOldOrNew('after a clean sync', lastOutcome), 'new');
    const v = await runCli(['verify', '--local', local, '--remote', remoteArg, '--log-dir', join(dir, 'logs')], { env: cleanEnv() });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /all 1 table\(s\) identical/);
  });
});
