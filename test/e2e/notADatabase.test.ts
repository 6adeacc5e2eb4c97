import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { NotADatabaseError } from '../../src/errors.js';
import { sync } from '../../src/run/sync.js';
import { openSyncedDatabase } from '../../src/tracking/syncedDatabase.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { exec } from '../helpers/duck.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { assertCleanError, assertJsonError, createRemote, filesBelow } from './support.js';

/**
 * Issue 27: every file duckdb-sync opens is checked to be a DuckDB database before anything is
 * attached (DuckDB 1.5 would attach a CSV or JSON file by its extension as a read-only catalog, and a
 * sync would "pull" into it and lose the rows). A local path may also be new or an empty file. Anything
 * else exits 2 with one line naming the file and what it seems to be, and nothing anywhere changes.
 */

const root = tempDir();
const remote = join(root, 'remote.duckdb');
const synced = join(root, 'synced.duckdb');

/** DuckDB's header checksum (storage/checksum.cpp): 5381 XOR each 8-byte word times a constant, over bytes 8–4095. */
function withVersion(source: string, target: string, version: bigint): void {
  const bytes = readFileSync(source);
  bytes.writeBigUInt64LE(version, 12);
  let sum = 5381n;
  for (let offset = 8; offset < 4096; offset += 8) sum ^= (bytes.readBigUInt64LE(offset) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  bytes.writeBigUInt64LE(sum, 0);
  writeFileSync(target, bytes);
}

/** Each kind of wrong file: its name in the case folder, how it is made, and the words the message must use. */
const WRONG: Array<{ name: string; file: string; make: (path: string) => Promise<void> | void; says: RegExp }> = [
  { name: 'CSV', file: 'data.csv', make: (p) => writeFileSync(p, 'id,name\n1,Ana\n2,Bo\n'), says: /looks like CSV/ },
  { name: 'JSON', file: 'data.json', make: (p) => writeFileSync(p, '[{"id": 1, "name": "Ana"}]\n'), says: /looks like JSON/ },
  { name: 'Parquet', file: 'data.parquet', make: (p) => exec(join(root, 'scratch.duckdb'), `COPY (SELECT 1 AS id) TO '${p}' (FORMAT parquet)`), says: /looks like a Parquet file/ },
  { name: 'random bytes', file: 'noise.duckdb', make: (p) => writeFileSync(p, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 251))), says: /binary data of an unknown kind/ },
  { name: 'a directory', file: 'folder.duckdb', make: (p) => mkdirSync(p), says: /is a folder/ },
  { name: 'a newer DuckDB file', file: 'newer.duckdb', make: (p) => withVersion(synced, p, 99n), says: /written by a newer DuckDB \(storage version 99; this one reads \d+–\d+\)/ },
  { name: 'a DuckDB file older than 0.10', file: 'ancient.duckdb', make: (p) => withVersion(synced, p, 51n), says: /older than 0\.10 \(storage version 51\)/ },
];

let counter = 0;
const wrongFile = (i: number): string => WRONG[i]!.file;

/** A case folder holding the wrong file; returns it with the folder's bytes before the run. */
async function caseFolder(wrong: (typeof WRONG)[number]): Promise<{ dir: string; path: string; before: Map<string, string> }> {
  const dir = join(root, `case${++counter}`);
  mkdirSync(dir);
  copyFileSync(remote, join(dir, 'remote.duckdb'));
  const path = join(dir, wrong.file);
  await wrong.make(path);
  return { dir, path, before: contents(dir) };
}

/** Every file of the folder but the CLI's daily log, by content hash. */
function contents(dir: string): Map<string, string> {
  const files = filesBelow(dir).filter((f) => !f.startsWith(join(dir, 'logs')));
  return new Map(files.map((f) => [f.slice(dir.length + 1), createHash('sha256').update(readFileSync(f)).digest('hex').slice(0, 16)]));
}

before(async () => {
  await createRemote(remote);
  const first = await runCli(['sync', '--local', synced, '--remote', remote]);
  assert.equal(first.code, 0, first.stderr);
});

// The local side is checked the same whatever the remote: run once (file remote).
describe('a wrong file given as the local database', { skip: testRemoteKind() !== 'file' && 'the local file is checked the same for every remote kind' }, () => {
  for (const wrong of WRONG) {
    // Every command opens the local file the same way: all of them for one kind, sync for the others.
    const commands = wrong === WRONG[0] ? ['sync', 'status', 'verify', 'conflicts'] : ['sync'];
    test(`${wrong.name}: ${commands.join(', ')} exit 2 naming it; nothing changes`, async () => {
      const { dir, path, before: was } = await caseFolder(wrong);
      const remoteArgs = ['--remote', remoteUri('remote.duckdb')];
      for (const args of commands.map((c) => [c, '--local', wrong.file, ...(c === 'sync' || c === 'verify' ? remoteArgs : [])])) {
        const r = await runCli(args, { cwd: dir });
        assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
        const { message } = assertCleanError(r.stderr, wrong.says);
        assert.ok(message.includes(path), `the message names ${path}: ${message}`);
        assert.match(message, /^local database /);
      }
      const json = await runCli(['sync', '--json', '--local', wrong.file, '--remote', remoteUri('remote.duckdb')], { cwd: dir });
      assert.equal(json.code, 2);
      assertJsonError(json.stdout, 'E_NOT_A_DATABASE', wrong.says);
      assert.deepEqual(contents(dir), was, 'no file in the folder was created or changed');
    });
  }

  test('daemon and schedule refuse it before they start (not at their first run)', async () => {
    const { dir, path, before: was } = await caseFolder(WRONG[0]!);
    const daemon = await runCli(['daemon', '--local', wrongFile(0), '--remote', remoteUri('remote.duckdb')], { cwd: dir, timeoutMs: 20_000 });
    assert.equal(daemon.code, 2, daemon.stderr);
    assert.ok(assertCleanError(daemon.stderr, /looks like CSV/).message.includes(path));
    // No crontab program on PATH: had the check not come first, the error would name crontab.
    const schedule = await runCli(['schedule', '--local', wrongFile(0), '--remote', remoteUri('remote.duckdb')], {
      cwd: dir,
      env: cleanEnv({ PATH: dirname(process.execPath) }),
    });
    assert.equal(schedule.code, 2, schedule.stderr);
    assertCleanError(schedule.stderr, /looks like CSV/);
    assert.deepEqual(contents(dir), was);
  });

  test('the library refuses it too (sync and openSyncedDatabase), changing nothing', async () => {
    const { dir, before: was } = await caseFolder(WRONG[0]!);
    await assert.rejects(sync({ local: join(dir, 'data.csv'), remote: remoteUri(join(dir, 'remote.duckdb')), cwd: dir, env: {} }), NotADatabaseError);
    await assert.rejects(openSyncedDatabase({ local: join(dir, 'data.csv'), remote: remoteUri(join(dir, 'remote.duckdb')), cwd: dir, env: {} }), (error: unknown) => {
      assert.ok(error instanceof NotADatabaseError);
      assert.equal(error.code, 'E_NOT_A_DATABASE');
      assert.equal(error.exitCode, 2);
      return true;
    });
    assert.deepEqual(contents(dir), was);
  });

  test('an empty file is a new database: the sync creates it there', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    copyFileSync(remote, join(dir, 'remote.duckdb'));
    writeFileSync(join(dir, 'local.duckdb'), '');
    const r = await runCli(['sync', '--local', 'local.duckdb', '--remote', remoteUri('remote.duckdb')], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /emails\s+ok\s+1000/);
  });
});

describe('a wrong file given as the remote', () => {
  const cases = [...WRONG, { name: 'an empty file', file: 'empty.duckdb', make: (p: string) => writeFileSync(p, ''), says: /is an empty file, not a DuckDB database/ }];
  for (const wrong of cases) {
    test(`${wrong.name}: sync and verify exit 2 naming it; no local file is created`, async () => {
      const { dir, path, before: was } = await caseFolder(wrong);
      for (const args of [
        ['sync', '--local', 'local.duckdb', '--remote', remoteUri(wrong.file)],
        ['verify', '--local', 'local.duckdb', '--remote', remoteUri(wrong.file)],
      ]) {
        const r = await runCli(args, { cwd: dir });
        assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
        const { message } = assertCleanError(r.stderr, wrong.says);
        assert.ok(message.includes(path), `the message names ${path}: ${message}`);
        assert.match(message, /^remote database /);
      }
      assert.deepEqual(contents(dir), was, 'no file in the folder was created or changed');
    });
  }
});
