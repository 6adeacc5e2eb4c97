import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { exec, query } from '../helpers/duck.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

/** The CLI reports object changes: `--dry-run` lists them, `--json` carries them, `--exclude` takes an object's name. */

const dir = tempDir();
const remote = join(dir, 'cloud.duckdb');
const local = join(dir, 'local.duckdb');
const args = ['--local', local, '--remote', remoteUri(remote)];

before(async () => {
  await exec(
    remote,
    'CREATE TABLE items (id INTEGER PRIMARY KEY, price DOUBLE CHECK (price >= 0))',
    'INSERT INTO items VALUES (1, 2.5), (2, 4)',
    'CREATE VIEW cheap AS SELECT id FROM items WHERE price < 3',
    'CREATE VIEW skipped AS SELECT 1 AS x',
    'CREATE MACRO with_tax(p) AS p * 1.2',
  );
});

test('--dry-run lists the object changes and changes nothing', async () => {
  const r = await runCli(['sync', ...args, '--dry-run', '--exclude', 'skipped'], { cwd: dir, env: cleanEnv() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^cheap\s+view\s+local\s+create\s+planned\s+created locally from the remote$/m);
  assert.match(r.stdout, /^with_tax\s+macro\s+local\s+create\s+planned/m);
  assert.doesNotMatch(r.stdout, /skipped/);
});

test('--json reports each object change; an excluded object stays out', async () => {
  const r = await runCli(['sync', ...args, '--json', '--exclude', 'skipped'], { cwd: dir, env: cleanEnv() });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { ok: boolean; objects: Array<Record<string, string>> };
  assert.equal(doc.ok, true);
  assert.deepEqual(
    doc.objects.map((o) => [o.kind, o.name, o.side, o.action, o.status]),
    [
      ['view', 'cheap', 'local', 'create', 'ok'],
      ['macro', 'with_tax', 'local', 'create', 'ok'],
    ],
  );
  assert.deepEqual(await query(local, 'SELECT id FROM cheap'), [{ id: 1 }]);
  assert.deepEqual(await query(local, "SELECT view_name FROM duckdb_views() WHERE view_name = 'skipped'"), []);
  // The cloud's CHECK came with the table: the local file refuses what the cloud would.
  await assert.rejects(exec(local, 'INSERT INTO items VALUES (3, -1)'), /CHECK constraint/);
});

test('pushObjects in the config pushes a local view; a local write through it behaves as on the cloud', async () => {
  const config = join(dir, 'duckdb-sync.config.json');
  writeFileSync(config, JSON.stringify({ local, remote: remoteUri(remote), exclude: ['skipped'], pushObjects: ['pricey'] }));
  await exec(local, 'CREATE VIEW pricey AS SELECT id FROM items WHERE price >= 3', 'CREATE VIEW scratch AS SELECT 1 AS y');
  const r = await runCli(['sync', '--mode', 'incremental', '--json'], { cwd: dir, env: cleanEnv() });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { objects: Array<Record<string, string>> };
  assert.deepEqual(doc.objects.map((o) => [o.name, o.side, o.action, o.status]), [['pricey', 'remote', 'create', 'ok']]);
  assert.deepEqual(await query(remote, 'SELECT id FROM pricey'), [{ id: 2 }]);
  assert.deepEqual(await query(remote, "SELECT view_name FROM duckdb_views() WHERE view_name = 'scratch'"), []);
});
