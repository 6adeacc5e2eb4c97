import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { sync } from '../../src/run/sync.js';
import { verify, type VerifyResult } from '../../src/run/verify.js';
import { exec } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import type { VerifyTableResult } from '../../src/engine/api.js';

/** verify compares both sides by counts and canonical fingerprints, and changes nothing. */

const dir = tempDir();
let n = 0;

/** The options naming a pair for sync() and verify(): the remote file as the kind under test. */
const opts = (files: { local: string; remote: string }): { local: string; remote: string } => ({ local: files.local, remote: remoteUri(files.remote) });

/** A remote with a keyed and a keyless table (enough rows to fill many buckets), synced to a fresh local file. */
async function syncedPair(): Promise<{ local: string; remote: string }> {
  n++;
  const local = join(dir, `local-${n}.duckdb`);
  const remote = join(dir, `remote-${n}.duckdb`);
  await exec(
    remote,
    'CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR, score DOUBLE, born DATE)',
    "INSERT INTO people SELECT i, 'person ' || i, i / 7, DATE '2000-01-01' + i::INTEGER FROM range(1, 2001) t(i)",
    'CREATE TABLE tags (tag VARCHAR, weight INTEGER)',
    "INSERT INTO tags SELECT 'tag' || (i % 50), i % 3 FROM range(0, 600) t(i)",
  );
  const r = await sync({ local, remote: remoteUri(remote), env: {}, cwd: dir });
  assert.equal(r.ok, true);
  return { local, remote };
}

function table(v: VerifyResult, name: string): VerifyTableResult {
  const t = v.tables.find((x) => x.name === name);
  assert.ok(t, `no verify result for ${name}`);
  return t;
}

describe('verify', () => {
  let files: { local: string; remote: string };
  before(async () => {
    files = await syncedPair();
  });

  test('identical right after a sync', async () => {
    const v = await verify({ ...opts(files), env: {}, cwd: dir });
    assert.equal(v.ok, true);
    assert.deepEqual(
      v.tables.map((t) => [t.name, t.status, t.localRows, t.remoteRows, t.onlyLocal, t.onlyRemote, t.changed, t.sample]),
      [
        ['people', 'identical', 2000, 2000, 0, 0, 0, []],
        ['tags', 'identical', 600, 600, 0, 0, 0, []],
      ],
    );
  });

  test('changes nothing on either side', async () => {
    await exec(files.local, 'CHECKPOINT');
    await exec(files.remote, 'CHECKPOINT');
    const l = readFileSync(files.local);
    const r = readFileSync(files.remote);
    await verify({ ...opts(files), env: {}, cwd: dir });
    assert.ok(readFileSync(files.local).equals(l));
    assert.ok(readFileSync(files.remote).equals(r));
  });

  test('a remote update with the same row count: different, changed 1, the key in the sample', async () => {
    await exec(files.remote, "UPDATE people SET name = 'someone else' WHERE id = 1234");
    const v = await verify({ ...opts(files), env: {}, cwd: dir, tables: ['people'] });
    assert.equal(v.ok, false);
    const t = table(v, 'people');
    assert.equal(t.status, 'different');
    assert.equal(t.localRows, t.remoteRows);
    assert.equal(t.changed, 1);
    assert.equal(t.onlyLocal, 0);
    assert.equal(t.onlyRemote, 0);
    assert.deepEqual(t.sample, ['{"id":1234}']);
    assert.match(t.detail ?? '', /1 changed/);
  });

  test('a tiny numeric change is still a change (DOUBLE compared exactly)', async () => {
    await exec(files.remote, 'UPDATE people SET score = score + 1e-12 WHERE id = 7');
    const t = table(await verify({ ...opts(files), env: {}, cwd: dir, tables: ['people'] }), 'people');
    assert.equal(t.changed, 2);
    assert.deepEqual(t.sample, ['{"id":1234}', '{"id":7}']);
  });

  test('a NULL where a value was is a change', async () => {
    await exec(files.local, 'UPDATE people SET born = NULL WHERE id = 8');
    const t = table(await verify({ ...opts(files), env: {}, cwd: dir, tables: ['people'] }), 'people');
    assert.equal(t.changed, 3);
  });

  test('extra and missing rows (keyed)', async () => {
    await exec(files.remote, 'DELETE FROM people WHERE id IN (10, 11)', "INSERT INTO people VALUES (5000, 'new', 1, NULL)");
    await exec(files.local, "INSERT INTO people VALUES (6000, 'local', 1, NULL)");
    const t = table(await verify({ ...opts(files), env: {}, cwd: dir, tables: ['people'] }), 'people');
    assert.equal(t.status, 'different');
    assert.equal(t.localRows, 2001);
    assert.equal(t.remoteRows, 1999);
    assert.equal(t.onlyLocal, 3, 'ids 10, 11 (deleted remotely) and 6000 (local only)');
    assert.equal(t.onlyRemote, 1);
    assert.equal(t.changed, 3);
    assert.ok(t.sample.length <= 5);
    assert.match(t.detail ?? '', /2001 local rows vs 1999 remote rows/);
  });

  test('a re-sync makes them identical again', async () => {
    await sync({ ...opts(files), env: {}, cwd: dir });
    assert.equal((await verify({ ...opts(files), env: {}, cwd: dir })).ok, true);
  });
});

describe('verify keyless tables (multisets)', () => {
  test('a duplicate count differing is found, in both directions', async () => {
    const files = await syncedPair();
    // One more copy of a row that exists on both sides: same distinct rows, different counts.
    await exec(files.remote, "INSERT INTO tags VALUES ('tag1', 1)");
    let t = table(await verify({ ...opts(files), env: {}, cwd: dir, tables: ['tags'] }), 'tags');
    assert.deepEqual([t.status, t.localRows, t.remoteRows, t.onlyLocal, t.onlyRemote], ['different', 600, 601, 0, 1]);

    // Remove two copies of another row locally (rowid picks single copies).
    await exec(files.local, "DELETE FROM tags WHERE rowid IN (SELECT rowid FROM tags WHERE tag = 'tag2' AND weight = 2 LIMIT 2)");
    t = table(await verify({ ...opts(files), env: {}, cwd: dir, tables: ['tags'] }), 'tags');
    assert.deepEqual([t.status, t.localRows, t.remoteRows, t.onlyLocal, t.onlyRemote], ['different', 598, 601, 0, 3]);

    // A local duplicate the remote lacks.
    await exec(files.local, "INSERT INTO tags VALUES ('tag3', 0)");
    t = table(await verify({ ...opts(files), env: {}, cwd: dir, tables: ['tags'] }), 'tags');
    assert.deepEqual([t.onlyLocal, t.onlyRemote], [1, 3]);
    assert.deepEqual(t.sample, [], 'keyless tables have no keys to sample');
  });

  test('same rows in another order are identical', async () => {
    const files = await syncedPair();
    await exec(files.local, 'CREATE TABLE tmp AS SELECT * FROM tags ORDER BY random()', 'DELETE FROM tags', 'INSERT INTO tags SELECT * FROM tmp', 'DROP TABLE tmp');
    assert.equal(table(await verify({ ...opts(files), env: {}, cwd: dir, tables: ['tags'] }), 'tags').status, 'identical');
  });
});

describe('verify with a missing local table or file', () => {
  test('a table missing locally is status missing', async () => {
    const files = await syncedPair();
    await exec(files.local, 'DROP TABLE tags');
    const v = await verify({ ...opts(files), env: {}, cwd: dir });
    assert.equal(v.ok, false);
    const t = table(v, 'tags');
    assert.equal(t.status, 'missing');
    assert.equal(t.remoteRows, 600);
    assert.equal(table(v, 'people').status, 'identical');
  });

  test('a local column missing is reported as different', async () => {
    const files = await syncedPair();
    await exec(files.local, 'ALTER TABLE tags DROP COLUMN weight');
    const t = table(await verify({ ...opts(files), env: {}, cwd: dir, tables: ['tags'] }), 'tags');
    assert.equal(t.status, 'different');
    assert.match(t.detail ?? '', /lacks columns: weight/);
  });

  test('no local file: every table is missing and no file is created', async () => {
    const files = await syncedPair();
    const absent = join(dir, 'never-created.duckdb');
    const v = await verify({ local: absent, remote: remoteUri(files.remote), env: {}, cwd: dir });
    assert.deepEqual(v.tables.map((t) => [t.name, t.status]), [
      ['people', 'missing'],
      ['tags', 'missing'],
    ]);
    assert.equal(existsSync(absent), false);
  });
});
