import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { parseOneJson } from './support.js';

/** A partial replica through the built CLI: the config file's filter, `--json`, `status`, `verify`, a bad filter. */

describe('duckdb-sync with tables.<name>.where', () => {
  const cwd = tempDir();
  const remote = join(cwd, 'remote.duckdb');
  const env = cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(cwd, 'cache') });
  const config = (where: string): void =>
    writeFileSync(join(cwd, 'duckdb-sync.config.json'), JSON.stringify({ local: 'local.duckdb', remote: remoteUri(remote), tables: { events: { where } } }));

  before(async () => {
    await exec(
      remote,
      'CREATE TABLE events (id INTEGER PRIMARY KEY, region VARCHAR, ts TIMESTAMP)',
      "INSERT INTO events SELECT i, CASE WHEN i % 10 = 0 THEN 'eu' ELSE 'us' END, TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE FROM range(1, 1001) t(i)",
    );
  });

  test('sync --json reports the filter and the rows in scope; status shows the filter; verify compares the scope', async () => {
    config("region = 'eu'");
    const r = await runCli(['sync', '--json'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    const [events] = (parseOneJson(r.stdout).tables as Array<Record<string, unknown>>).filter((t) => t.name === 'events');
    assert.deepEqual({ where: events?.where, rowsInScope: events?.rowsInScope, rowsPulled: events?.rowsPulled }, { where: "region = 'eu'", rowsInScope: 100, rowsPulled: 100 });
    assert.deepEqual(await query(join(cwd, 'local.duckdb'), 'SELECT count(*)::INTEGER AS n FROM events'), [{ n: 100 }]);

    const s = await runCli(['status'], { cwd, env });
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /^events: a partial replica, rows where region = 'eu'$/m);
    const v = await runCli(['verify'], { cwd, env });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /^events\s+identical\s+100\s+100\b/m);
  });

  test('a bad filter: exit 2, one line naming the table and the problem, a hint, no stack; nothing changed', async () => {
    config('region = 1 +');
    const before = await query(join(cwd, 'local.duckdb'), 'SELECT count(*)::INTEGER AS n FROM events');
    const r = await runCli(['sync'], { cwd, env });
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0] ?? '', /^duckdb-sync: tables\.events\.where: not one expression/);
    assert.ok(lines.length <= 2, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    config('nope > 3');
    const unknown = await runCli(['sync'], { cwd, env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /tables\.events\.where: unknown column "nope"/);
    assert.deepEqual(await query(join(cwd, 'local.duckdb'), 'SELECT count(*)::INTEGER AS n FROM events'), before);
  });
});
