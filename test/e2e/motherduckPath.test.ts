// remote kinds: chosen here — the MotherDuck path's answers, through the emulator's options.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { createRemote, snapshot } from './support.js';

const root = tempDir();
const cloud = join(root, 'cloud', 'analytics.duckdb');
const env = cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(root, 'cache') });

describe('the MotherDuck path on the command line (emulator)', () => {
  before(async () => {
    mkdirSync(join(root, 'cloud'));
    // Made under another name: opened directly, a file named analytics.duckdb with a schema analytics
    // makes two-part names ambiguous for DuckDB itself. duckdb-sync qualifies every name fully.
    await createRemote(join(root, 'cloud', 'made.duckdb'));
    renameSync(join(root, 'cloud', 'made.duckdb'), cloud);
  });

  test('a local file named like the database (analytics.duckdb and the database analytics): sync and verify', async () => {
    const r = await runCli(['sync', '--local', 'analytics.duckdb', '--remote', `mdemu:${cloud}`, '--json'], { cwd: root, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, true);
    const v = await runCli(['verify', '--local', 'analytics.duckdb', '--remote', `mdemu:${cloud}`], { cwd: root, env });
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  test('a share: --direction push exits 2 with one line naming the share; nothing changes on either side', async () => {
    await runCli(['sync', '--local', 'share.duckdb', '--remote', `mdemu:${cloud}`], { cwd: root, env });
    await runCli(['exec', '--local', 'share.duckdb', '--no-push', "UPDATE emails SET subject = 'mine' WHERE id = 1"], { cwd: root, env });
    // Bytes: the cloud file cannot be dumped by name (see before()).
    const snap = async (): Promise<unknown> => [await snapshot(join(root, 'share.duckdb')), createHash('sha256').update(readFileSync(cloud)).digest('hex')];
    const before = await snap();
    const r = await runCli(['sync', '--local', 'share.duckdb', '--remote', `mdemu:${cloud}?read_only`, '--direction', 'push'], { cwd: root, env });
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0] ?? '', /^duckdb-sync: the remote mdemu:.*\?read_only is read-only \(an emulated MotherDuck share \(analytics\)\): nothing can be pushed to it$/);
    assert.match(lines[1] ?? '', /^hint: sync with --direction pull/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(await snap(), before);
    const pulled = await runCli(['sync', '--local', 'share.duckdb', '--remote', `mdemu:${cloud}?read_only`, '--direction', 'pull'], { cwd: root, env });
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.deepEqual(await query(cloud, 'SELECT subject FROM main.emails WHERE id = 1'), [{ subject: 'Subject 1' }]);
  });

  test('an unsupported DuckDB client: exit 1, the client version and the fix, in --json too', async () => {
    const r = await runCli(['sync', '--local', 'old.duckdb', '--remote', `mdemu:${cloud}?max_client=1.4.2`, '--json'], { cwd: root, env });
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string; hint: string } };
    assert.equal(out.ok, false);
    assert.equal(out.error.code, 'E_CLIENT_VERSION');
    assert.match(out.error.message, /MotherDuck does not accept this DuckDB client \(v1\.5\.\d+\): Your DuckDB version \(v1\.5\.\d+\) is not yet supported by MotherDuck/);
    assert.match(out.error.hint, /version-lifecycle-schedules/);
  });
});
