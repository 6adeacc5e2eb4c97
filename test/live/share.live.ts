// Run by npm run test:motherduck only (test/live/runLive.mjs), with a hidden share of the scratch
// database the contract suite just filled: what only MotherDuck can show of shares. Attaching a share
// (`md:_share/<name>/<token>`) puts the session in workspace attach mode, where a DETACH would detach
// the database in every client: duckdb-sync reads the mode and never sends one. A pull from the share
// works; a push to it is refused before anything is read (exit 2, naming the share).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';

const share = process.env.DUCKDB_SYNC_LIVE_SHARE ?? '';

test('a share of the scratch database: pulled in workspace mode without a DETACH; a push to it is refused', { skip: !share && 'run by npm run test:motherduck' }, async () => {
  const dir = tempDir();
  const local = join(dir, 'local.duckdb');
  const env = cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache'), motherduck_token: process.env.motherduck_token });
  const pulled = await runCli(['sync', '--local', local, '--remote', share, '--direction', 'pull', '--json', '--verbose'], { cwd: dir, env, timeoutMs: 300_000 });
  assert.equal(pulled.code, 0, pulled.stderr);
  const doc = JSON.parse(pulled.stdout) as { ok: boolean; tables: Array<{ name: string; status: string; rowsPulled: number }> };
  assert.equal(doc.ok, true, pulled.stdout);
  assert.ok(doc.tables.some((t) => t.rowsPulled > 0), `some table was pulled: ${pulled.stdout.slice(0, 400)}`);
  // Every statement sent to the remote is in the debug log.
  const sent = pulled.stderr.split('\n').filter((l) => l.includes('remote round trip'));
  assert.ok(sent.length > 0, 'the debug log shows the round trips');
  assert.deepEqual(sent.filter((l) => /\bDETACH\b/i.test(l)), [], 'no DETACH in workspace mode');
  assert.match(pulled.stderr, /workspace attach mode/, 'the attach mode was read as workspace');
  const tables = await query(local, "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE schema_name <> '_duckdb_sync' AND NOT internal");
  assert.ok(Number(tables[0]?.n) > 0);

  const pushed = await runCli(['sync', '--local', local, '--remote', share, '--direction', 'push'], { cwd: dir, env, timeoutMs: 300_000 });
  assert.equal(pushed.code, 2, pushed.stderr);
  assert.match(pushed.stderr, /share/i);
});
