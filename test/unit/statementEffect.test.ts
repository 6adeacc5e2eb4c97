import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { loadSqlParser, type ParsedStatement, type SqlParser } from '../../src/sql/sqlParser.js';
import { statementEffect, type StatementEffect } from '../../src/sql/statementEffect.js';
import type { TableRef } from '../../src/sql/tableRef.js';
import { tempDir } from '../helpers/tempDir.js';

const dir = tempDir();
const csv = join(dir, 'file.csv');
const exported = join(dir, 'export');

const READ: StatementEffect = { kind: 'read' };
const ALL: StatementEffect = { kind: 'write', tables: 'all' };
const BEGIN: StatementEffect = { kind: 'begin' };
const COMMIT: StatementEffect = { kind: 'commit' };
const ROLLBACK: StatementEffect = { kind: 'rollback' };

/** `t`, `main.t`, `db.main.t` → a TableRef. */
function ref(dotted: string): TableRef {
  const parts = dotted.split('.');
  const name = parts.pop() ?? '';
  const [catalog, schema] = parts.length === 2 ? parts : [undefined, parts[0]];
  return { ...(catalog !== undefined && { catalog }), ...(schema !== undefined && { schema }), name };
}
const writes = (...tables: Array<string | TableRef>): StatementEffect => ({ kind: 'write', tables: tables.map((t) => (typeof t === 'string' ? ref(t) : t)) });

/**
 * Statements and their effects; DuckDB types each statement. One effect: the text is one
 * statement; an array: one effect per statement, in order.
 */
const CASES: Array<[sql: string, expected: StatementEffect | StatementEffect[]]> = [
  // INSERT
  ['WITH src AS (SELECT 1 AS a, 2 AS b) INSERT INTO t SELECT * FROM src', writes('t')],
  ['INSERT INTO main.t VALUES (1, 2)', writes('main.t')],
  ['INSERT INTO db.main.t VALUES (1)', writes('db.main.t')],
  ['INSERT INTO "weird.name" VALUES (1)', writes({ name: 'weird.name' })],
  ['INSERT INTO "my table" VALUES (1)', writes({ name: 'my table' })],
  ['INSERT INTO "Odd ""T""" VALUES (1)', writes({ name: 'Odd "T"' })],
  ['INSERT INTO MixedCase VALUES (1)', writes('MixedCase')],
  ['INSERT OR REPLACE INTO t VALUES (1, 2)', writes('t')],
  ['INSERT OR IGNORE INTO t VALUES (1, 2)', writes('t')],
  ['INSERT INTO t BY NAME SELECT 1 AS a', writes('t')],
  ['INSERT INTO t VALUES (1, 2) ON CONFLICT (a) DO UPDATE SET b = excluded.b', writes('t')],
  ['INSERT INTO t VALUES (1, 2) ON CONFLICT DO NOTHING', writes('t')],
  ['INSERT INTO t (a, b) VALUES (1, 2) RETURNING a', writes('t')],
  // CREATE / ALTER / DROP / TRUNCATE
  ['CREATE OR REPLACE TABLE t2 AS SELECT * FROM t', writes('t2')],
  ['CREATE TABLE IF NOT EXISTS s.t3 (a INT)', writes('s.t3')],
  ['CREATE TEMP TABLE tt (a INT)', writes({ name: 'tt', temporary: true })],
  ['ALTER TABLE t ADD COLUMN c INT', writes('t')],
  ['ALTER TABLE main.t RENAME TO t9', writes('main.t', 'main.t9')],
  ['ALTER TABLE "my table" RENAME TO "Your Table"', writes({ name: 'my table' }, { name: 'Your Table' })],
  ['DROP TABLE IF EXISTS main.a', writes('main.a')],
  ['TRUNCATE t', writes('t')], // typed DELETE by DuckDB
  ['DROP SCHEMA s CASCADE', ALL], // drops the schema's tables, unnamed
  // COPY
  [`COPY t FROM '${csv}'`, writes('t')],
  [`COPY main.t (a, b) FROM '${csv}' (HEADER)`, writes('main.t')],
  [`COPY t TO '${join(dir, 'out.csv')}'`, READ],
  [`COPY (SELECT * FROM t) TO '${join(dir, 'out.parquet')}' (FORMAT parquet)`, READ],
  // UPDATE / DELETE / MERGE
  ['UPDATE t AS x SET b = y.a FROM u AS y WHERE x.a = y.id', writes('t')],
  ['UPDATE t x SET b = 1', writes('t')],
  ['DELETE FROM t USING u WHERE t.a = u.id', writes('t')],
  ['WITH gone AS (SELECT 1 AS a) DELETE FROM db.main.t WHERE a IN (SELECT a FROM gone)', writes('db.main.t')],
  ['MERGE INTO t USING u ON t.a = u.id WHEN MATCHED THEN UPDATE SET b = u.a WHEN NOT MATCHED THEN INSERT VALUES (u.id, u.a)', writes('t')],
  ['MERGE INTO t AS x USING u ON x.a = u.id WHEN MATCHED THEN DELETE', writes('t')],
  // EXPLAIN ANALYZE runs its statement; plain EXPLAIN does not.
  ['EXPLAIN ANALYZE INSERT INTO t VALUES (7, 7)', writes('t')],
  ['EXPLAIN (ANALYZE) DELETE FROM main.u', writes('main.u')],
  ['EXPLAIN INSERT INTO t VALUES (7, 7)', READ],
  ['EXPLAIN SELECT * FROM t', READ],
  ['EXPLAIN ANALYZE SELECT * FROM t', READ],
  // Reads
  ['SELECT * FROM t', READ],
  ['FROM t SELECT a', READ],
  ['DESCRIBE t', READ],
  ['SHOW TABLES', READ],
  ['SUMMARIZE t', READ],
  ["PRAGMA table_info('t')", READ],
  ['SET threads = 2', READ],
  ['SET VARIABLE v = 1', READ],
  ['CHECKPOINT', READ],
  ['CREATE VIEW v AS SELECT * FROM t', READ],
  ['CREATE SCHEMA s2', READ],
  ['CREATE SEQUENCE seq', READ],
  ['CREATE MACRO plus_one(x) AS x + 1', READ],
  ['DROP MACRO m', READ], // the parser rejects it: read by its keywords
  ["COMMENT ON TABLE t IS 'note'", READ], // typed ALTER
  ['PREPARE q AS INSERT INTO t VALUES ($1, 1)', READ],
  // Transactions
  ['BEGIN', BEGIN],
  ['BEGIN TRANSACTION', BEGIN],
  ['START TRANSACTION', BEGIN],
  ['COMMIT', COMMIT],
  ['END', COMMIT],
  ['END TRANSACTION', COMMIT], // the parser rejects it: read by its keywords
  ['ROLLBACK', ROLLBACK],
  ['ABORT', ROLLBACK], // parses as a column
  ['ABORT WORK', ROLLBACK], // parses as an aliased column
  // Targets that cannot be told
  ['EXECUTE p(5)', ALL],
  ['INSERT INTO t BY POSITION SELECT 1, 2', ALL], // the parser rejects BY POSITION
  ['CREATE TABLE t5 AS FROM t', ALL], // the parser rejects FROM-first here
  // Several statements
  ['SELECT 1; INSERT INTO a VALUES (1); UPDATE b SET x = 1', [READ, writes('a'), writes('b')]],
  ['BEGIN; INSERT INTO t VALUES (8, 8); END TRANSACTION;', [BEGIN, writes('t'), COMMIT]],
  // One statement the parser rejects loses the targets of the whole text.
  ['SELECT 1; INSERT INTO a VALUES (1); INSERT INTO t BY POSITION SELECT 1, 2', [READ, ALL, ALL]],
];

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let parser: SqlParser;

before(async () => {
  writeFileSync(csv, 'a,b\n1,2\n');
  parser = await loadSqlParser();
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await conn.run(`
    CREATE TABLE t (a INTEGER PRIMARY KEY, b INTEGER);
    CREATE TABLE u (id INTEGER, a INTEGER);
    CREATE TABLE a (x INTEGER);
    CREATE TABLE b (x INTEGER);
    CREATE TABLE MixedCase (a INTEGER);
    CREATE TABLE "weird.name" (a INTEGER);
    CREATE TABLE "my table" (a INTEGER);
    CREATE TABLE "Odd ""T""" (a INTEGER);
    CREATE SCHEMA s;
    CREATE MACRO m(x) AS x;
    EXPORT DATABASE '${exported}';
    ATTACH ':memory:' AS db;
    CREATE TABLE db.main.t (a INTEGER);
    PREPARE p AS INSERT INTO t VALUES ($1, 1);
  `);
});

after(() => {
  conn.closeSync();
  instance.closeSync();
});

/** Each statement's effect, typed by DuckDB (prepared, not run) as the library does. */
async function effectsOf(sql: string): Promise<{ types: StatementType[]; effects: StatementEffect[] }> {
  const extracted = await conn.extractStatements(sql);
  const parsed = parser.parse(sql);
  const types: StatementType[] = [];
  const effects: StatementEffect[] = [];
  for (let i = 0; i < extracted.count; i++) {
    const prepared = await extracted.prepare(i);
    try {
      types.push(prepared.statementType);
      effects.push(statementEffect(prepared.statementType, parsed?.length === extracted.count ? parsed[i] : undefined));
    } finally {
      prepared.destroySync();
    }
  }
  return { types, effects };
}

describe('statementEffect on statements typed by DuckDB', () => {
  for (const [sql, expected] of CASES) {
    test(sql.replaceAll(dir, '<dir>'), async () => {
      const { effects } = await effectsOf(sql);
      assert.deepEqual(effects, Array.isArray(expected) ? expected : [expected]);
    });
  }

  test('IMPORT DATABASE: DuckDB expands it into statements typed TRANSACTION, CREATE, COPY…, all writes of every table', async () => {
    const { types, effects } = await effectsOf(`IMPORT DATABASE '${exported}'`);
    assert.equal(types[0], StatementType.TRANSACTION);
    assert.ok(effects.length > 1);
    assert.deepEqual(effects, effects.map(() => ALL));
  });

  test('DROP TABLE a, b: DuckDB refuses several names, the parser reads both', async () => {
    await assert.rejects(conn.extractStatements('DROP TABLE a, b'), /one object at a time/);
    assert.deepEqual(statementEffect(StatementType.DROP, parser.parse('DROP TABLE a, b')?.[0]), writes('a', 'b'));
  });
});

describe('statementEffect rules', () => {
  const write: ParsedStatement = { kind: 'write', targets: [ref('t')] };
  const unknown: ParsedStatement = { kind: 'write', targets: 'unknown' };
  const other: ParsedStatement = { kind: 'other' };
  const RULES: Array<[type: StatementType, parsed: ParsedStatement | undefined, expected: StatementEffect]> = [
    [StatementType.INSERT, undefined, ALL],
    [StatementType.UPDATE, other, ALL],
    [StatementType.DELETE, unknown, ALL],
    [StatementType.MERGE_INTO, write, writes('t')],
    [StatementType.COPY, undefined, ALL],
    [StatementType.COPY, other, READ],
    [StatementType.CREATE, undefined, ALL],
    [StatementType.ALTER, other, READ],
    [StatementType.DROP, unknown, ALL],
    [StatementType.TRANSACTION, undefined, ALL],
    [StatementType.TRANSACTION, other, ALL],
    [StatementType.TRANSACTION, { kind: 'commit' }, COMMIT],
    [StatementType.EXECUTE, other, ALL],
    [StatementType.COPY_DATABASE, undefined, ALL],
    [StatementType.MULTI, undefined, ALL],
    [StatementType.LOGICAL_PLAN, undefined, ALL],
    [StatementType.INVALID, undefined, ALL],
    [StatementType.EXPLAIN, undefined, READ],
    [StatementType.EXPLAIN, write, writes('t')],
  ];
  for (const [type, parsed, expected] of RULES) {
    test(`${StatementType[type]} with ${JSON.stringify(parsed)}`, () => assert.deepEqual(statementEffect(type, parsed), expected));
  }

  test('read types never write, whatever the parse says', () => {
    const reads = [
      StatementType.SELECT, StatementType.PREPARE, StatementType.ANALYZE, StatementType.VARIABLE_SET, StatementType.CREATE_FUNC,
      StatementType.EXPORT, StatementType.PRAGMA, StatementType.VACUUM, StatementType.CALL, StatementType.SET, StatementType.LOAD,
      StatementType.RELATION, StatementType.EXTENSION, StatementType.ATTACH, StatementType.DETACH, StatementType.UPDATE_EXTENSIONS,
    ];
    const parses: Array<ParsedStatement | undefined> = [undefined, write, unknown, other, { kind: 'begin' }];
    for (const type of reads) {
      for (const parsed of parses) assert.deepEqual(statementEffect(type, parsed), READ, StatementType[type]);
    }
  });
});

describe('loadSqlParser', () => {
  test('is loaded once', async () => {
    assert.equal(await loadSqlParser(), parser);
  });

  test('returns undefined for text that does not parse', () => {
    for (const sql of ['SELEC 1', 'this is ; not SQL (', "SELECT 'unterminated", 'INSERT INTO', 'IMPORT DATABASE \'x\'']) assert.equal(parser.parse(sql), undefined, sql);
  });

  test('parses several statements in order', () => {
    assert.deepEqual(parser.parse('SELECT 1; INSERT INTO a VALUES (1); UPDATE b SET x = 1'), [
      { kind: 'other' },
      { kind: 'write', targets: [{ name: 'a' }], row: { kind: 'insert' } },
      { kind: 'write', targets: [{ name: 'b' }] },
    ]);
  });

  test('a plain INSERT, DELETE or UPDATE is told apart (its rows can be told); an upsert is not', () => {
    const row = (sql: string): unknown => {
      const [s] = parser.parse(sql) ?? [];
      return s?.kind === 'write' ? s.row : 'not a write';
    };
    assert.deepEqual(row('DELETE FROM s.t WHERE id = $1'), { kind: 'delete' });
    assert.deepEqual(row("INSERT INTO t SELECT 1, 'x'"), { kind: 'insert' });
    assert.equal(row('INSERT OR REPLACE INTO t SELECT 1'), undefined);
    // Not plain: its own RETURNING, an ON CONFLICT clause, TRUNCATE (typed DELETE by DuckDB).
    assert.equal(row('DELETE FROM t RETURNING *'), undefined);
    assert.equal(row('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING'), undefined);
    assert.equal(row('INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET a = 2'), undefined);
    assert.equal(row('TRUNCATE t'), undefined);
    // An UPDATE: the columns it sets, its parameters; a deterministic condition over its own columns.
    assert.deepEqual(row('UPDATE t AS x SET A = ?, b = b + ? WHERE x.id = ? AND c IN (1, 2)'), { kind: 'update', setColumns: ['a', 'b'], setPlaceholders: 2, whereNumbered: [] });
    assert.deepEqual(row("UPDATE t SET a = $1 WHERE id = $2 OR (d BETWEEN 1 AND 3 AND e IS NULL AND f::INT <> -1 AND g LIKE 'x%')"), { kind: 'update', setColumns: ['a'], setPlaceholders: 0, whereNumbered: [2] });
    for (const sql of [
      'UPDATE t SET a = 1 RETURNING id',
      'UPDATE t SET a = 1',
      'UPDATE t SET a = 1 WHERE ts < now()',
      'UPDATE t SET a = 1 WHERE ts < current_timestamp',
      'UPDATE t SET a = 1 WHERE id = (SELECT 1)',
      'UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u)',
      'UPDATE t SET a = u.a FROM u WHERE t.id = u.id',
      'WITH u AS (SELECT 1) UPDATE t SET a = 1 WHERE id = 1',
      'UPDATE t SET a = 1 WHERE id = $id',
    ]) assert.equal(row(sql), undefined, sql);
  });

  test('updateParts: the table and the condition of an UPDATE, as written', () => {
    assert.deepEqual(parser.updateParts("UPDATE main.\"t 😀\" AS x SET a = (SELECT 1 WHERE true), b = 'WHERE' WHERE x.id = $1 -- c\n;"), { table: 'main."t 😀" AS x', condition: 'x.id = $1' });
    assert.equal(parser.updateParts('UPDATE t SET a = 1'), undefined);
    assert.equal(parser.updateParts('DELETE FROM t WHERE id = 1'), undefined);
  });

  test('trimmed: the text without trailing comments, blanks and semicolons', () => {
    assert.equal(parser.trimmed("UPDATE t SET a = 'x;' -- note\n ;; "), "UPDATE t SET a = 'x;'");
    assert.equal(parser.trimmed('DELETE FROM "t 😀" /* c */;'), 'DELETE FROM "t 😀"');
    assert.equal(parser.trimmed('-- nothing'), undefined);
  });

  test('falls back to statement by statement, keeping strings and quoted names whole', () => {
    assert.deepEqual(parser.parse(`SELECT 'a;b 😀'; END WORK; INSERT INTO "x;""y" VALUES (';'); ABORT TRANSACTION`), [
      { kind: 'other' },
      { kind: 'commit' },
      { kind: 'write', targets: [{ name: 'x;"y' }], row: { kind: 'insert' } },
      { kind: 'rollback' },
    ]);
  });

  test('an empty text or comment holds no statement', () => {
    assert.deepEqual(parser.parse(''), []);
    assert.deepEqual(parser.parse('-- nothing'), []);
  });
});
