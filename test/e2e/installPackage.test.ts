// remote kinds: file only — packaging and installing do not depend on the remote.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { cleanEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * The package as users get it (issue 15): `npm pack` gives the built CLI, type declarations and the
 * LICENSE (no sources, tests or source maps); the tarball installs into a new project, where
 * `npx duckdb-sync` works, and globally (`npm install -g`, here under a temporary prefix), where the
 * `duckdb-sync` command runs the demo. Dependencies come from npm's cache (`npm ci` filled it) or
 * the registry. The tarball is packed from the tree `npm test` just built (`--ignore-scripts`); the
 * `prepare` script that builds it on `npm pack`, `npm install` from git and `npm ci` is checked too.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: cleanEnv(), timeout: 300_000 });
  assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`);
  return r;
}

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(cwd, 'cache') }), timeout: 120_000 });
}

test('npm pack gives the built CLI, its types and the LICENSE; it installs locally (npx) and globally, and the command works', async () => {
  assert.equal(PACKAGE.scripts.prepare, 'npm run build', 'the package builds itself on npm pack, npm ci and installs from git');
  const dir = tempDir();
  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  assert.ok(info);
  const files = info.files.map((f) => f.path);
  for (const f of ['dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'LICENSE', 'README.md', 'package.json']) assert.ok(files.includes(f), `${f} is packed`);
  assert.deepEqual(files.filter((f) => /^(src|test|bench)\/|\.map$/.test(f)), [], 'no sources, tests, benchmarks or source maps');
  const tarball = join(dir, info.filename);

  // A new project installs it: `npx duckdb-sync` finds the local command.
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-duckdb-sync', private: true }));
  npm(['install', '--prefer-offline', tarball], project);
  const help = run('npx', ['--no-install', 'duckdb-sync', '--help'], project);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: duckdb-sync/);
  const version = run('npx', ['--no-install', 'duckdb-sync', '--version'], project);
  assert.equal(version.stdout.trim(), PACKAGE.version);
  // The library resolves from the package, with its types.
  assert.ok(existsSync(join(project, 'node_modules', 'duckdb-sync', 'dist', 'index.d.ts')));
  const imported = run(process.execPath, ['--input-type=module', '-e', "const m = await import('duckdb-sync'); console.log(typeof m.sync, typeof m.openSyncedDatabase)"], project);
  assert.equal(imported.stdout.trim(), 'function function', imported.stderr);

  // Installed globally (under a temporary prefix): the command runs the main job on the embedded default.
  const prefix = join(dir, 'global');
  npm(['install', '--global', '--prefer-offline', '--prefix', prefix, tarball], dir);
  const bin = join(prefix, 'bin', 'duckdb-sync');
  const work = join(dir, 'work');
  mkdirSync(work);
  const demo = run(bin, ['demo'], work);
  assert.equal(demo.status, 0, `${demo.stdout}\n${demo.stderr}`);
  assert.ok(readdirSync(join(work, 'duckdb-sync-demo')).includes('local.duckdb'), 'the demo synced its local file');
});
