/**
 * "A push overwrites a cloud edit that did not move the cursor" (design decision 11: a cursor chooses
 * what to read, never what to compare before a write).
 *
 * The scenario of the issue, end to end through the built CLI (and the library for flush()): a remote
 * file (synced as a file remote or through the MotherDuck emulator, as DUCKDB_SYNC_TEST_REMOTE says;
 * "another program" edits the file directly) with `docs` (primary key + `updated_at` cursor; cursor
 * values one day apart, so a row's value stays far outside the 300 s lag window the engine re-reads
 * before its watermark), synced once in full and once incrementally (the watermark is set). Then
 * another program edits row 42 on the remote WITHOUT moving updated_at (or moving it backwards), the
 * same row is edited (or deleted) locally, and a sync or push runs. Before the fix the local version
 * was pushed over the cloud's, with conflicts: 0 and the cloud's version kept nowhere.
 *
 * Required: whatever the mode (incremental, full), the direction, and the path of the push (`sync`,
 * `exec`, the library's flush()), the row's current remote version is read by key and compared with
 * the baseline before it is pushed: changed on both sides is a conflict, resolved by the policy
 * (remote-wins by default, local-wins, newest-wins by the cursor, fail), and the losing version is
 * in dewey_sync_conflicts. A keyed table without a cursor (`notes`, bucket summaries) and a keyless
 * table (`tags`, merged as a multiset: both edits kept, never a conflict) are checked with the same
 * steps.
 *
 * Every check reads the `--json` documents and then the files themselves.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { openSyncedDatabase } from '../../src/index.js';
import type { SyncResult, TableResult } from '../../src/index.js';
import { cleanEnv, runCli, type CliResult } from '../helpers/cli.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { conflictRows, type ConflictRow } from '../integration/incrementalSupport.js';
import { parseOneJson } from './support.js';

interface Doc {
  id: number;
  body: string;
  updated_at: string;
}

/** A kept conflict as the tests compare it (detection time and run left out). */
type ConflictRecord = Omit<ConflictRow, 'has_time' | 'has_run'>;

const ROWS = 100;
/** Row i's cursor value: 2024-01-01 plus i days (the watermark ends at row 100's, 2024-04-10). */
const at = (id: number): string => new Date(Date.UTC(2024, 0, 1) + id * 86_400_000).toISOString().replace('T', ' ').slice(0, 19);
/** The cloud edit of row 42 by another program: the body changes, updated_at stays (or moves back). */
const cloudEdit = (updatedAt = at(42)): Doc => ({ id: 42, body: 'cloud edit', updated_at: updatedAt });
/** The local edit of row 42: as an application would make it, with updated_at moved forward. */
const LOCAL_EDIT: Doc = { id: 42, body: 'local edit', updated_at: '2024-06-01 12:00:00' };
const OLD_TIME = '2023-03-01 00:00:00';

const cloudUpdate = (updatedAt?: string): string =>
  updatedAt === undefined ? `UPDATE docs SET body = 'cloud edit' WHERE id = 42` : `UPDATE docs SET body = 'cloud edit', updated_at = TIMESTAMP '${updatedAt}' WHERE id = 42`;
const LOCAL_UPDATE = `UPDATE docs SET body = 'local edit', updated_at = TIMESTAMP '${LOCAL_EDIT.updated_at}' WHERE id = 42`;

describe('a push compares the remote version of every row it writes, whatever the cursor says', () => {
  const root = tempDir('duckdb-sync-push-compare-');
  const fixture = join(root, 'fixture');
  let counter = 0;

  /** A case folder holding a copy of the synced fixture; the CLI and the library run in it. */
  interface Case {
    dir: string;
    local: string;
    remote: string;
    env: NodeJS.ProcessEnv;
    cli(args: string[]): Promise<CliResult>;
    /** `sync --json` with extra arguments; asserts the exit code and returns the document. */
    sync(args: string[], expectedCode?: number): Promise<SyncResult>;
    verifyOk(): Promise<void>;
  }

  function newCase(): Case {
    const dir = join(root, `case${++counter}`);
    mkdirSync(dir);
    for (const f of ['remote.duckdb', 'local.duckdb']) copyFileSync(join(fixture, f), join(dir, f));
    const env = cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') });
    const db = ['--local', 'local.duckdb', '--remote', remoteUri('remote.duckdb'), '--log-dir', 'logs'];
    const c: Case = {
      dir,
      local: join(dir, 'local.duckdb'),
      remote: join(dir, 'remote.duckdb'),
      env,
      cli: (args) => runCli([...args, ...db], { cwd: dir, env }),
      sync: async (args, expectedCode = 0) => {
        const r = await c.cli(['sync', '--json', ...args]);
        assert.equal(r.code, expectedCode, `exit code of sync ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
        return parseOneJson(r.stdout) as unknown as SyncResult;
      },
      verifyOk: async () => {
        const v = await c.cli(['verify']);
        assert.equal(v.code, 0, `verify: ${v.stdout}${v.stderr}`);
      },
    };
    return c;
  }

  before(async () => {
    mkdirSync(fixture);
    await exec(
      join(fixture, 'remote.duckdb'),
      'CREATE TABLE docs (id INTEGER PRIMARY KEY, body VARCHAR, updated_at TIMESTAMP)',
      `INSERT INTO docs SELECT i, 'v' || i, TIMESTAMP '2024-01-01' + to_days(i::INTEGER) FROM range(1, ${ROWS + 1}) t(i)`,
      'CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR)',
      `INSERT INTO notes SELECT i, 'n' || i FROM range(1, ${ROWS + 1}) t(i)`,
      'CREATE TABLE tags (name VARCHAR, n INTEGER)',
      `INSERT INTO tags SELECT 'tag' || (i % 10), i FROM range(1, 21) t(i)`,
    );
    const env = cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(fixture, 'cache') });
    const db = ['--local', 'local.duckdb', '--remote', remoteUri('remote.duckdb'), '--log-dir', 'logs'];
    for (const mode of ['full', 'incremental']) {
      const r = await runCli(['sync', '--mode', mode, '--json', ...db], { cwd: fixture, env });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    // The incremental sync set the watermark to the largest cursor value, far past row 42's.
    const [meta] = await query(join(fixture, 'local.duckdb'), `SELECT watermark, cursor_column, last_sync_mode FROM dewey_sync_metadata WHERE table_name = 'docs'`);
    assert.deepEqual(meta, { watermark: at(ROWS), cursor_column: 'updated_at', last_sync_mode: 'incremental' });
  });

  const table = (doc: SyncResult, name: string): TableResult => {
    const t = doc.tables.find((x) => x.name === name);
    assert.ok(t, `no result for ${name}: ${JSON.stringify(doc)}`);
    return t;
  };
  const counts = (t: TableResult): Record<string, unknown> => ({ status: t.status, pulled: t.rowsPulled, pushed: t.rowsPushed, deleted: t.rowsDeleted, conflicts: t.conflicts });

  async function row42(path: string, name = 'docs'): Promise<Array<Record<string, unknown>>> {
    return query(path, `SELECT * FROM ${name} WHERE id = 42`);
  }

  async function conflictRecords(local: string): Promise<ConflictRecord[]> {
    return (await conflictRows(local)).map((c) => ({
      table_name: c.table_name,
      key_json: c.key_json,
      local_version: c.local_version,
      remote_version: c.remote_version,
      copies: c.copies,
      policy: c.policy,
      winner: c.winner,
    }));
  }

  const record = (local: unknown, remote: unknown, policy: string, winner: 'local' | 'remote', tableName = 'docs'): ConflictRecord => ({
    table_name: tableName,
    key_json: '{"id":42}',
    local_version: local,
    remote_version: remote,
    copies: 1,
    policy,
    winner,
  });

  /** Both sides hold `expected` as row 42 of docs ([] for no row), and every other row as synced. */
  async function bothSides(c: Case, expected: Doc[]): Promise<void> {
    assert.deepEqual(await row42(c.local), expected, 'local row 42');
    assert.deepEqual(await row42(c.remote), expected, 'remote row 42');
    for (const path of [c.local, c.remote]) {
      const [others] = await query(
        path,
        `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE body <> 'v' || id OR updated_at <> TIMESTAMP '2024-01-01' + to_days(id))::INTEGER AS changed FROM docs WHERE id <> 42`,
      );
      assert.deepEqual(others, { n: ROWS - 1, changed: 0 }, `${path}: the other rows are untouched`);
    }
  }

  /** A later incremental sync finds nothing more to do (no conflict found twice). */
  async function settled(c: Case): Promise<void> {
    const again = await c.sync(['--mode', 'incremental']);
    assert.deepEqual(
      again.tables.map((t) => [t.name, t.status, t.rowsPulled, t.rowsPushed, t.rowsDeleted, t.conflicts]),
      [
        ['docs', 'ok', 0, 0, 0, 0],
        ['notes', 'ok', 0, 0, 0, 0],
        ['tags', 'ok', 0, 0, 0, 0],
      ],
      'a second sync finds nothing to do',
    );
  }

  // --- sync --mode incremental: the exact steps -------------------------------------------

  test('incremental, the cloud edit keeps updated_at, remote-wins (default): a conflict; the cloud keeps its version, the local one is recorded', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    await exec(c.local, LOCAL_UPDATE);
    const doc = await c.sync(['--mode', 'incremental']);
    assert.equal(doc.ok, true);
    assert.deepEqual(counts(table(doc, 'docs')), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 1 });
    await bothSides(c, [cloudEdit()]);
    assert.deepEqual(await conflictRecords(c.local), [record(LOCAL_EDIT, cloudEdit(), 'remote-wins', 'remote')]);
    await c.verifyOk();
    await settled(c);
    assert.equal((await conflictRecords(c.local)).length, 1, 'recorded once');
  });

  test('incremental, the cloud edit moves updated_at backwards (outside the lag window), remote-wins: the same', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate(OLD_TIME));
    await exec(c.local, LOCAL_UPDATE);
    const doc = await c.sync(['--mode', 'incremental']);
    assert.deepEqual(counts(table(doc, 'docs')), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 1 });
    await bothSides(c, [cloudEdit(OLD_TIME)]);
    assert.deepEqual(await conflictRecords(c.local), [record(LOCAL_EDIT, cloudEdit(OLD_TIME), 'remote-wins', 'remote')]);
    await c.verifyOk();
  });

  test('incremental, local-wins: the local version is pushed, the cloud version it replaced is recorded', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    await exec(c.local, LOCAL_UPDATE);
    const doc = await c.sync(['--mode', 'incremental', '--on-conflict', 'local-wins']);
    assert.deepEqual(counts(table(doc, 'docs')), { status: 'ok', pulled: 0, pushed: 1, deleted: 0, conflicts: 1 });
    await bothSides(c, [LOCAL_EDIT]);
    assert.deepEqual(await conflictRecords(c.local), [record(LOCAL_EDIT, cloudEdit(), 'local-wins', 'local')]);
    await c.verifyOk();
  });

  test('incremental, newest-wins: the cloud moved its cursor backwards, the local version is newer and wins; the cloud version is recorded', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate(OLD_TIME));
    await exec(c.local, LOCAL_UPDATE);
    const doc = await c.sync(['--mode', 'incremental', '--on-conflict', 'newest-wins']);
    assert.deepEqual(counts(table(doc, 'docs')), { status: 'ok', pulled: 0, pushed: 1, deleted: 0, conflicts: 1 });
    await bothSides(c, [LOCAL_EDIT]);
    assert.deepEqual(await conflictRecords(c.local), [record(LOCAL_EDIT, cloudEdit(OLD_TIME), 'newest-wins', 'local')]);
  });

  test('incremental, newest-wins: the local edit keeps an older cursor than the cloud row, the cloud version wins', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    const olderLocal: Doc = { id: 42, body: 'local edit', updated_at: at(41) };
    await exec(c.local, `UPDATE docs SET body = 'local edit', updated_at = TIMESTAMP '${olderLocal.updated_at}' WHERE id = 42`);
    const doc = await c.sync(['--mode', 'incremental', '--on-conflict', 'newest-wins']);
    assert.deepEqual(counts(table(doc, 'docs')), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 1 });
    await bothSides(c, [cloudEdit()]);
    assert.deepEqual(await conflictRecords(c.local), [record(olderLocal, cloudEdit(), 'newest-wins', 'remote')]);
  });

  test('incremental, fail: exit 1, the table is reported failed and left untouched on both sides', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    await exec(c.local, LOCAL_UPDATE);
    const doc = await c.sync(['--mode', 'incremental', '--on-conflict', 'fail'], 1);
    assert.equal(doc.ok, false);
    const docs = table(doc, 'docs');
    assert.equal(docs.status, 'error');
    assert.match(docs.error ?? '', /conflict/);
    assert.deepEqual(await row42(c.remote), [cloudEdit()], 'remote untouched');
    assert.deepEqual(await row42(c.local), [LOCAL_EDIT], 'local untouched');
    assert.deepEqual(await conflictRecords(c.local), []);
  });

  test('incremental, a row deleted locally that the cloud edited without moving the cursor, remote-wins: the row comes back with the cloud version', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    await exec(c.local, 'DELETE FROM docs WHERE id = 42');
    const doc = await c.sync(['--mode', 'incremental']);
    assert.deepEqual(counts(table(doc, 'docs')), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 1 });
    await bothSides(c, [cloudEdit()]);
    assert.deepEqual(await conflictRecords(c.local), [record(null, cloudEdit(), 'remote-wins', 'remote')]);
    await c.verifyOk();
  });

  test('incremental, the same local delete with local-wins: deleted on both sides, the cloud version is recorded', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    await exec(c.local, 'DELETE FROM docs WHERE id = 42');
    const doc = await c.sync(['--mode', 'incremental', '--on-conflict', 'local-wins']);
    assert.deepEqual(counts(table(doc, 'docs')), { status: 'ok', pulled: 0, pushed: 0, deleted: 1, conflicts: 1 });
    assert.deepEqual(await row42(c.local), []);
    assert.deepEqual(await row42(c.remote), []);
    assert.deepEqual(await conflictRecords(c.local), [record(null, cloudEdit(), 'local-wins', 'local')]);
    await c.verifyOk();
  });

  test('incremental, the cloud deletes row 42 and inserts a row with an old cursor (same count), the local edits row 42, remote-wins: the delete wins', async () => {
    const c = newCase();
    await exec(c.remote, 'DELETE FROM docs WHERE id = 42', `INSERT INTO docs VALUES (1000, 'cloud insert', TIMESTAMP '${OLD_TIME}')`);
    await exec(c.local, LOCAL_UPDATE);
    const doc = await c.sync(['--mode', 'incremental']);
    assert.equal(table(doc, 'docs').conflicts, 1, JSON.stringify(doc));
    assert.equal(table(doc, 'docs').rowsPushed, 0, JSON.stringify(doc));
    assert.deepEqual(await row42(c.remote), [], 'the cloud delete is not undone');
    assert.deepEqual(await row42(c.local), [], 'the delete is pulled');
    assert.deepEqual(await conflictRecords(c.local), [record(LOCAL_EDIT, null, 'remote-wins', 'remote')]);
  });

  // --- other directions and modes --------------------------------------------------------------

  test('incremental --direction push, remote-wins: the cloud version is not overwritten; the next two-way sync resolves the conflict once', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    await exec(c.local, LOCAL_UPDATE);
    const push = await c.sync(['--mode', 'incremental', '--direction', 'push']);
    assert.equal(table(push, 'docs').rowsPushed, 0, JSON.stringify(push));
    assert.deepEqual(await row42(c.remote), [cloudEdit()], 'the push left the cloud version');
    await resolvedOnceByTwoWaySync(c, push);
  });

  /**
   * After a push that left the cloud version (remote-wins): the next two-way sync resolves the
   * conflict once in all, pushes nothing, and records the local version.
   */
  async function resolvedOnceByTwoWaySync(c: Case, push: SyncResult): Promise<void> {
    const both = await c.sync(['--mode', 'incremental']);
    assert.equal(table(push, 'docs').conflicts + table(both, 'docs').conflicts, 1, `one conflict in all: ${JSON.stringify([push, both])}`);
    assert.equal(table(both, 'docs').rowsPushed, 0, JSON.stringify(both));
    await bothSides(c, [cloudEdit()]);
    assert.deepEqual(await conflictRecords(c.local), [record(LOCAL_EDIT, cloudEdit(), 'remote-wins', 'remote')]);
    await c.verifyOk();
  }

  test('full, remote-wins: the cloud version is kept on both sides, the local one is recorded', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    await exec(c.local, LOCAL_UPDATE);
    const doc = await c.sync(['--mode', 'full']);
    const docs = table(doc, 'docs');
    assert.deepEqual([docs.status, docs.rowsPushed, docs.conflicts], ['ok', 0, 1], JSON.stringify(doc));
    await bothSides(c, [cloudEdit()]);
    assert.deepEqual(await conflictRecords(c.local), [record(LOCAL_EDIT, cloudEdit(), 'remote-wins', 'remote')]);
    await c.verifyOk();
    await settled(c);
  });

  test('full, local-wins: the local version is pushed, the cloud one is recorded', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate(OLD_TIME));
    await exec(c.local, LOCAL_UPDATE);
    const doc = await c.sync(['--mode', 'full', '--on-conflict', 'local-wins']);
    const docs = table(doc, 'docs');
    assert.deepEqual([docs.status, docs.rowsPushed, docs.conflicts], ['ok', 1, 1], JSON.stringify(doc));
    await bothSides(c, [LOCAL_EDIT]);
    assert.deepEqual(await conflictRecords(c.local), [record(LOCAL_EDIT, cloudEdit(OLD_TIME), 'local-wins', 'local')]);
    await c.verifyOk();
  });

  test('full, a local delete against the cloud edit, remote-wins: the row comes back, the delete is recorded', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    await exec(c.local, 'DELETE FROM docs WHERE id = 42');
    const doc = await c.sync(['--mode', 'full']);
    const docs = table(doc, 'docs');
    assert.deepEqual([docs.status, docs.rowsPushed, docs.conflicts], ['ok', 0, 1], JSON.stringify(doc));
    await bothSides(c, [cloudEdit()]);
    assert.deepEqual(await conflictRecords(c.local), [record(null, cloudEdit(), 'remote-wins', 'remote')]);
  });

  // --- exec and the library --------------------------------------------------------------------

  /** The push document of `exec --json`. */
  async function execPush(c: Case, sql: string, extra: string[] = []): Promise<SyncResult> {
    const r = await c.cli(['exec', '--json', ...extra, sql]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const doc = parseOneJson(r.stdout);
    assert.equal(doc.ok, true, r.stdout);
    const push = doc.push as SyncResult | null;
    assert.ok(push, r.stdout);
    return push;
  }

  test('exec, remote-wins: the push leaves the cloud version; the next sync resolves the conflict once, the local version recorded', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    const push = await execPush(c, LOCAL_UPDATE);
    assert.deepEqual(
      push.tables.map((t) => [t.name, t.rowsPushed]),
      [['docs', 0]],
      'nothing pushed over the cloud edit',
    );
    assert.deepEqual(await row42(c.remote), [cloudEdit()], 'exec did not overwrite the cloud version');
    await resolvedOnceByTwoWaySync(c, push);
  });

  test('exec --on-conflict local-wins: the push writes the local version and records the cloud one', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate(OLD_TIME));
    const push = await execPush(c, LOCAL_UPDATE, ['--on-conflict', 'local-wins']);
    await localVersionPushed(c, push);
  });

  /** A local-wins push over an older cloud edit: the local version is on the cloud, the cloud one recorded. */
  async function localVersionPushed(c: Case, push: SyncResult): Promise<void> {
    assert.deepEqual(
      push.tables.map((t) => [t.name, t.status, t.rowsPushed, t.conflicts]),
      [['docs', 'ok', 1, 1]],
    );
    assert.deepEqual(await row42(c.remote), [LOCAL_EDIT]);
    assert.deepEqual(await conflictRecords(c.local), [record(LOCAL_EDIT, cloudEdit(OLD_TIME), 'local-wins', 'local')]);
    await c.verifyOk();
  }

  test('exec, a local delete against the cloud edit, remote-wins: the cloud row is not deleted; the next sync brings it back once', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    const push = await execPush(c, 'DELETE FROM docs WHERE id = 42');
    assert.equal(table(push, 'docs').rowsDeleted, 0, JSON.stringify(push));
    assert.deepEqual(await row42(c.remote), [cloudEdit()], 'exec did not delete the cloud row');
    const doc = await c.sync(['--mode', 'incremental']);
    assert.equal(table(push, 'docs').conflicts + table(doc, 'docs').conflicts, 1, `one conflict in all: ${JSON.stringify([push, doc])}`);
    await bothSides(c, [cloudEdit()]);
    assert.deepEqual(await conflictRecords(c.local), [record(null, cloudEdit(), 'remote-wins', 'remote')]);
  });

  test('library flush(), remote-wins: the push leaves the cloud version; db.sync() resolves the conflict once', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate());
    const db = await openSyncedDatabase({ local: c.local, remote: remoteUri(c.remote), cwd: c.dir, env: { DUCKDB_SYNC_CACHE_DIR: join(c.dir, 'cache') }, autoSync: false });
    let pushed: SyncResult;
    let synced: SyncResult;
    try {
      assert.equal(await db.run(LOCAL_UPDATE), 1);
      pushed = await db.flush();
      assert.deepEqual(await row42(c.remote), [cloudEdit()], 'flush() did not overwrite the cloud version');
      synced = await db.sync();
    } finally {
      await db.close();
    }
    const conflicts = (r: SyncResult): number => r.tables.find((t) => t.name === 'docs')?.conflicts ?? 0;
    assert.equal(pushed.tables.find((t) => t.name === 'docs')?.rowsPushed, 0, JSON.stringify(pushed));
    assert.equal(conflicts(pushed) + conflicts(synced), 1, `one conflict in all: ${JSON.stringify([pushed, synced])}`);
    await bothSides(c, [cloudEdit()]);
    assert.deepEqual(await conflictRecords(c.local), [record(LOCAL_EDIT, cloudEdit(), 'remote-wins', 'remote')]);
    await c.verifyOk();
  });

  test('library flush(), onConflict local-wins: the local version is pushed, the cloud one recorded', async () => {
    const c = newCase();
    await exec(c.remote, cloudUpdate(OLD_TIME));
    const db = await openSyncedDatabase({ local: c.local, remote: remoteUri(c.remote), cwd: c.dir, env: { DUCKDB_SYNC_CACHE_DIR: join(c.dir, 'cache') }, autoSync: false, onConflict: 'local-wins' });
    let pushed: SyncResult;
    try {
      await db.run(LOCAL_UPDATE);
      pushed = await db.flush();
    } finally {
      await db.close();
    }
    await localVersionPushed(c, pushed);
  });

  // --- tables the cursor does not concern --------------------------------------------------------

  test('a keyed table without a cursor: the same steps are a conflict (remote-wins), the local version recorded', async () => {
    const c = newCase();
    await exec(c.remote, `UPDATE notes SET body = 'cloud edit' WHERE id = 42`);
    await exec(c.local, `UPDATE notes SET body = 'local edit' WHERE id = 42`);
    const doc = await c.sync(['--mode', 'incremental']);
    assert.deepEqual(counts(table(doc, 'notes')), { status: 'ok', pulled: 1, pushed: 0, deleted: 0, conflicts: 1 });
    assert.deepEqual(await row42(c.local, 'notes'), [{ id: 42, body: 'cloud edit' }]);
    assert.deepEqual(await row42(c.remote, 'notes'), [{ id: 42, body: 'cloud edit' }]);
    assert.deepEqual(await conflictRecords(c.local), [record({ id: 42, body: 'local edit' }, { id: 42, body: 'cloud edit' }, 'remote-wins', 'remote', 'notes')]);
    await c.verifyOk();
  });

  test('a keyless table: the same row edited on both sides keeps both edits (a multiset merge), no conflict', async () => {
    const c = newCase();
    await exec(c.remote, `UPDATE tags SET name = 'cloud edit' WHERE n = 12`);
    await exec(c.local, `UPDATE tags SET name = 'local edit' WHERE n = 12`);
    const doc = await c.sync(['--mode', 'incremental']);
    assert.deepEqual([table(doc, 'tags').status, table(doc, 'tags').conflicts], ['ok', 0], JSON.stringify(doc));
    for (const path of [c.local, c.remote]) {
      assert.deepEqual(await query(path, 'SELECT name, n FROM tags WHERE n = 12 ORDER BY name'), [
        { name: 'cloud edit', n: 12 },
        { name: 'local edit', n: 12 },
      ]);
      assert.deepEqual(await query(path, 'SELECT count(*)::INTEGER AS n FROM tags'), [{ n: 21 }]);
    }
    assert.deepEqual(await conflictRecords(c.local), []);
    await c.verifyOk();
  });
});
