import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { join } from 'node:path';
import { openSyncedDatabase } from '../../src/tracking/syncedDatabase.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { counts, newPair, table, type Pair } from './incrementalSupport.js';

/**
 * Partial replicas (`tables.<name>.where`): the local table holds the cloud rows the filter keeps,
 * plus local writes not pushed yet; rows leaving the scope leave the local copy and are never
 * pushed as deletes; every local write is pushed, in scope or not; a new filter re-scopes.
 */

const root = tempDir();

const EVENTS = 'CREATE TABLE events (id INTEGER PRIMARY KEY, region VARCHAR, v INTEGER, updated_at TIMESTAMP)';
/** 100 rows; every tenth is in 'eu' (10 rows), the rest in 'us'. */
const EVENTS_ROWS = "INSERT INTO events SELECT i, CASE WHEN i % 10 = 0 THEN 'eu' ELSE 'us' END, i, TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE FROM range(1, 101) t(i)";

async function ids(path: string, where = 'true'): Promise<number[]> {
  return (await query(path, `SELECT id FROM events WHERE ${where} ORDER BY id`)).map((r) => Number(r.id));
}

function scoped(where: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { tables: { events: { where, ...extra } } };
}

/** The pair's config file with other table settings (the databases as newPair named them). */
function rewriteConfig(p: Pair, config: Record<string, unknown>): void {
  const { local, remote } = JSON.parse(readFileSync(p.config as string, 'utf8')) as { local: string; remote: string };
  writeFileSync(p.config as string, JSON.stringify({ local, remote, ...config }));
}

describe('a partial replica (tables.<name>.where)', () => {
  test('a full sync pulls only the rows in scope; --json says the filter and the rows in scope; verify compares the scope', async () => {
    const p = newPair(root, scoped("region = 'eu'"));
    await exec(p.remote, EVENTS, EVENTS_ROWS);
    const r = await p.syncOk({ mode: 'full' });
    assert.deepEqual(counts(r, 'events'), { status: 'ok', pulled: 10, pushed: 0, deleted: 0, conflicts: 0 });
    assert.equal(table(r, 'events').where, "region = 'eu'");
    assert.equal(table(r, 'events').rowsInScope, 10);
    assert.deepEqual(await ids(p.local), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    assert.deepEqual(await query(p.local, "SELECT scope_filter FROM dewey_sync_metadata WHERE table_name = 'events'"), [{ scope_filter: "region = 'eu'" }]);
  });

  test('cloud rows moving out of the scope leave the local copy, rows moving in arrive; the cloud keeps every row', async () => {
    const p = newPair(root, scoped("region = 'eu'"));
    await exec(p.remote, EVENTS, EVENTS_ROWS);
    await p.syncOk({ mode: 'full' });
    await exec(
      p.remote,
      "UPDATE events SET region = 'us', updated_at = TIMESTAMP '2025-01-01' WHERE id = 10",
      "UPDATE events SET region = 'eu', updated_at = TIMESTAMP '2025-01-01' WHERE id = 11",
      // Out of scope without moving the cursor: found by the count and the key summaries.
      "UPDATE events SET region = 'us' WHERE id = 20",
    );
    const r = await p.syncOk();
    assert.deepEqual(counts(r, 'events'), { status: 'ok', pulled: 1, pushed: 0, deleted: 2, conflicts: 0 });
    assert.deepEqual(await ids(p.local), [11, 30, 40, 50, 60, 70, 80, 90, 100]);
    assert.deepEqual(await ids(p.remote), Array.from({ length: 100 }, (_v, i) => i + 1), 'nothing deleted on the cloud');
  });

  test('every local write is pushed, in scope or not; rows outside the scope then leave the local copy, and the result says so; a local delete is a delete on the cloud', async () => {
    const p = newPair(root, scoped("region = 'eu'"));
    await exec(p.remote, EVENTS, EVENTS_ROWS);
    await p.syncOk({ mode: 'full' });
    await exec(
      p.local,
      "INSERT INTO events VALUES (500, 'asia', 1, now()::TIMESTAMP), (501, 'eu', 2, now()::TIMESTAMP)",
      "UPDATE events SET region = 'us', v = -30 WHERE id = 30",
      'DELETE FROM events WHERE id = 40',
    );
    const r = await p.syncOk();
    assert.deepEqual(counts(r, 'events'), { status: 'ok', pulled: 0, pushed: 3, deleted: 1, conflicts: 0 });
    assert.ok(table(r, 'events').warnings?.some((w) => w.includes('2 row(s) outside the scope')), JSON.stringify(table(r, 'events').warnings));
    assert.deepEqual(await ids(p.local), [10, 20, 50, 60, 70, 80, 90, 100, 501]);
    assert.deepEqual(await query(p.remote, 'SELECT id, region, v FROM events WHERE id IN (30, 40, 500, 501) ORDER BY id'), [
      { id: 30, region: 'us', v: -30 },
      { id: 500, region: 'asia', v: 1 },
      { id: 501, region: 'eu', v: 2 },
    ]);
    // The rows that left are not deletes: the next syncs change nothing.
    const again = await p.syncOk();
    assert.deepEqual(counts(again, 'events'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
    assert.equal(Number((await query(p.remote, 'SELECT count(*) AS n FROM events'))[0]?.n), 101);
  });

  test('a new filter re-scopes at the next sync: new rows pulled, rows no longer in scope dropped locally, a pending local edit pushed, the cloud untouched otherwise', async () => {
    const p = newPair(root, scoped("region = 'eu'"));
    await exec(p.remote, EVENTS, EVENTS_ROWS);
    await p.syncOk({ mode: 'full' });
    await exec(p.local, 'UPDATE events SET v = -50 WHERE id = 50');
    const cloudBefore = await query(p.remote, 'SELECT * FROM events WHERE id <> 50 ORDER BY id');
    rewriteConfig(p, scoped('id <= 20'));
    const r = await p.syncOk();
    const t = table(r, 'events');
    assert.equal(t.status, 'ok');
    assert.equal(t.rowsPushed, 1);
    assert.equal(t.conflicts, 0);
    assert.ok(t.warnings?.some((w) => w.startsWith('re-scoped: the filter changed')), JSON.stringify(t.warnings));
    assert.deepEqual(await ids(p.local), Array.from({ length: 20 }, (_v, i) => i + 1));
    assert.deepEqual(await query(p.remote, 'SELECT v FROM events WHERE id = 50'), [{ v: -50 }]);
    assert.deepEqual(await query(p.remote, 'SELECT * FROM events WHERE id <> 50 ORDER BY id'), cloudBefore, 'the re-scope wrote nothing else to the cloud');
    assert.equal(t.rowsInScope, 20);
    // No filter: the whole table.
    rewriteConfig(p, {});
    const whole = await p.syncOk();
    assert.equal(table(whole, 'events').where, undefined);
    assert.equal((await ids(p.local)).length, 100);
  });

  test('a time window slides: a row that ages out of `ts >= now() - INTERVAL …` leaves at the next sync', async () => {
    const p = newPair(root, scoped("updated_at >= now()::TIMESTAMP - INTERVAL 90 DAY"));
    await exec(
      p.remote,
      EVENTS,
      "INSERT INTO events VALUES (1, 'eu', 1, now()::TIMESTAMP - INTERVAL 90 DAY + INTERVAL 3 SECOND), (2, 'eu', 2, now()::TIMESTAMP), (3, 'eu', 3, now()::TIMESTAMP - INTERVAL 200 DAY)",
    );
    await p.syncOk({ mode: 'full' });
    assert.deepEqual(await ids(p.local), [1, 2]);
    await sleep(4000);
    const r = await p.syncOk();
    assert.deepEqual(counts(r, 'events'), { status: 'ok', pulled: 0, pushed: 0, deleted: 1, conflicts: 0 });
    assert.deepEqual(await ids(p.local), [2]);
    assert.deepEqual(await ids(p.remote), [1, 2, 3]);
  });

  test('a cloud move out of the scope racing a local edit of the same row is a conflict, as usual', async () => {
    const p = newPair(root, scoped("region = 'eu'"));
    await exec(p.remote, EVENTS, EVENTS_ROWS);
    await p.syncOk({ mode: 'full' });
    await exec(p.remote, "UPDATE events SET region = 'us', updated_at = TIMESTAMP '2025-01-01' WHERE id = 60");
    await exec(p.local, 'UPDATE events SET v = -60 WHERE id = 60');
    const r = await p.sync({ mode: 'incremental' });
    assert.equal(table(r, 'events').status, 'ok');
    assert.equal(table(r, 'events').conflicts, 1);
    // remote-wins: the cloud's version (out of scope) stays, the local one is kept as a conflict.
    assert.deepEqual(await query(p.remote, 'SELECT region, v FROM events WHERE id = 60'), [{ region: 'us', v: 60 }]);
    assert.deepEqual(await ids(p.local, 'id = 60'), []);
    const [kept] = await query(p.local, "SELECT local_version FROM dewey_sync_conflicts WHERE table_name = 'events'");
    assert.match(String(kept?.local_version), /-60/);
  });

  test('a keyless table keeps the multiset of its rows in scope', async () => {
    const p = newPair(root, { tables: { readings: { where: 'sensor < 3' } } });
    await exec(p.remote, 'CREATE TABLE readings (sensor INTEGER, value INTEGER)', 'INSERT INTO readings SELECT i % 5, 7 FROM range(20) t(i)');
    await p.syncOk({ mode: 'full' });
    assert.deepEqual(await query(p.local, 'SELECT sensor, count(*)::INTEGER AS n FROM readings GROUP BY 1 ORDER BY 1'), [
      { sensor: 0, n: 4 },
      { sensor: 1, n: 4 },
      { sensor: 2, n: 4 },
    ]);
    await exec(p.local, 'INSERT INTO readings VALUES (1, 7), (4, 9)');
    await exec(p.remote, 'DELETE FROM readings WHERE sensor = 0');
    const r = await p.syncOk();
    assert.ok(table(r, 'readings').warnings?.some((w) => w.includes('1 row(s) outside the scope')));
    assert.deepEqual(await query(p.local, 'SELECT sensor, count(*)::INTEGER AS n FROM readings GROUP BY 1 ORDER BY 1'), [
      { sensor: 1, n: 5 },
      { sensor: 2, n: 4 },
    ]);
    assert.deepEqual(await query(p.remote, 'SELECT sensor, value, count(*)::INTEGER AS n FROM readings WHERE sensor IN (1, 4) GROUP BY ALL ORDER BY 1, 2'), [
      { sensor: 1, value: 7, n: 5 },
      { sensor: 4, value: 7, n: 4 },
      { sensor: 4, value: 9, n: 1 },
    ]);
  });

  test('a mapped column is filtered by its local name; the filter runs on the remote column', async () => {
    const p = newPair(root, scoped("area = 'eu'", { columns: { area: 'region' } }));
    await exec(p.remote, EVENTS, EVENTS_ROWS);
    const r = await p.syncOk({ mode: 'full' });
    assert.equal(table(r, 'events').rowsPulled, 10);
    assert.deepEqual(await query(p.local, 'SELECT DISTINCT area FROM events'), [{ area: 'eu' }]);
  });

  test('the library: openSyncedDatabase takes the filter; a write outside the scope is pushed, then leaves the local copy', async () => {
    const p = newPair(root);
    await exec(p.remote, EVENTS, EVENTS_ROWS);
    const db = await openSyncedDatabase({ local: p.local, remote: remoteUri(p.remote), cwd: p.dir, env: { DUCKDB_SYNC_CACHE_DIR: join(p.dir, 'cache') }, tableSettings: { events: { where: "region = 'eu'" } }, debounceMs: 0 });
    try {
      assert.deepEqual(await db.all('SELECT count(*)::INTEGER AS n FROM events'), [{ n: 10 }]);
      await db.run("INSERT INTO events VALUES (700, 'us', 7, TIMESTAMP '2024-06-01'), (701, 'eu', 7, TIMESTAMP '2024-06-01')");
      const pushed = await db.flush();
      assert.equal(pushed?.ok, true, JSON.stringify(pushed));
      assert.deepEqual(await db.all('SELECT id FROM events WHERE id >= 700 ORDER BY id'), [{ id: 701 }]);
    } finally {
      await db.close();
    }
    assert.deepEqual(await ids(p.remote, 'id >= 700'), [700, 701]);
  });

  test('a filter keeps its constants exactly: integers beyond 2^53 and strings that look like them', async () => {
    // Rounded to 2^53, the sum would drop id 10 from the scope.
    const p = newPair(root, scoped("region = 'eu' AND id + 9007199254740993 > 9007199254741002 AND region <> 'x\":12345678901234567890'"));
    await exec(p.remote, EVENTS, EVENTS_ROWS);
    await p.syncOk({ mode: 'full' });
    assert.deepEqual(await ids(p.local), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  test('a dry run plans within the scope and changes nothing', async () => {
    const p = newPair(root, scoped("region = 'eu'"));
    await exec(p.remote, EVENTS, EVENTS_ROWS);
    const r = await p.sync({ mode: 'full', dryRun: true });
    assert.equal(table(r, 'events').status, 'planned');
    assert.equal(table(r, 'events').rowsPulled, 10);
  });

  for (const [where, problem] of [
    ['nope = 1', 'unknown column "nope"'],
    ['v + 1', 'not a boolean expression'],
    ['id IN (SELECT 1)', 'a subquery is not allowed'],
    ['id > 1; DROP TABLE events', 'not one expression'],
    ['id > 1) OR (true', 'not one expression'],
    ['events.id > 1', 'write columns without a table name'],
    ['count(*) > 1', 'aggregate'],
  ] as const) {
    test(`a bad filter (${where}) fails before anything changes: ${problem}`, async () => {
      const p = newPair(root, scoped(where));
      await exec(p.remote, EVENTS, EVENTS_ROWS);
      const cloudBefore = await query(p.remote, 'SELECT * FROM events ORDER BY id');
      await assert.rejects(p.sync({ mode: 'full' }), (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.equal(e.exitCode, 2);
        assert.match(e.message, /^tables\.events\.where: /);
        assert.ok(e.message.includes(problem), e.message);
        return true;
      });
      assert.deepEqual(await query(p.remote, 'SELECT * FROM events ORDER BY id'), cloudBefore);
      assert.deepEqual(await query(p.local, "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name IN ('events', 'dewey_sync_metadata')"), [{ n: 0 }]);
    });
  }
});
