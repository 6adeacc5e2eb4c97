import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/** Schema, table and column names that need quoting: spaces, double quotes, upper case, non-ASCII, reserved words. */

const dir = tempDir();
const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const SCHEMA = 'Sales Ünïcode "EU"';
const TABLE = 'Order Lines "v2" Ñandú';
const KEYLESS = 'SELECT';
const COLS = ['Order ID', 'Ça "va"', 'UPPER', 'naïve 日本', 'select'];
const NAME = `${SCHEMA}.${TABLE}`;

async function makeRemote(remote: string): Promise<void> {
  await exec(
    remote,
    `CREATE SCHEMA ${q(SCHEMA)}`,
    `CREATE TABLE ${q(SCHEMA)}.${q(TABLE)} (${q('Order ID')} INTEGER, ${q('Ça "va"')} VARCHAR, ${q('UPPER')} DOUBLE, ${q('naïve 日本')} DATE, ${q('select')} BOOLEAN,
       PRIMARY KEY (${q('Order ID')}))`,
    `INSERT INTO ${q(SCHEMA)}.${q(TABLE)} VALUES (1, 'un', 1.5, '2024-01-01', true), (2, 'deux "2"', NULL, NULL, false), (3, 'trois', 3, '2024-03-03', NULL)`,
    `CREATE TABLE ${q(KEYLESS)} (${q('From')} VARCHAR, ${q('x"y')} INTEGER)`,
    `INSERT INTO ${q(KEYLESS)} VALUES ('a', 1), ('a', 1), ('b', 2)`,
  );
}

test('sync and verify with names that need quoting', async () => {
  const remote = join(dir, 'remote.duckdb');
  const local = join(dir, 'local.duckdb');
  await makeRemote(remote);

  const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  assert.equal(r.ok, true, JSON.stringify(r.tables));
  assert.deepEqual(r.tables.map((t) => [t.name, t.status, t.rowsPulled]).sort(), [
    [KEYLESS, 'ok', 3],
    [NAME, 'ok', 3],
  ].sort());

  const sel = `SELECT * FROM ${q(SCHEMA)}.${q(TABLE)} ORDER BY 1`;
  assert.deepEqual(await query(local, sel), await query(remote, sel));
  const cols = await query(local, `SELECT column_name FROM duckdb_columns() WHERE schema_name = '${SCHEMA.replace(/'/g, "''")}' ORDER BY column_index`);
  assert.deepEqual(cols.map((c) => c.column_name), COLS);
  const [pk] = await query(local, `SELECT constraint_column_names AS c FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND schema_name = '${SCHEMA.replace(/'/g, "''")}'`);
  assert.deepEqual(pk?.c, ['Order ID']);
  const selKeyless = `SELECT * FROM ${q(KEYLESS)} ORDER BY ALL`;
  assert.deepEqual(await query(local, selKeyless), await query(remote, selKeyless));

  const v = await verify({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  assert.equal(v.ok, true, JSON.stringify(v.tables));

  // A change on the remote shows in verify, keyed by the quoted column, and a re-sync applies it.
  await exec(
    remote,
    `UPDATE ${q(SCHEMA)}.${q(TABLE)} SET ${q('Ça "va"')} = 'changé' WHERE ${q('Order ID')} = 2`,
    `DELETE FROM ${q(SCHEMA)}.${q(TABLE)} WHERE ${q('Order ID')} = 3`,
    `INSERT INTO ${q(KEYLESS)} VALUES ('b', 2)`,
  );
  const v2 = await verify({ local, remote: remoteUri(remote), env: {}, cwd: dir, tables: [NAME, KEYLESS] });
  const byName = Object.fromEntries(v2.tables.map((t) => [t.name, t]));
  assert.equal(byName[NAME]?.status, 'different');
  assert.equal(byName[NAME]?.changed, 1);
  assert.equal(byName[NAME]?.onlyLocal, 1);
  assert.deepEqual(byName[NAME]?.sample, ['{"Order ID":2}', '{"Order ID":3}']);
  assert.equal(byName[KEYLESS]?.status, 'different');
  assert.equal(byName[KEYLESS]?.onlyRemote, 1);

  const r2 = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir, tables: [NAME] });
  // A full pull into the existing table writes the row that differs (full/replaceByDifference.ts).
  assert.deepEqual(r2.tables.map((t) => [t.name, t.status, t.rowsPulled, t.rowsDeleted]), [[NAME, 'ok', 1, 1]]);
  assert.deepEqual(await query(local, sel), await query(remote, sel));
});
