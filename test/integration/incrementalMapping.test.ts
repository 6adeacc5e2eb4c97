import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { conflictRows, counts, newPair, rows, table } from './incrementalSupport.js';

/**
 * Table and column name mappings from the config apply in both directions of an incremental sync
 * (issue 3): pulled rows land under local names, pushed rows under remote names, a mapped cursor
 * column is read by its remote name, and conflicts are recorded with local names.
 */

const root = tempDir();

const CONFIG = {
  tables: {
    people: { remoteTable: 'crm.contacts', columns: { id: 'contact_id', email_address: 'email', changed_at: 'updated_at' }, cursor: 'changed_at' },
    'reporting.daily': { remoteTable: 'daily_stats', key: ['day'] },
    notes: { remoteTable: 'shared.notes_v2', columns: { note_id: 'nid', text: 'body' } },
  },
};

test('incremental sync through table and column mappings, both ways', async () => {
  const p = newPair(root, CONFIG);
  await exec(
    p.remote,
    'CREATE SCHEMA crm',
    'CREATE TABLE crm.contacts (contact_id INTEGER PRIMARY KEY, email VARCHAR NOT NULL, full_name VARCHAR, updated_at TIMESTAMP)',
    "INSERT INTO crm.contacts VALUES (1, 'a@x.org', 'Ann', '2024-02-01 10:00:00'), (2, 'b@x.org', 'Bob', '2024-02-01 10:00:00'), (3, 'c@x.org', 'Cy', '2024-02-01 10:00:00'), (4, 'd@x.org', 'Di', '2024-02-01 10:00:00')",
    'CREATE TABLE daily_stats (day DATE, hits INTEGER)',
    "INSERT INTO daily_stats VALUES ('2024-01-01', 10), ('2024-01-02', 12), ('2024-01-03', 7)",
  );
  const first = await p.sync();
  assert.equal(first.ok, true, JSON.stringify(first.tables));
  assert.deepEqual(await query(p.local, "SELECT cursor_column, watermark FROM dewey_sync_metadata WHERE table_name = 'people'"), [
    { cursor_column: 'changed_at', watermark: '2024-02-01 10:00:00' },
  ]);

  // Remote: insert, update (cursor bumped), delete, and a conflicting update of 1.
  await exec(
    p.remote,
    "INSERT INTO crm.contacts VALUES (5, 'e@x.org', 'Eve', '2024-02-02 09:00:00')",
    "UPDATE crm.contacts SET full_name = 'Bobby', updated_at = '2024-02-02 09:00:00' WHERE contact_id = 2",
    'DELETE FROM crm.contacts WHERE contact_id = 3',
    "UPDATE crm.contacts SET email = 'ann@remote.org', updated_at = '2024-02-02 09:00:00' WHERE contact_id = 1",
    "UPDATE daily_stats SET hits = 11 WHERE day = '2024-01-01'",
    "DELETE FROM daily_stats WHERE day = '2024-01-03'",
  );
  // Local: insert, update, delete, a conflicting update of 1, and a new local-only table.
  await exec(
    p.local,
    "INSERT INTO people VALUES (6, 'f@x.org', 'Fay', '2024-02-02 08:00:00')",
    "UPDATE people SET full_name = 'Diana' WHERE id = 4",
    "UPDATE people SET email_address = 'ann@local.org' WHERE id = 1",
    "INSERT INTO reporting.daily VALUES ('2024-01-04', 3)",
    "UPDATE reporting.daily SET hits = 13 WHERE day = '2024-01-02'",
    'CREATE TABLE notes (note_id INTEGER PRIMARY KEY, text VARCHAR)',
    "INSERT INTO notes VALUES (1, 'hello'), (2, 'world')",
  );
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'people'), { status: 'ok', pulled: 3, pushed: 2, deleted: 1, conflicts: 1 });
  assert.deepEqual(counts(r, 'reporting.daily'), { status: 'ok', pulled: 1, pushed: 2, deleted: 1, conflicts: 0 });
  assert.deepEqual(counts(r, 'notes'), { status: 'ok', pulled: 0, pushed: 2, deleted: 0, conflicts: 0 });

  const people = [
    { id: 1, email_address: 'ann@remote.org', full_name: 'Ann', changed_at: '2024-02-02 09:00:00' },
    { id: 2, email_address: 'b@x.org', full_name: 'Bobby', changed_at: '2024-02-02 09:00:00' },
    { id: 4, email_address: 'd@x.org', full_name: 'Diana', changed_at: '2024-02-01 10:00:00' },
    { id: 5, email_address: 'e@x.org', full_name: 'Eve', changed_at: '2024-02-02 09:00:00' },
    { id: 6, email_address: 'f@x.org', full_name: 'Fay', changed_at: '2024-02-02 08:00:00' },
  ];
  assert.deepEqual(await rows(p.local, 'people', 'id'), people);
  assert.deepEqual(
    await rows(p.remote, 'crm.contacts', 'contact_id'),
    people.map((x) => ({ contact_id: x.id, email: x.email_address, full_name: x.full_name, updated_at: x.changed_at })),
  );
  const daily = [
    { day: '2024-01-01', hits: 11 },
    { day: '2024-01-02', hits: 13 },
    { day: '2024-01-04', hits: 3 },
  ];
  assert.deepEqual(await rows(p.local, 'reporting.daily'), daily);
  assert.deepEqual(await rows(p.remote, 'daily_stats'), daily);
  // The local-only table is created on the remote under the mapped names, with its key.
  assert.deepEqual(await rows(p.remote, 'shared.notes_v2'), [
    { nid: 1, body: 'hello' },
    { nid: 2, body: 'world' },
  ]);
  assert.deepEqual(await query(p.remote, "SELECT constraint_column_names AS c FROM duckdb_constraints() WHERE table_name = 'notes_v2' AND constraint_type = 'PRIMARY KEY'"), [{ c: ['nid'] }]);
  assert.deepEqual(await query(p.remote, "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('people', 'daily', 'notes')"), [{ n: '0' }]);

  // The conflict is recorded with local names.
  assert.deepEqual(await conflictRows(p.local), [
    {
      table_name: 'people',
      key_json: '{"id":1}',
      local_version: { id: 1, email_address: 'ann@local.org', full_name: 'Ann', changed_at: '2024-02-01 10:00:00' },
      remote_version: { id: 1, email_address: 'ann@remote.org', full_name: 'Ann', changed_at: '2024-02-02 09:00:00' },
      copies: 1,
      policy: 'remote-wins',
      winner: 'remote',
      has_time: true,
      has_run: true,
    },
  ]);
  assert.deepEqual(await query(p.local, "SELECT watermark FROM dewey_sync_metadata WHERE table_name = 'people'"), [{ watermark: '2024-02-02 09:00:00' }]);

  // Changes to the mapped new table go on through the mapping, both ways.
  await exec(p.remote, "UPDATE shared.notes_v2 SET body = 'remote world' WHERE nid = 2");
  await exec(p.local, "INSERT INTO notes VALUES (3, 'local three')", 'DELETE FROM notes WHERE note_id = 1');
  const r2 = await p.syncOk();
  assert.deepEqual(counts(r2, 'notes'), { status: 'ok', pulled: 1, pushed: 1, deleted: 1, conflicts: 0 });
  assert.deepEqual(await rows(p.local, 'notes'), [
    { note_id: 2, text: 'remote world' },
    { note_id: 3, text: 'local three' },
  ]);
  assert.deepEqual(await rows(p.remote, 'shared.notes_v2'), [
    { nid: 2, body: 'remote world' },
    { nid: 3, body: 'local three' },
  ]);
  assert.deepEqual(counts(r2, 'people'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
  assert.ok((table(r2, 'people').rowsRead ?? Infinity) <= 5);
});
