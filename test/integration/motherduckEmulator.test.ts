// remote kinds: chosen here — these tests are about the MotherDuck path itself (the emulator's options).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Database } from '../../src/db/database.js';
import { DatabaseError, MotherDuckRuleError, ReadOnlyRemoteError, SyncError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { parseRemote } from '../../src/remote/parseRemote.js';
import { sync, type SyncOptions } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import { openSyncedDatabase } from '../../src/tracking/syncedDatabase.js';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { dump } from './incrementalSupport.js';
import type { SyncResult } from '../../src/engine/api.js';

const root = tempDir();
const CLIENT = fileURLToPath(new URL('../fixtures/duckdbClient.mjs', import.meta.url));
let n = 0;

/** A folder with a cloud file holding a keyed and a keyless table, synced once into `local`. */
async function synced(localName = 'local.duckdb', cloudName = 'cloud.duckdb'): Promise<{ local: string; cloud: string; dir: string; run: (o?: SyncOptions & { emu?: string }) => ReturnType<typeof sync> }> {
  const dir = join(root, `e${++n}`);
  mkdirSync(join(dir, 'cloud'), { recursive: true });
  const local = join(dir, localName);
  const cloud = join(dir, 'cloud', cloudName);
  await exec(
    cloud,
    'CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR, updated_at TIMESTAMP)',
    "INSERT INTO items SELECT i, 'item ' || i, TIMESTAMP '2024-01-01' + to_minutes(i) FROM range(1, 101) t(i)",
    'CREATE TABLE tags (t VARCHAR, n INTEGER)',
    "INSERT INTO tags SELECT 'tag' || (i % 4), i % 2 FROM range(0, 40) t(i)",
  );
  const env = { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
  const run = ({ emu, ...o }: SyncOptions & { emu?: string } = {}) =>
    sync({ local, remote: `mdemu:${cloud}${emu ? `?${emu}` : ''}`, env, retryDelayMs: 10, mode: 'incremental', ...o });
  const first = await run({ mode: 'full' });
  assert.equal(first.ok, true, JSON.stringify(first.tables));
  return { local, cloud, dir, run };
}

async function identical(local: string, cloud: string): Promise<void> {
  const v = await verify({ local, remote: `mdemu:${cloud}` });
  assert.equal(v.ok, true, JSON.stringify(v.tables));
}

async function stagesLeft(cloud: string): Promise<number> {
  const [row] = await query(cloud, "SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = '_duckdb_sync' AND table_name LIKE 'stage_%'");
  return Number(row?.n);
}

describe('the MotherDuck path through the emulator', () => {
  test('a local file named like the cloud database: the catalogs do not collide', async () => {
    const { local, cloud, run } = await synced('analytics.duckdb', 'analytics.duckdb');
    await exec(local, "UPDATE items SET name = 'local edit' WHERE id = 1", "INSERT INTO tags VALUES ('new', 9)");
    await exec(cloud, "UPDATE items SET name = 'cloud edit', updated_at = now() WHERE id = 2");
    const r = await run();
    assert.equal(r.ok, true, JSON.stringify(r.tables));
    await identical(local, cloud);
    assert.deepEqual(await query(cloud, 'SELECT name FROM items WHERE id IN (1, 2) ORDER BY id'), [{ name: 'local edit' }, { name: 'cloud edit' }]);
    assert.equal(await stagesLeft(cloud), 0, 'every stage is dropped in its push transaction');
  });

  test('pushes go through a stage on the remote: keyed and keyless, deletes included, no rowid', async () => {
    const { local, cloud, run } = await synced();
    await exec(local, 'DELETE FROM items WHERE id <= 10', "UPDATE items SET name = 'x' WHERE id = 50", "DELETE FROM tags WHERE t = 'tag1' AND n = 1", "INSERT INTO tags VALUES ('tag2', 0), ('tag2', 0)");
    const r = await run();
    assert.equal(r.ok, true, JSON.stringify(r.tables));
    await identical(local, cloud);
    assert.deepEqual(await dump(local), await dump(cloud));
  });

  test('a read-only share: pull works, --direction push is refused before anything is read, a table with local changes fails alone', async () => {
    const { local, cloud, run } = await synced();
    await exec(cloud, "UPDATE items SET name = 'cloud', updated_at = now() WHERE id = 3");
    const pulled = await run({ emu: 'read_only', direction: 'pull' });
    assert.equal(pulled.ok, true, JSON.stringify(pulled.tables));
    assert.deepEqual(await query(local, 'SELECT name FROM items WHERE id = 3'), [{ name: 'cloud' }]);

    await exec(local, "UPDATE items SET name = 'mine' WHERE id = 4");
    const before = await dump(cloud, true);
    await assert.rejects(run({ emu: 'read_only', direction: 'push' }), (e: unknown) => e instanceof ReadOnlyRemoteError && e.exitCode === 2 && /share/.test(e.message));
    const both = await run({ emu: 'read_only' });
    assert.equal(both.ok, false);
    assert.deepEqual(
      both.tables.map((t) => [t.name, t.status, t.errorCode ?? null]),
      [
        ['items', 'error', 'E_READ_ONLY_REMOTE'],
        ['tags', 'ok', null],
      ],
    );
    assert.deepEqual(await dump(cloud, true), before, 'the share is unchanged');
    // With write access again, the waiting edit goes up.
    assert.equal((await run()).ok, true);
    assert.deepEqual(await query(cloud, 'SELECT name FROM items WHERE id = 4'), [{ name: 'mine' }]);
  });

  test('a network failure at any statement of a sync is retried; the push resumes and nothing is lost or doubled', async () => {
    const { local, cloud, run } = await synced();
    // Fail at one statement after another of syncs with local and remote changes on both kinds of table.
    const edits = async (i: number): Promise<void> => {
      await exec(local, `UPDATE items SET name = 'l${i}' WHERE id = ${i + 1}`, `INSERT INTO tags VALUES ('l${i}', ${i})`, `DELETE FROM items WHERE id = ${90 - i}`);
      await exec(cloud, `UPDATE items SET name = 'r${i}', updated_at = now() WHERE id = ${i + 20}`, `INSERT INTO tags VALUES ('r${i}', ${i})`);
    };
    for (let at = 1; at <= 46; at += 5) {
      await edits(at);
      const r = await run({ emu: `fail_at=${at}` });
      assert.equal(r.ok, true, `fail_at=${at}: ${JSON.stringify(r.tables)}`);
      await identical(local, cloud);
      assert.equal(await stagesLeft(cloud), 0, `fail_at=${at}: no stage left`);
    }
    assert.deepEqual(await dump(local), await dump(cloud));
    const tags = await query(cloud, "SELECT CAST(count(*) AS INTEGER) AS n FROM tags WHERE t LIKE 'l%' OR t LIKE 'r%'");
    assert.deepEqual(tags, [{ n: 2 * 10 }], 'each keyless insert arrived exactly once');
  });

  test('a commit that loses to another client (conflict_at, at one statement or COMMIT after another) is retried from the table\'s start; nothing is lost or doubled', async () => {
    const { local, cloud, run } = await synced();
    const retried: string[] = [];
    const logger = { ...silentLogger, debug: (m: string) => void (/another client wrote the remote/.test(m) && retried.push(m)) };
    for (let at = 2; at <= 40; at += 3) {
      await exec(local, `UPDATE items SET name = 'l${at}' WHERE id = ${at}`, `INSERT INTO tags VALUES ('l${at}', ${at})`);
      await exec(cloud, `UPDATE items SET name = 'r${at}', updated_at = now() WHERE id = ${at + 50}`, `INSERT INTO tags VALUES ('r${at}', ${at})`);
      const r = await run({ emu: `conflict_at=${at}`, logger });
      assert.equal(r.ok, true, `conflict_at=${at}: ${JSON.stringify(r.tables)}`);
      await identical(local, cloud);
      assert.equal(await stagesLeft(cloud), 0, `conflict_at=${at}: no stage left`);
    }
    assert.ok(retried.length >= 5, `conflicts were met and retried: ${retried.length}`);
    const tags = await query(cloud, "SELECT CAST(count(*) AS INTEGER) AS n FROM tags WHERE t LIKE 'l%' OR t LIKE 'r%'");
    assert.deepEqual(tags, [{ n: 2 * 13 }], 'each keyless insert arrived exactly once');
  });

  test('a conflict that outlasts the retries fails the table with E_REMOTE_CONFLICT; the next sync completes it', async () => {
    const { local, cloud, run } = await synced();
    await exec(local, "UPDATE items SET name = 'after' WHERE id = 3");
    const failing = Array.from({ length: 80 }, (_v, i) => i + 4).join(',');
    const r = await run({ emu: `conflict_at=${failing}`, maxRetries: 1 });
    assert.equal(r.ok, false);
    assert.ok(r.tables.some((t) => t.errorCode === 'E_REMOTE_CONFLICT'), JSON.stringify(r.tables));
    assert.equal((await run()).ok, true);
    await identical(local, cloud);
    assert.deepEqual(await query(cloud, 'SELECT name FROM items WHERE id = 3'), [{ name: 'after' }]);
  });

  test('a synced database open in an app holds the emulated database only while it syncs: another client syncs it meanwhile', async () => {
    const { local, cloud, dir } = await synced();
    const env = { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
    const db = await openSyncedDatabase({ local, remote: `mdemu:${cloud}`, env, autoSync: false, logger: silentLogger });
    try {
      await db.run("UPDATE items SET name = 'app' WHERE id = 1");
      await db.flush();
      // Another client, in its own process: a plain DuckDB client opening the emulated database's
      // file for writing, as another duckdb-sync (or any MotherDuck client) reaches the server.
      const other = spawnSync(process.execPath, [CLIENT, JSON.stringify({ path: cloud, statements: ["UPDATE items SET name = 'other', updated_at = now() WHERE id = 2"] })], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(other.status, 0, other.stderr);
      assert.match(other.stdout, /done 0/, 'the file was free: no open found it held');
      const r = await db.sync();
      assert.equal(r.ok, true, JSON.stringify(r.tables));
      assert.deepEqual(await db.all('SELECT name FROM items WHERE id IN (1, 2) ORDER BY id'), [{ name: 'app' }, { name: 'other' }]);
    } finally {
      await db.close();
    }
    await identical(local, cloud);
  });

  test('a DuckLake database: tables created without constraints or non-literal defaults (said once each), sequences left local, the key still honoured', async () => {
    const { local, cloud, run } = await synced();
    await exec(
      local,
      'CREATE SEQUENCE order_ids START 100',
      `CREATE TABLE orders (id INTEGER PRIMARY KEY, sku VARCHAR UNIQUE, qty INTEGER CHECK (qty > 0), status VARCHAR DEFAULT 'new', seq BIGINT DEFAULT nextval('order_ids'), created TIMESTAMP DEFAULT now())`,
      "INSERT INTO orders (id, sku, qty) SELECT i, 'sku' || i, i FROM range(1, 51) t(i)",
    );
    const first = await run({ emu: 'ducklake', pushObjects: ['order_ids'] });
    assert.equal(first.ok, true, JSON.stringify(first.tables));
    const orders = first.tables.find((t) => t.name === 'orders');
    const said = (orders?.warnings ?? []).join('\n');
    for (const what of [/PRIMARY KEY \("id"\) is not created on the remote: a DuckLake database holds no constraints; duckdb-sync keeps the key/, /UNIQUE \("sku"\) is not created/, /CHECK.*qty.* is not created/, /default of column created \(now\(\)\) is not created on the remote: a DuckLake database keeps only literal defaults/, /default of column seq .* draws from a sequence/]) {
      assert.match(said, what);
    }
    assert.doesNotMatch(said, /column status/, "a literal default is kept: not mentioned");
    assert.equal((first.objects ?? []).find((o) => o.name === 'order_ids')?.detail.includes('DuckLake database holds no sequences'), true, JSON.stringify(first.objects));
    assert.deepEqual(await query(cloud, "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'orders' AND constraint_type <> 'NOT NULL'"), []);
    assert.deepEqual(await query(cloud, "SELECT column_name, column_default FROM duckdb_columns() WHERE table_name = 'orders' AND column_default IS NOT NULL"), [{ column_name: 'status', column_default: "'new'" }]);
    assert.deepEqual(await query(cloud, "SELECT count(*)::INTEGER AS n FROM duckdb_sequences()"), [{ n: 0 }]);
    // The key is honoured from the local table: an edit on each side of the same row is a conflict,
    // an update never leaves two rows with one key, a delete is a delete.
    await exec(local, "UPDATE orders SET qty = 99 WHERE id = 1", "UPDATE orders SET sku = 'local' WHERE id = 2", 'DELETE FROM orders WHERE id = 3');
    await exec(cloud, "UPDATE orders SET sku = 'cloud' WHERE id = 2");
    const second = await run({ emu: 'ducklake', pushObjects: ['order_ids'] });
    assert.equal(second.ok, true, JSON.stringify(second.tables));
    assert.equal(second.tables.find((t) => t.name === 'orders')?.conflicts, 1, JSON.stringify(second.tables));
    assert.deepEqual(await query(cloud, 'SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS k FROM orders'), [{ n: 49, k: 49 }]);
    assert.deepEqual(await query(cloud, 'SELECT qty FROM orders WHERE id = 1'), [{ qty: 99 }]);
    assert.equal((await run({ emu: 'ducklake', mode: 'full', pushObjects: ['order_ids'] })).ok, true);
    await identical(local, cloud);
  });

  test('a lagging read replica (stale_reads): a snapshot older than the last sync saw is detected, with a cursor, without one, without a key; nothing is taken for deletes or changes, the table waits for the next sync', async () => {
    const { local, cloud, dir, run } = await synced();
    // `accounts` has a key and no cursor, `tags` no key: their pushes are logged all the same, and the log dates the snapshot.
    await exec(cloud, 'CREATE TABLE accounts (id INTEGER PRIMARY KEY, name VARCHAR)', "INSERT INTO accounts SELECT i, 'account ' || i FROM range(1, 21) t(i)");
    assert.equal((await run()).ok, true);
    const other = join(dir, 'other.duckdb');
    const env = { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache-other') };
    const otherSync = () => sync({ local: other, remote: `mdemu:${cloud}`, env, retryDelayMs: 10, mode: 'incremental' });
    assert.equal((await otherSync()).ok, true);
    await exec(other, "INSERT INTO items VALUES (1001, 'first', now())", "INSERT INTO accounts VALUES (1001, 'first')", "INSERT INTO tags VALUES ('first', 1)");
    assert.equal((await otherSync()).ok, true);
    // The replica's snapshot: taken now, before the other client's next push.
    const stale = join(dir, 'replica.duckdb');
    copyFileSync(cloud, stale);
    await exec(
      other,
      "INSERT INTO items VALUES (1002, 'second', now())",
      "UPDATE items SET name = 'moved', updated_at = now() WHERE id = 5",
      "INSERT INTO accounts VALUES (1002, 'second')",
      "UPDATE accounts SET name = 'moved' WHERE id = 5",
      "INSERT INTO tags VALUES ('second', 2)",
      "DELETE FROM tags WHERE t = 'tag1'",
    );
    assert.equal((await otherSync()).ok, true);
    assert.equal((await run()).ok, true);
    const before = await dump(local);
    for (const mode of ['incremental', 'full'] as const) {
      const r = await run({ emu: `stale_reads=${stale}`, mode, direction: 'pull' });
      assert.equal(r.ok, true, JSON.stringify(r.tables));
      for (const name of ['items', 'accounts', 'tags']) {
        const table = r.tables.find((t) => t.name === name);
        assert.match((table?.warnings ?? []).join(' '), /older snapshot than the last sync saw/, `${mode}, ${name}: ${JSON.stringify(table)}`);
      }
      assert.deepEqual(await dump(local), before, `${mode}: nothing changed locally`);
    }
    assert.equal((await run()).ok, true);
    await identical(local, cloud);
    for (const table of ['items', 'accounts']) {
      assert.deepEqual(await query(local, `SELECT name FROM ${table} WHERE id IN (5, 1001, 1002) ORDER BY id`), [{ name: 'moved' }, { name: 'first' }, { name: 'second' }], table);
    }
    assert.deepEqual(await query(local, "SELECT t, count(*)::INTEGER AS n FROM tags WHERE t IN ('first', 'second', 'tag1') GROUP BY t ORDER BY t"), [{ t: 'first', n: 1 }, { t: 'second', n: 1 }]);
  });

  test('workspace attach mode: full and incremental syncs, network retries and a library push never send a DETACH (the emulator refuses it)', async () => {
    const { local, cloud, dir, run: runQuietly } = await synced();
    const env = { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
    // Every statement sent to the remote is in the debug log; a refused DETACH would be swallowed by close().
    const sent: string[] = [];
    const logger = { ...silentLogger, debug: (m: string) => void sent.push(m) };
    const run = (o: SyncOptions & { emu?: string }) => runQuietly({ ...o, logger });
    await exec(local, "UPDATE items SET name = 'local' WHERE id = 1", "INSERT INTO tags VALUES ('local', 1)");
    await exec(cloud, "UPDATE items SET name = 'cloud', updated_at = now() WHERE id = 2");
    assert.equal((await run({ emu: 'workspace' })).ok, true);
    assert.equal((await run({ emu: 'workspace', mode: 'full' })).ok, true);
    // A network failure resets the attachment: the database is still attached, and is used as it is.
    await exec(local, "UPDATE items SET name = 'again' WHERE id = 3");
    for (const at of [3, 6, 9]) assert.equal((await run({ emu: `workspace&fail_at=${at}` })).ok, true, `fail_at=${at}`);
    const db = await openSyncedDatabase({ local, remote: `mdemu:${cloud}?workspace`, env, autoSync: false, logger });
    try {
      await db.run("UPDATE items SET name = 'library' WHERE id = 4");
      await db.flush();
    } finally {
      await db.close();
    }
    await identical(local, cloud);
    assert.deepEqual(await query(cloud, 'SELECT name FROM items WHERE id IN (1, 3, 4) ORDER BY id'), [{ name: 'local' }, { name: 'again' }, { name: 'library' }]);
    // A share attached first is in workspace mode too: pulls work, nothing is detached.
    await exec(cloud, "UPDATE items SET name = 'shared', updated_at = now() WHERE id = 5");
    assert.equal((await run({ emu: 'workspace&read_only', direction: 'pull' })).ok, true);
    assert.deepEqual(await query(local, 'SELECT name FROM items WHERE id = 5'), [{ name: 'shared' }]);
    assert.ok(sent.some((l) => /^remote round trip \d+: ATTACH/.test(l)), 'the log shows the statements sent');
    assert.deepEqual(sent.filter((l) => /^remote round trip \d+: DETACH/.test(l)), [], 'no DETACH ever sent');
    assert.ok(sent.some((l) => /left remote .* attached \(workspace attach mode/.test(l)));
  });

  test('a failure that outlasts the retries fails the table; the next sync completes it exactly once', async () => {
    const { local, cloud, run } = await synced();
    await exec(local, "INSERT INTO tags VALUES ('once', 1)", "UPDATE items SET name = 'once' WHERE id = 7");
    // Every statement from the 3rd on fails: the probe after finding the tables (1 attach, 2 the
    // listing, 3 the probe) gives up, then each table does; with a later start, each table does.
    for (const from of [3, 4]) {
      const failing = Array.from({ length: 80 }, (_v, i) => i + from).join(',');
      const r: unknown = await run({ emu: `fail_at=${failing}`, maxRetries: 1 }).catch((e: unknown) => e);
      const codes = r instanceof SyncError ? [r.code] : (r as SyncResult).tables.map((t) => t.errorCode ?? t.status);
      assert.ok(codes.length && codes.every((c) => c === 'E_REMOTE_UNAVAILABLE'), `from ${from}: ${JSON.stringify(codes)}`);
    }
    assert.equal((await run()).ok, true);
    await identical(local, cloud);
    assert.deepEqual(await query(cloud, "SELECT CAST(count(*) AS INTEGER) AS n FROM tags WHERE t = 'once'"), [{ n: 1 }]);
  });

  test('a DuckDB client MotherDuck does not support: a clear error naming the version and the fix', async () => {
    const { local, cloud } = await synced();
    const before = await dump(local, true);
    await assert.rejects(
      sync({ local, remote: `mdemu:${cloud}?max_client=1.0.0`, retryDelayMs: 10 }),
      (e: unknown) => e instanceof Error && 'code' in e && e.code === 'E_CLIENT_VERSION' && /MotherDuck does not accept this DuckDB client \(v\d/.test(e.message),
    );
    assert.deepEqual(await dump(local, true), before);
  });

  test('a local file synced through the emulator, then with the same file as a file remote (and back): its baselines serve both, no schema error', async () => {
    const { local, cloud, dir } = await synced();
    const env = { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
    // The emulator's server hashes as this client does: its baselines keep hash() only, as a file remote's do.
    for (const remote of [cloud, `mdemu:${cloud}`]) {
      const r = await sync({ local, remote, env, mode: 'incremental' });
      assert.equal(r.ok, true, `${remote}: ${JSON.stringify(r.tables)}`);
      assert.deepEqual(
        r.tables.map((t) => [t.warnings, t.rowsPulled]),
        r.tables.map(() => [undefined, 0]),
      );
    }
    // Baselines with canonical fingerprints (pinned here; a server that hashes differently makes them) are
    // another scheme than a file remote's: compared in full there, and back.
    await sync({ local, remote: `mdemu:${cloud}`, env, mode: 'full', fingerprints: 'canonical' });
    for (const [remote, fingerprints] of [[cloud, undefined], [`mdemu:${cloud}`, 'canonical']] as const) {
      const r = await sync({ local, remote, env, mode: 'incremental', fingerprints });
      assert.equal(r.ok, true, `${remote}: ${JSON.stringify(r.tables)}`);
      assert.deepEqual(
        r.tables.map((t) => t.warnings),
        r.tables.map(() => ['no usable baseline (first sync, or a schema change): pulled in full']),
      );
    }
    await identical(local, cloud);
  });

  test('round trips are counted per table and per run; delay_ms paces each of them', async () => {
    const { local, cloud, run } = await synced();
    const quiet = await run();
    assert.ok(quiet.remoteRoundTrips > 0);
    const perTable = (r: SyncResult): number => r.tables.reduce((n, t) => n + (t.remoteRoundTrips ?? 0), 0);
    assert.equal(perTable(quiet), 0, 'nothing changed: no table costs a round trip of its own (the probe covers them all)');
    await exec(local, "UPDATE items SET name = 'x' WHERE id = 1");
    const push = await run();
    assert.ok(push.remoteRoundTrips > quiet.remoteRoundTrips, 'a push sends more statements than a sync with nothing to do');
    assert.ok(perTable(push) > 0 && perTable(push) <= push.remoteRoundTrips, `${perTable(push)} of ${push.remoteRoundTrips}`);
    // The same work twice more (the first push also started the table's change log), once paced.
    await exec(local, "UPDATE items SET name = 'y' WHERE id = 1");
    const again = await run();
    await exec(local, "UPDATE items SET name = 'z' WHERE id = 1");
    const paced = await run({ emu: 'delay_ms=30' });
    assert.equal(paced.remoteRoundTrips, again.remoteRoundTrips, 'the same work, the same round trips');
    assert.ok(paced.durationMs >= 30 * paced.remoteRoundTrips * 0.9, `${paced.durationMs} ms for ${paced.remoteRoundTrips} round trips of 30 ms`);
    await identical(local, cloud);
  });

  test('steps that only read cannot write the remote, and the emulator refuses what MotherDuck refuses', async () => {
    const { dir, cloud } = await synced();
    const db = await Database.open({ local: join(dir, 'other.duckdb'), remote: parseRemote(`mdemu:${cloud}`), motherduckToken: undefined, maxRetries: 0, retryDelayMs: 0, logger: silentLogger });
    try {
      await assert.rejects(
        db.withRemote(true, () => db.run('INSERT INTO "cloud"."main"."tags" VALUES (\'x\', 1)')),
        (e: unknown) => e instanceof DatabaseError && /step that only reads tried to write the remote/.test(e.message),
      );
      await db.withRemote(false, async () => {
        await assert.rejects(db.run('DELETE FROM "cloud"."main"."tags" WHERE rowid = 0'), MotherDuckRuleError);
        await assert.rejects(db.run('CHECKPOINT "cloud"'), MotherDuckRuleError);
        await db.run('CREATE OR REPLACE TEMP TABLE temp.sync_x AS SELECT 1 AS k0');
        await assert.rejects(db.run('DELETE FROM "cloud"."main"."items" AS x WHERE x.id IN (SELECT k0 FROM temp.sync_x)'), MotherDuckRuleError);
        // An upload from local data is what MotherDuck documents.
        await db.run('CREATE TABLE "cloud"."main"."uploaded" AS SELECT k0 FROM temp.sync_x');
      });
      assert.ok(db.remoteStatements >= 5, `counted ${db.remoteStatements}`);
    } finally {
      await db.close();
    }
    assert.deepEqual(await query(cloud, 'SELECT k0 FROM uploaded'), [{ k0: 1 }]);
  });
});
