import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import type { SyncResult } from '../../src/engine/api.js';

/** Full sync of a remote with many column types, several schemas and keys: schema and values arrive exactly. */

const dir = tempDir();
const remote = join(dir, 'remote.duckdb');
const local = join(dir, 'local.duckdb');

const USER_TABLES = `SELECT schema_name, table_name FROM duckdb_tables()
  WHERE NOT internal AND schema_name <> '_duckdb_sync' AND table_name NOT LIKE 'dewey_sync_%' ORDER BY ALL`;
const COLUMNS = `SELECT schema_name, table_name, column_name, column_index, data_type, is_nullable FROM duckdb_columns()
  WHERE NOT internal AND schema_name <> '_duckdb_sync' AND table_name NOT LIKE 'dewey_sync_%'
    AND table_name NOT IN (SELECT view_name FROM duckdb_views()) ORDER BY ALL`;
const PRIMARY_KEYS = `SELECT schema_name, table_name, constraint_column_names AS cols FROM duckdb_constraints()
  WHERE constraint_type = 'PRIMARY KEY' AND schema_name <> '_duckdb_sync' AND table_name NOT LIKE 'dewey_sync_%' ORDER BY ALL`;

let result: SyncResult;

before(async () => {
  await exec(
    remote,
    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
    `CREATE TABLE everything (
       id INTEGER PRIMARY KEY,
       m mood,
       e ENUM('x', 'y', 'z') NOT NULL,
       tags VARCHAR[],
       nested STRUCT(a INTEGER, b VARCHAR[], c STRUCT(d DOUBLE)),
       attrs MAP(VARCHAR, INTEGER),
       vec FLOAT[3],
       u UNION(num INTEGER, str VARCHAR),
       amount DECIMAL(18, 4),
       wide DECIMAL(38, 10),
       payload BLOB,
       uid UUID,
       "at" TIMESTAMPTZ, -- a reserved word as a column name
       ts TIMESTAMP,
       ts_ns TIMESTAMP_NS,
       big HUGEINT,
       ubig UBIGINT,
       doc JSON,
       span INTERVAL,
       day DATE,
       t TIME,
       d DOUBLE,
       r REAL,
       b BOOLEAN,
       s VARCHAR,
       ti TINYINT,
       si SMALLINT,
       stamps TIMESTAMP[],
       moods mood[]
     )`,
    `INSERT INTO everything VALUES
       (1, 'happy', 'x', ['a', NULL, 'ç'], {'a': 1, 'b': ['p', 'q'], 'c': {'d': 0.1}}, MAP {'k1': 1, 'k2': NULL}, [1.5, -2, 3e10],
        1::INTEGER, 12345678901234.5678, 1234567890123456789012345678.0123456789, '\\x00\\xFF\\x10abc'::BLOB,
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-03-10 02:30:00.123456+05:30', '2024-02-29 23:59:59.999999',
        '2024-01-01 00:00:00.123456789', -170141183460469231731687303715884105728, 18446744073709551615,
        '{"k": [1, 2, {"x": null}], "s": "é"}', INTERVAL '1 year 2 months 3 days 04:05:06.789', '0001-01-01', '23:59:59.999999',
        0.1, 3.25, true, 'plain', -128, 32767, [TIMESTAMP '2024-01-01 10:00:00.5', NULL], ['ok', 'sad']),
       (2, NULL, 'z', [], {'a': NULL, 'b': NULL, 'c': NULL}, MAP {}, NULL, 'text'::VARCHAR, -0.0001, NULL, ''::BLOB,
        NULL, NULL, NULL, NULL, 0, 0, 'null', INTERVAL '-1 day', '9999-12-31', '00:00:00', 'nan'::DOUBLE, 'inf'::REAL, false, '', 0, 0, [], []),
       (3, 'sad', 'y', NULL, NULL, NULL, [0, 0, 0], NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        '-0.0'::DOUBLE, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    'CREATE SCHEMA sales',
    `CREATE TABLE sales.orders (region VARCHAR, order_no INTEGER, qty INTEGER NOT NULL, PRIMARY KEY (region, order_no))`,
    "INSERT INTO sales.orders VALUES ('eu', 1, 5), ('eu', 2, 7), ('us', 1, 1)",
    'CREATE TABLE sales.log (line VARCHAR, n INTEGER)',
    "INSERT INTO sales.log VALUES ('dup', 1), ('dup', 1), ('other', NULL)",
    'CREATE SCHEMA empty_schema',
    'CREATE TABLE empty_schema.nothing_yet (id BIGINT PRIMARY KEY, v VARCHAR)',
    // Views are not tables: not synced.
    'CREATE VIEW v_orders AS SELECT * FROM sales.orders',
  );
  result = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
});

describe('full sync of every table, every schema, every type', () => {
  test('every table succeeds, with its row count', () => {
    assert.equal(result.ok, true);
    assert.equal(result.mode, 'full');
    assert.equal(result.dryRun, false);
    const byName = Object.fromEntries(result.tables.map((t) => [t.name, t]));
    assert.deepEqual(Object.keys(byName).sort(), ['empty_schema.nothing_yet', 'everything', 'sales.log', 'sales.orders']);
    for (const t of result.tables) assert.equal(t.status, 'ok', `${t.name}: ${t.error ?? ''}`);
    assert.equal(byName.everything?.rowsPulled, 3);
    assert.equal(byName['sales.orders']?.rowsPulled, 3);
    assert.equal(byName['sales.log']?.rowsPulled, 3);
    assert.equal(byName['empty_schema.nothing_yet']?.rowsPulled, 0);
    for (const t of result.tables) assert.equal(t.rowsDeleted, 0);
  });

  test('the same tables exist locally, and the views (schema objects follow the tables)', async () => {
    assert.deepEqual(await query(local, USER_TABLES), await query(remote, USER_TABLES));
    const VIEWS = 'SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal ORDER BY ALL';
    assert.deepEqual(await query(local, VIEWS), await query(remote, VIEWS));
  });

  test('columns have the same names, order, types and nullability', async () => {
    const localCols = await query(local, COLUMNS);
    assert.ok(localCols.length >= 30);
    assert.deepEqual(localCols, await query(remote, COLUMNS));
    // The user-defined ENUM arrives with its labels.
    const [m] = await query(local, "SELECT data_type FROM duckdb_columns() WHERE table_name = 'everything' AND column_name = 'm'");
    assert.equal(m?.data_type, "ENUM('sad', 'ok', 'happy')");
  });

  test('primary keys (single and composite) exist locally', async () => {
    const keys = await query(local, PRIMARY_KEYS);
    assert.deepEqual(keys, [
      { schema_name: 'empty_schema', table_name: 'nothing_yet', cols: ['id'] },
      { schema_name: 'main', table_name: 'everything', cols: ['id'] },
      { schema_name: 'sales', table_name: 'orders', cols: ['region', 'order_no'] },
    ]);
    assert.deepEqual(keys, await query(remote, PRIMARY_KEYS));
    // The key is enforced.
    await assert.rejects(exec(local, "INSERT INTO sales.orders VALUES ('eu', 1, 99)"), /(Duplicate key|PRIMARY KEY|constraint)/i);
  });

  test('values round-trip exactly', async () => {
    for (const sql of [
      'SELECT * FROM everything ORDER BY id',
      'SELECT * FROM sales.orders ORDER BY ALL',
      'SELECT * FROM sales.log ORDER BY ALL',
      'SELECT * FROM empty_schema.nothing_yet',
    ]) {
      assert.deepEqual(await query(local, sql), await query(remote, sql), sql);
    }
    // Text renderings too (catches anything the JSON conversion might hide, e.g. -0.0 or NaN).
    const asText = "SELECT id, CAST(COLUMNS(* EXCLUDE (id)) AS VARCHAR) FROM everything ORDER BY id";
    assert.deepEqual(await query(local, asText), await query(remote, asText));
    // And a direct check of a few tricky values.
    const [row] = await query(local, "SELECT hex(payload) AS p, CAST(big AS VARCHAR) AS big, CAST(d AS VARCHAR) AS d, union_tag(u) AS tag FROM everything WHERE id = 1");
    assert.deepEqual(row, { p: '00FF10616263', big: '-170141183460469231731687303715884105728', d: '0.1', tag: 'num' });
  });

  test('keyless duplicates are kept with their counts', async () => {
    assert.deepEqual(await query(local, "SELECT line, n, count(*) AS c FROM sales.log GROUP BY ALL ORDER BY ALL"), [
      { line: 'dup', n: 1, c: '2' },
      { line: 'other', n: null, c: '1' },
    ]);
  });

  test('verify finds both sides identical', async () => {
    const v = await verify({ local, remote: remoteUri(remote), env: {}, cwd: dir });
    assert.equal(v.ok, true);
    assert.deepEqual(
      v.tables.map((t) => [t.name, t.status, t.localRows, t.remoteRows]).sort(),
      [
        ['empty_schema.nothing_yet', 'identical', 0, 0],
        ['everything', 'identical', 3, 3],
        ['sales.log', 'identical', 3, 3],
        ['sales.orders', 'identical', 3, 3],
      ],
    );
  });

  test('the remote is not modified by the sync', async () => {
    assert.deepEqual(await query(remote, "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE 'dewey%' OR schema_name = '_duckdb_sync'"), [{ n: '0' }]);
  });
});
