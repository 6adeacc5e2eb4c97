import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { duckdb } from '../../src/duckdb/duckdbApi.js';
import { MotherDuckRuleError, ReadOnlyRemoteError, RemoteUnavailableError, RemoteWriteConflictError, UnsupportedClientError, UsageError } from '../../src/errors.js';
import { classifyMotherDuckError } from '../../src/remote/motherduck/motherduckErrors.js';
import { parseRemote } from '../../src/remote/parseRemote.js';
import { readRemoteStatement } from '../../src/remote/remoteStatement.js';
import { isLiteralDefault } from '../../src/remote/literalDefault.js';

const CAT = 'analytics';
const read = (sql: string): ReturnType<typeof readRemoteStatement> => readRemoteStatement(sql, CAT);

describe('readRemoteStatement: what a statement does to the remote', () => {
  test('statements that do not name the remote catalog do not reach it', () => {
    assert.equal(read('SELECT * FROM "main"."t"'), undefined);
    assert.equal(read('CREATE OR REPLACE TEMP TABLE temp.sync_ld AS SELECT 1'), undefined);
    assert.equal(read(`SELECT "analytics" FROM "main"."t"`), undefined, 'a column named like the catalog is not the catalog');
  });

  test('reads, uploads, row changes and DDL', () => {
    assert.deepEqual(read('SELECT count(*) FROM "analytics"."main"."t" r JOIN temp.sync_lkeys k ON r.id = k.k0'), {
      sql: 'SELECT count(*) FROM "analytics"."main"."t" r JOIN temp.sync_lkeys k ON r.id = k.k0',
      write: undefined,
      readsLocal: true,
    });
    const upload = read('CREATE TABLE "analytics"."_duckdb_sync"."stage_1" AS SELECT p.k0 FROM temp.sync_plan p LEFT JOIN "main"."t" s ON true');
    assert.equal(upload?.write, 'append');
    assert.equal(upload?.readsLocal, true);
    assert.equal(read('INSERT INTO "analytics"."main"."t" ("a") SELECT s.c0 FROM "analytics"."_duckdb_sync"."stage_1" s')?.write, 'append');
    const del = read('DELETE FROM "analytics"."main"."t" AS x WHERE (x."id") IN (SELECT p.k0 FROM "analytics"."_duckdb_sync"."stage_1" p)');
    assert.deepEqual([del?.write, del?.readsLocal], ['modify', false]);
    const bad = read('DELETE FROM "analytics"."main"."t" AS x WHERE (x."id") IN (SELECT p.k0 FROM temp.sync_plan p)');
    assert.deepEqual([bad?.write, bad?.readsLocal], ['modify', true]);
    assert.equal(read('UPDATE "analytics"."main"."t" AS x SET "a" = n.v0 FROM "main"."t" n WHERE true')?.readsLocal, true);
    assert.equal(read('ALTER TABLE "analytics"."main"."t" ADD COLUMN "b" INTEGER')?.write, 'ddl');
    assert.equal(read('CREATE SCHEMA IF NOT EXISTS "analytics"."_duckdb_sync"')?.write, 'ddl');
    assert.equal(read('CREATE TABLE IF NOT EXISTS "analytics"."s"."t" ("a" INTEGER)')?.write, 'ddl');
    assert.equal(read('DROP TABLE "analytics"."_duckdb_sync"."stage_1"')?.write, 'ddl');
    // Quoted aliases in fingerprints are column references, not tables read.
    assert.equal(read(`DELETE FROM "analytics"."main"."t" AS r WHERE md5(CAST("r"."x" AS VARCHAR)) IN (SELECT __f FROM "analytics"."_duckdb_sync"."stage_1")`)?.readsLocal, false);
    // Writing the local side while reading the remote (a pull) is not a remote write.
    assert.equal(read('INSERT INTO "main"."t" SELECT * FROM "analytics"."main"."t"')?.write, undefined);
  });

  test("a remote sequence's nextval() is a write, in a SELECT too; a local one does not reach the remote", () => {
    const advance = read(`SELECT max(nextval('"analytics"."main"."order_ids"')) FROM range(3)`);
    assert.deepEqual([advance?.write, advance?.readsLocal], ['modify', false]);
    assert.equal(read(`SELECT max(nextval('"main"."order_ids"')) FROM range(3)`), undefined);
    // Reading a sequence's state is not a write.
    assert.equal(read(`SELECT * FROM duckdb_sequences() WHERE database_name = 'x' AND sql LIKE '%"analytics"."main"."s"%'`)?.write, undefined);
  });

  test('a catalog passed as a parameter (catalog look-ups) reaches the remote', () => {
    assert.ok(readRemoteStatement('SELECT count(*) FROM duckdb_tables() WHERE database_name = $3', CAT, ['s', 't', CAT]));
  });
});

describe('the emulator refuses what MotherDuck refuses', () => {
  const emu = parseRemote('mdemu:/x/analytics.duckdb');
  const inspect = (sql: string): string => emu.inspect(read(sql) ?? { sql, write: undefined, readsLocal: false });
  const refused = (sql: string, rule: RegExp): void => assert.throws(() => inspect(sql), (e: unknown) => e instanceof MotherDuckRuleError && rule.test(e.message) && e.exitCode === 1);

  test('rowid, CHECKPOINT, READ_ONLY, an alias, a row change reading local tables', () => {
    refused('DELETE FROM "analytics"."main"."t" WHERE rowid IN (SELECT 1)', /rowid/);
    refused('CHECKPOINT "analytics"', /checkpoints its own storage/);
    refused(`ATTACH '/x/analytics.duckdb' AS "remote"`, /aliases/);
    refused('DELETE FROM "analytics"."main"."t" AS x WHERE x.id IN (SELECT k0 FROM temp.sync_plan)', /cannot read local or temp tables/);
    refused('UPDATE "analytics"."main"."t" AS x SET "a" = n.v0 FROM temp.sync_newcols n WHERE true', /cannot read local or temp tables/);
    refused('SELECT * FROM "analytics"."main"."t" WHERE current_setting(\'access_mode\') = \'READ_ONLY\'', /READ_ONLY/);
  });

  test('uploads from local data, remote-only row changes and plain reads pass, and are counted', () => {
    const emu2 = parseRemote('mdemu:/x/analytics.duckdb') as ReturnType<typeof parseRemote> & { statements: number };
    for (const sql of [
      `ATTACH '/x/analytics.duckdb'`,
      'CREATE TABLE "analytics"."_duckdb_sync"."stage_1" AS SELECT p.k0 FROM temp.sync_plan p',
      'DELETE FROM "analytics"."main"."t" AS x WHERE x.id IN (SELECT k0 FROM "analytics"."_duckdb_sync"."stage_1")',
      'SELECT * FROM "analytics"."main"."t" r JOIN temp.sync_lkeys k ON r.id = k.k0',
    ]) {
      emu2.inspect(read(sql) ?? { sql, write: undefined, readsLocal: false });
    }
    assert.equal(emu2.statements, 4);
  });

  test('hashes=other: hash() in a statement that reaches it is salted, as another release would hash; the text is otherwise sent as it is', () => {
    const sql = 'SELECT hash(row(r."a", r."b")) AS h, HASH(r."c") FROM "analytics"."main"."t" r';
    assert.equal(inspect(sql), sql);
    const other = parseRemote('mdemu:/x/analytics.duckdb?hashes=other');
    const sent = other.inspect(read(sql) ?? { sql, write: undefined, readsLocal: false });
    assert.equal(sent, `SELECT hash('another DuckDB release', row(r."a", r."b")) AS h, hash('another DuckDB release', r."c") FROM "analytics"."main"."t" r`);
    assert.throws(() => parseRemote('mdemu:/x/analytics.duckdb?hashes=same'), /invalid emulator option hashes=same/);
  });

  test('max_client: a newer client is refused when the extension loads (before the attach), in MotherDuck\'s own words, named UnsupportedClientError', async () => {
    const old = parseRemote('mdemu:/x/analytics.duckdb?max_client=1.0.0');
    const named: unknown = await old.prepare(async () => undefined, undefined).then(() => undefined, (e: unknown) => e);
    assert.ok(named instanceof UnsupportedClientError);
    assert.match(named.message, /Your DuckDB version \(v[\d.]+\) is not yet supported by MotherDuck/);
    assert.ok(named.message.includes(duckdb.version().replace(/^v/, '')), 'names the client version');
    assert.match(named.hint ?? '', /version-lifecycle/);
    // The attach itself is not where it is refused.
    assert.equal(old.inspect({ sql: `ATTACH '/x/analytics.duckdb'`, write: undefined, readsLocal: false }), `ATTACH '/x/analytics.duckdb'`);
    await parseRemote('mdemu:/x/analytics.duckdb?max_client=99.0.0').prepare(async () => undefined, undefined);
  });

  test('fail_at: the n-th statement fails once with a network error, classified transient', () => {
    const flaky = parseRemote('mdemu:/x/analytics.duckdb?fail_at=2') as ReturnType<typeof parseRemote>;
    const st = { sql: 'SELECT 1 FROM "analytics"."main"."t"', write: undefined, readsLocal: false };
    flaky.inspect(st);
    let error: unknown;
    try {
      flaky.inspect(st);
    } catch (e) {
      error = e;
    }
    const named = flaky.classifyError((error as Error).message);
    assert.ok(named instanceof RemoteUnavailableError && named.transient);
    assert.doesNotThrow(() => flaky.inspect(st), 'only once');
  });
});

describe('classifyMotherDuckError: what MotherDuck says, named', () => {
  // Messages as users reported them (tconbeer/harlequin#900, airbytehq/airbyte#55235, rilldata/rill#4585).
  for (const message of [
    'Invalid Input Error: Initialization function "motherduck_init" threw an exception: "Your DuckDB version (v1.4.3) is not yet supported by MotherDuck. The latest supported version is v1.4.2. Please downgrade to use MotherDuck."',
    "Your DuckDB version (v0.10.3) is not supported by MotherDuck. Please upgrade DuckDB to v1.2.1",
    "It looks like you're using an unsupported version of DuckDB (0.10.1). MotherDuck currently only supports DuckDB 0.9.2.",
  ]) {
    test(`unsupported client: ${message.slice(0, 60)}…`, () => {
      const e = classifyMotherDuckError(message, 'md:analytics');
      assert.ok(e instanceof UnsupportedClientError, String(e));
      assert.equal(e.code, 'E_CLIENT_VERSION');
    });
  }

  test('read-only database (share, read scaling) and network failures', () => {
    assert.ok(classifyMotherDuckError('Invalid Input Error: Cannot execute statement of type "INSERT" on database "birds" which is attached in read-only mode!', 'md:_share/birds/x') instanceof ReadOnlyRemoteError);
    for (const m of ['IO Error: Connection error: connection reset by peer', 'gRPC error UNAVAILABLE: failed to connect to all addresses', 'HTTP 503 Service Unavailable', 'request timed out']) {
      assert.ok(classifyMotherDuckError(m, 'md:a') instanceof RemoteUnavailableError, m);
    }
    assert.equal(classifyMotherDuckError('Catalog Error: Table with name t does not exist!', 'md:a'), undefined);
  });

  test("a commit lost to another client is a transient conflict; a conflict between this process's own connections is not the remote's", () => {
    const lost = classifyMotherDuckError('TransactionContext Error: Failed to commit: MotherDuck transaction statement failed: Conflict on tuple deletion!', 'md:a');
    assert.ok(lost instanceof RemoteWriteConflictError && lost.transient && lost.code === 'E_REMOTE_CONFLICT', String(lost));
    assert.equal(classifyMotherDuckError('TransactionContext Error: Conflict on update!', 'md:a'), undefined);
  });
});

describe('the emulator plays a lost race (conflict_at)', () => {
  test('the n-th statement or COMMIT fails once with MotherDuck\'s text, named a conflict; bad numbers are usage errors', () => {
    const emu = parseRemote('mdemu:/data/cloud.duckdb?conflict_at=2');
    const st = { sql: 'SELECT 1 FROM "cloud"."main"."t"', write: undefined, readsLocal: false };
    assert.doesNotThrow(() => emu.inspect(st));
    const error = (() => {
      try {
        emu.inspect({ sql: 'COMMIT', write: undefined, readsLocal: false });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(emu.classifyError((error as Error).message) instanceof RemoteWriteConflictError);
    assert.doesNotThrow(() => emu.inspect(st), 'only once');
    for (const bad of ['conflict_at=0', 'conflict_at=x', 'fail_at=1.5']) {
      assert.throws(() => parseRemote(`mdemu:/data/cloud.duckdb?${bad}`), (e: unknown) => e instanceof UsageError && e.message.includes('invalid emulator option'), bad);
    }
  });
});

describe('the emulator plays a DuckLake database (ducklake)', () => {
  const lake = parseRemote('mdemu:/data/cloud.duckdb?ducklake');
  const ddl = (sql: string) => ({ sql, write: 'ddl' as const, readsLocal: false });
  test('refuses constraints, defaults that are not literals and sequences; takes literal defaults and plain tables', () => {
    for (const sql of [
      'CREATE TABLE "cloud"."main"."t" (id INTEGER, PRIMARY KEY (id))',
      'CREATE TABLE "cloud"."main"."t" (id INTEGER UNIQUE)',
      'CREATE TABLE "cloud"."main"."t" (id INTEGER, CHECK((id > 0)))',
      'CREATE TABLE "cloud"."main"."t" (id INTEGER REFERENCES "cloud"."main"."u"(id))',
      'CREATE TABLE "cloud"."main"."t" (ts TIMESTAMP DEFAULT (now()))',
      'CREATE SEQUENCE "cloud"."main"."s" START 1',
    ]) {
      assert.throws(() => lake.inspect(ddl(sql)), (e: unknown) => e instanceof MotherDuckRuleError && /DuckLake database does not support/.test(e.message), sql);
    }
    for (const sql of [
      'CREATE TABLE "cloud"."main"."t" (id INTEGER NOT NULL, "check" VARCHAR DEFAULT (\'unique\'), n INTEGER DEFAULT (42), d DATE DEFAULT (CAST(\'2024-01-01\' AS DATE)))',
      'CREATE TABLE "cloud"."_duckdb_sync"."changes_x" AS SELECT 1 AS seq',
    ]) {
      assert.doesNotThrow(() => lake.inspect(ddl(sql)), sql);
    }
  });

  test('isLiteralDefault: numbers, strings, NULL, booleans and casts of them', () => {
    for (const e of ['42', '-1.5', "'new'", 'NULL', 'true', "CAST('2024-01-01' AS DATE)", "'x'::VARCHAR", '(7)']) assert.equal(isLiteralDefault(e), true, e);
    for (const e of ['now()', "nextval('s')", 'current_date', '1 + 1', 'CAST(now() AS DATE)']) assert.equal(isLiteralDefault(e), false, e);
  });
});

describe('the emulator plays a lagging replica (stale_reads)', () => {
  test('reads come from the older copy under the database name, writes fail as a replica\'s; no copy named is a usage error', () => {
    const replica = parseRemote('mdemu:/data/cloud.duckdb?stale_reads=/data/older.duckdb');
    assert.equal(replica.attachStatement(false), `ATTACH '/data/older.duckdb' AS "cloud" (READ_ONLY)`);
    assert.match(replica.readOnly ?? '', /read-scaling replica/);
    assert.throws(() => parseRemote('mdemu:/data/cloud.duckdb?stale_reads='), (e: unknown) => e instanceof UsageError && /stale_reads/.test(e.message));
  });
});
