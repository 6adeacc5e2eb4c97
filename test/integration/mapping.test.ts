import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import { ConfigError } from '../../src/errors.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/** Table and column name mappings from a YAML config file. */

const dir = tempDir();
const remote = join(dir, 'cloud.duckdb');
const local = join(dir, 'local.duckdb');
const config = join(dir, 'sync.yaml');

before(async () => {
  await exec(
    remote,
    'CREATE SCHEMA crm',
    'CREATE TABLE crm.contacts (contact_id INTEGER PRIMARY KEY, email VARCHAR NOT NULL, full_name VARCHAR)',
    "INSERT INTO crm.contacts VALUES (1, 'a@x.org', 'Ann'), (2, 'b@x.org', 'Bob')",
    'CREATE TABLE daily_stats (day DATE, hits INTEGER)',
    "INSERT INTO daily_stats VALUES ('2024-01-01', 10), ('2024-01-02', 12)",
    'CREATE TABLE untouched (x INTEGER)',
    'INSERT INTO untouched VALUES (1)',
  );
  // Relative paths: resolved against the config file's folder.
  writeFileSync(
    config,
    [
      'local: local.duckdb',
      `remote: ${remoteUri('cloud.duckdb')}`,
      'tables:',
      '  people:',
      '    remoteTable: crm.contacts',
      '    columns:',
      '      id: contact_id',
      '      email_address: email',
      '  reporting.daily:',
      '    remoteTable: daily_stats',
      '    key: [day]',
      '',
    ].join('\n'),
  );
});

test('sync with table and column mappings from a YAML config', async () => {
  // cwd elsewhere: the config's relative paths are resolved against its own folder.
  const r = await sync({ config, cwd: '/', env: {} });
  assert.equal(r.ok, true, JSON.stringify(r.tables));
  assert.deepEqual(r.tables.map((t) => [t.name, t.status, t.rowsPulled]).sort(), [
    ['people', 'ok', 2],
    ['reporting.daily', 'ok', 2],
    ['untouched', 'ok', 1],
  ]);

  // Local names, remote values.
  assert.deepEqual(await query(local, 'SELECT id, email_address, full_name FROM main.people ORDER BY id'), [
    { id: 1, email_address: 'a@x.org', full_name: 'Ann' },
    { id: 2, email_address: 'b@x.org', full_name: 'Bob' },
  ]);
  assert.deepEqual(await query(local, "SELECT column_name, is_nullable FROM duckdb_columns() WHERE table_name = 'people' ORDER BY column_index"), [
    { column_name: 'id', is_nullable: false },
    { column_name: 'email_address', is_nullable: false },
    { column_name: 'full_name', is_nullable: true },
  ]);
  assert.deepEqual(await query(local, "SELECT constraint_column_names AS c FROM duckdb_constraints() WHERE table_name = 'people' AND constraint_type = 'PRIMARY KEY'"), [{ c: ['id'] }]);
  assert.deepEqual(await query(local, 'SELECT * FROM reporting.daily ORDER BY day'), await query(remote, 'SELECT * FROM daily_stats ORDER BY day'));
  // No table under the remote names.
  assert.deepEqual(await query(local, "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('contacts', 'daily_stats')"), [{ n: '0' }]);

  const [meta] = await query(local, "SELECT remote_table, key_columns FROM dewey_sync_metadata WHERE table_name = 'people'");
  assert.deepEqual(meta, { remote_table: 'crm.contacts', key_columns: ['id'] });
  const [daily] = await query(local, "SELECT remote_table, key_columns FROM dewey_sync_metadata WHERE table_name = 'reporting.daily'");
  assert.deepEqual(daily, { remote_table: 'main.daily_stats', key_columns: ['day'] });

  // verify compares through the mapping.
  const v = await verify({ config, cwd: '/', env: {} });
  assert.equal(v.ok, true, JSON.stringify(v.tables));

  await exec(remote, "UPDATE crm.contacts SET email = 'new@x.org' WHERE contact_id = 2");
  const v2 = await verify({ config, cwd: '/', env: {}, tables: ['people'] });
  assert.deepEqual(v2.tables.map((t) => [t.name, t.status, t.changed, t.sample]), [['people', 'different', 1, ['{"id":2}']]]);

  // Selecting a mapped table by its remote name, and a re-sync applies the change.
  const r2 = await sync({ config, cwd: '/', env: {}, tables: ['crm.contacts'] });
  // The full pull writes the one row that differs (full/replaceByDifference.ts).
  assert.deepEqual(r2.tables.map((t) => [t.name, t.status, t.rowsPulled, t.rowsDeleted]), [['people', 'ok', 1, 0]]);
  assert.deepEqual(await query(local, 'SELECT email_address FROM people WHERE id = 2'), [{ email_address: 'new@x.org' }]);
});

test('a column mapping to a remote column that does not exist is a ConfigError, before any work', async () => {
  const bad = join(dir, 'bad.json');
  const badLocal = join(dir, 'bad-local.duckdb');
  writeFileSync(bad, JSON.stringify({ local: 'bad-local.duckdb', remote: remoteUri('cloud.duckdb'), tables: { people: { remoteTable: 'crm.contacts', columns: { mail: 'e_mail' } } } }));
  await assert.rejects(sync({ config: bad, cwd: '/', env: {} }), (e: unknown) => e instanceof ConfigError && /tables\.people\.columns/.test(e.message));
  assert.equal(existsSync(badLocal), false, 'no local file is left behind');
});
