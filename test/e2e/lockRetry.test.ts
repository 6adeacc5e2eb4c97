import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cleanEnv, runCli, startCli, type CliResult } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { createRemote, holdFile, parseOneJson } from './support.js';

/** Runs the CLI, calling `watch` with its stderr so far until `watch` returns true. */
function runCliWatching(args: string[], cwd: string, watch: (stderr: string) => boolean): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, { cwd, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    let done = false;
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!done) done = watch(stderr);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/*
 * Remote kinds: run for both. The local file's lock does not depend on the remote kind. A held
 * remote file is met by a file remote's attach and, through the emulator (which takes its file before
 * each step and lets it go after, as a server serves many clients), by its first step: both retry it
 * with the same message naming the file and the holder, then sync.
 */
describe('a lock that clears while retrying', () => {
  const fixture = tempDir();
  before(async () => {
    await createRemote(join(fixture, 'remote.duckdb'));
  });

  for (const held of ['remote.duckdb', 'local.duckdb'] as const) {
    test(`${held} held by another process for ~1 s: sync with the default retries succeeds`, async () => {
      const cwd = tempDir();
      copyFileSync(join(fixture, 'remote.duckdb'), join(cwd, 'remote.duckdb'));
      if (held === 'local.duckdb') {
        const first = await runCli(['sync', '--local', 'local.duckdb', '--remote', remoteUri('remote.duckdb')], { cwd, env: cleanEnv() });
        assert.equal(first.code, 0, first.stderr);
      }
      const holder = holdFile(join(cwd, held));
      try {
        await holder.ready;
        // The holder lets go ~1 s after the CLI first met the lock (timed from there, not from the
        // holder's start, so that a slow CLI start on a busy machine still meets the lock).
        const r = await runCliWatching(['sync', '--json', '--verbose', '--local', 'local.duckdb', '--remote', remoteUri('remote.duckdb')], cwd, (stderr) => {
          const metLock = /; retry 1\//.test(stderr);
          if (metLock) setTimeout(() => void holder.release(), 1000);
          return metLock;
        });
        assert.equal(r.code, 0, r.stderr);
        // It did meet the lock (and retried), naming the holder.
        assert.match(r.stderr, new RegExp(`locked by another process: .*${held.replace('.', '\\.')} \\(PID ${holder.pid}\\b.*; retry 1/5`));
        assert.equal(await holder.exited, 0, 'the holder released the file and exited normally');
        const doc = parseOneJson(r.stdout);
        assert.equal(doc.ok, true);
        const emails = (doc.tables as Array<Record<string, unknown>>).find((t) => t.name === 'emails');
        assert.equal(emails?.status, 'ok');
        // A local file synced before holds every row already: the full pull writes none (full/replaceByDifference.ts).
        assert.equal(emails?.rowsPulled, held === 'local.duckdb' ? 0 : 1000);
        const [row] = await query(join(cwd, 'local.duckdb'), 'SELECT count(*)::INTEGER AS n FROM emails');
        assert.equal(Number(row?.n), 1000);
      } finally {
        await holder.release();
      }
    });
  }
});
