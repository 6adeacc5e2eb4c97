import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { canonicalRowFingerprint, canonicalRowText, canonicalText, engineRowHash } from '../../src/engine/rows/fingerprint.js';
import { exec, withDuck } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * The cross-version guarantee (design decision 5): the canonical fingerprint DuckDB computes must
 * equal the one computed here from the written spec, with node:crypto and literal expected texts.
 *
 * Spec: per column `<byte length>:<text>`, or `~` for NULL; texts concatenated in column order;
 * fingerprint = first 16 hex digits of md5(text) read as an unsigned 64-bit integer.
 */
function specFingerprint(texts: Array<string | null>): bigint {
  const canonical = specRowText(texts);
  return BigInt('0x' + createHash('md5').update(canonical, 'utf8').digest('hex').slice(0, 16));
}

function specRowText(texts: Array<string | null>): string {
  return texts.map((t) => (t === null ? '~' : `${Buffer.byteLength(t, 'utf8')}:${t}`)).join('');
}

const file = `${tempDir()}/fingerprint.duckdb`;

// Column name → SQL type. Names include characters that need quoting.
const COLUMNS: Array<[string, string]> = [
  ['id', 'INTEGER'],
  ['big', 'BIGINT'],
  ['huge', 'HUGEINT'],
  ['text value', 'VARCHAR'],
  ['d', 'DOUBLE'],
  ['f', 'FLOAT'],
  ['dec', 'DECIMAL(10,2)'],
  ['day', 'DATE'],
  ['ts', 'TIMESTAMP'],
  ['tstz', 'TIMESTAMPTZ'],
  ['tsns', 'TIMESTAMP_NS'],
  ['bytes', 'BLOB'],
  ['flag', 'BOOLEAN'],
  ['u', 'UUID'],
  ['tm', 'TIME'],
  ['list', 'INTEGER[]'],
  ['st', 'STRUCT(a INTEGER, "b c" VARCHAR)'],
  ['stamps', 'TIMESTAMP[]'], // a list, even though its type text starts with TIMESTAMP
  ['"quoted"', 'VARCHAR'],
];

const ROWS = [
  `(1, 9223372036854775807, 170141183460469231731687303715884105727, 'héllo ✓ 日本', 0.1, 0.1, 12.30, DATE '2024-02-29',
    TIMESTAMP '2024-01-02 03:04:05.123456', TIMESTAMPTZ '2024-01-02 03:04:05.123456+02', TIMESTAMP_NS '2024-01-02 03:04:05.123456789',
    '\\xAA\\x00ab'::BLOB, true, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', TIME '12:34:56.789', [1, 2, NULL], {'a': 1, 'b c': 'x"y'},
    [TIMESTAMP '2024-01-02 03:04:05.5', NULL], '')`,
  `(2, -9223372036854775808, -1, '', '-0.0'::DOUBLE, 1.5, -0.05, DATE '1970-01-01',
    TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMPTZ '1970-01-01 00:00:00+00', TIMESTAMP_NS '1970-01-01 00:00:00.000000001',
    ''::BLOB, false, '00000000-0000-0000-0000-000000000000', TIME '00:00:00', [], {'a': NULL, 'b c': 'é'}, [], '~')`,
  `(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `(4, 0, 0, '~', 1e300, 'inf'::FLOAT, 99999999.99, DATE '9999-12-31',
    TIMESTAMP '2000-01-01 00:00:00', TIMESTAMPTZ '2000-01-01 00:00:00-05', TIMESTAMP_NS '2000-01-01 00:00:00',
    '\\x00'::BLOB, NULL, 'ffffffff-ffff-ffff-ffff-ffffffffffff', TIME '23:59:59.999999', [NULL], NULL, [TIMESTAMP '1970-01-01'], '3:abc')`,
];

// The canonical text of every value, written out from the spec (not asked from DuckDB).
const EXPECTED: Record<number, Array<string | null>> = {
  1: [
    '1',
    '9223372036854775807',
    '170141183460469231731687303715884105727',
    'héllo ✓ 日本',
    '0.10000000000000001', // DOUBLE: printf %.17g
    '0.10000000149011612', // FLOAT widened to DOUBLE, %.17g
    '12.30', // DECIMAL keeps its scale
    '2024-02-29',
    '1704164645123456', // TIMESTAMP: epoch microseconds
    '1704157445123456', // TIMESTAMPTZ: epoch microseconds of the instant (+02 → 01:04:05 UTC)
    '1704164645123456789', // TIMESTAMP_NS: epoch nanoseconds
    'AA006162', // BLOB: upper-case hex
    'true',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', // UUID: lower case
    '12:34:56.789',
    '[1,2,null]', // nested: JSON
    '{"a":1,"b c":"x\\"y"}',
    '["2024-01-02 03:04:05.5",null]',
    '',
  ],
  2: [
    '2',
    '-9223372036854775808',
    '-1',
    '',
    '-0',
    '1.5',
    '-0.05',
    '1970-01-01',
    '-1',
    '0',
    '1',
    '',
    'false',
    '00000000-0000-0000-0000-000000000000',
    '00:00:00',
    '[]',
    '{"a":null,"b c":"é"}',
    '[]',
    '~',
  ],
  3: ['3', null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
  4: [
    '4',
    '0',
    '0',
    '~',
    '1.0000000000000001e+300',
    'inf',
    '99999999.99',
    '9999-12-31',
    '946684800000000',
    '946702800000000',
    '946684800000000000',
    '00',
    null,
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '23:59:59.999999',
    '[null]',
    null,
    '["1970-01-01 00:00:00"]',
    '3:abc',
  ],
};

/** Columns as the engine sees them: names and DuckDB's type text from duckdb_columns(). */
let columns: Array<{ name: string; type: string }> = [];

before(async () => {
  const defs = COLUMNS.map(([n, t]) => `"${n.replace(/"/g, '""')}" ${t}`).join(', ');
  await exec(file, `CREATE TABLE t (${defs})`, ...ROWS.map((r) => `INSERT INTO t VALUES ${r}`));
  const rows = await withDuck(file, (q) => q.all(`SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 't' ORDER BY column_index`));
  columns = rows.map((r) => ({ name: r.column_name as string, type: r.data_type as string }));
  assert.equal(columns.length, COLUMNS.length);
});

/** Runs a query on the fixture; by default in a time zone far from UTC (TIMESTAMPTZ texts must not depend on it). */
async function fromDuck(sql: string, timeZone = 'Asia/Kathmandu'): Promise<Array<Record<string, unknown>>> {
  return withDuck(file, async (q) => {
    await q.run(`SET TimeZone = '${timeZone}'`);
    return q.all(sql);
  });
}

describe('canonical fingerprint, recomputed outside DuckDB', () => {
  test('each canonical column text matches the spec', async () => {
    const select = columns.map((c, i) => `${canonicalText(`"${c.name.replace(/"/g, '""')}"`, c.type)} AS c${i}`).join(', ');
    const rows = await fromDuck(`SELECT id, ${select} FROM t ORDER BY id`);
    assert.equal(rows.length, ROWS.length);
    for (const row of rows) {
      const expected = EXPECTED[row.id as number] as Array<string | null>;
      columns.forEach((c, i) => assert.equal(row[`c${i}`], expected[i], `row ${String(row.id)}, column ${c.name} (${c.type})`));
    }
  });

  test('the row text is the length-prefixed concatenation', async () => {
    const rows = await fromDuck(`SELECT id, ${canonicalRowText(columns)} AS txt FROM t ORDER BY id`);
    for (const row of rows) assert.equal(row.txt, specRowText(EXPECTED[row.id as number] as Array<string | null>), `row ${String(row.id)}`);
  });

  test('the fingerprint is the first 64 bits of md5, as an unsigned integer', async () => {
    const rows = await fromDuck(`SELECT id, ${canonicalRowFingerprint(columns)} AS fp FROM t ORDER BY id`);
    assert.equal(rows.length, ROWS.length);
    for (const row of rows) {
      assert.equal(typeof row.fp, 'bigint');
      assert.equal(row.fp, specFingerprint(EXPECTED[row.id as number] as Array<string | null>), `row ${String(row.id)}`);
    }
  });

  test('the fingerprint does not depend on the session time zone', async () => {
    const sql = `SELECT id, ${canonicalRowFingerprint(columns)} AS fp FROM t ORDER BY id`;
    assert.deepEqual(await fromDuck(sql, 'UTC'), await fromDuck(sql, 'America/Los_Angeles'));
  });

  test('with a table alias', async () => {
    const rows = await fromDuck(`SELECT x.id, ${canonicalRowFingerprint(columns, 'x')} AS fp FROM t AS x ORDER BY x.id`);
    for (const row of rows) assert.equal(row.fp, specFingerprint(EXPECTED[row.id as number] as Array<string | null>));
  });

  test('a single column (no concatenation)', async () => {
    const one = columns.filter((c) => c.name === 'text value');
    const rows = await fromDuck(`SELECT id, ${canonicalRowFingerprint(one)} AS fp FROM t ORDER BY id`);
    for (const row of rows) {
      const expected = EXPECTED[row.id as number] as Array<string | null>;
      assert.equal(row.fp, specFingerprint([expected[3] as string | null]));
    }
  });

  test('length prefixes keep different rows apart: ("ab","c") ≠ ("a","bc"), NULL ≠ "" ≠ "~"', async () => {
    const cols = [
      { name: 'a', type: 'VARCHAR' },
      { name: 'b', type: 'VARCHAR' },
    ];
    const rows = await withDuck(':memory:', (q) =>
      q.all(
        `SELECT ${canonicalRowFingerprint(cols)} AS fp FROM (VALUES ('ab', 'c'), ('a', 'bc'), (NULL, 'x'), ('', 'x'), ('~', 'x'), ('1:', 'x')) v(a, b)`,
      ),
    );
    const fps = rows.map((r) => r.fp);
    assert.equal(new Set(fps).size, fps.length, 'all fingerprints differ');
    assert.deepEqual(fps, [
      specFingerprint(['ab', 'c']),
      specFingerprint(['a', 'bc']),
      specFingerprint([null, 'x']),
      specFingerprint(['', 'x']),
      specFingerprint(['~', 'x']),
      specFingerprint(['1:', 'x']),
    ]);
  });
});

describe('engine row hash', () => {
  test('is an expression over the quoted columns, equal for equal rows', async () => {
    const expr = engineRowHash(['a', 'b "c"']);
    assert.equal(expr, 'hash(row("a", "b ""c"""))');
    const rows = await withDuck(':memory:', (q) => q.all(`SELECT ${expr} AS h FROM (VALUES (1, 'x'), (1, 'x'), (1, 'y')) v(a, "b ""c""")`));
    assert.equal(rows[0]?.h, rows[1]?.h);
    assert.notEqual(rows[0]?.h, rows[2]?.h);
  });
});
