// remote kinds: file only — packaging and installing do not depend on the remote.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { cleanEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * Every install line of the README, run as written (issues 15 and 27), with this repository's git URL
 * (a bare clone's `git+file://` URL: its committed HEAD) and global installs under a temporary prefix:
 *   npm pack <git URL> && npm install -g ./duckdb-sync-*.tgz      (from the git repository)
 *   npm pack && npm install -g ./duckdb-sync-*.tgz               (from a fresh clone: prepare installs what the build needs)
 *   npm install duckdb-sync-*.tgz && npx duckdb-sync --help       (in a project: the command and the library)
 * The package holds the built CLI, its types and the LICENSE; no sources, tests or source maps. On a
 * Node line the package claims (22 and newer), no install warns about an unsupported engine.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
const CLAIMED_NODE = Number(process.versions.node.split('.')[0]) >= Number(/\d+/.exec(PACKAGE.engines.node)?.[0]);

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8', env: cleanEnv(), timeout: 300_000 });
  assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`);
  if (CLAIMED_NODE) assert.doesNotMatch(r.stderr, /EBADENGINE/, `npm ${args.join(' ')} on Node ${process.version} warns about an engine:\n${r.stderr}`);
  return r;
}

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(cwd, 'cache') }), timeout: 120_000 });
}

/** The one tarball `npm pack` wrote into `dir`, and what it holds. */
function packed(dir: string): { tarball: string; files: string[] } {
  const tarballs = readdirSync(dir).filter((f) => /^duckdb-sync-.*\.tgz$/.test(f));
  assert.deepEqual(tarballs, [`duckdb-sync-${PACKAGE.version}.tgz`]);
  const tarball = join(dir, tarballs[0]!);
  const listing = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' });
  const files = listing.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  for (const f of ['dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'LICENSE', 'README.md', 'package.json']) assert.ok(files.includes(f), `${f} is packed`);
  assert.deepEqual(files.filter((f) => /^(src|test|bench|scripts)\/|\.map$/.test(f)), [], 'no sources, tests, benchmarks, scripts or source maps');
  return { tarball, files };
}

/** `npm install -g <tarball>` under a temporary prefix: the command runs the main job on the embedded default. */
function installGlobally(tarball: string, dir: string): void {
  const prefix = join(dir, 'global');
  npm(['install', '-g', '--prefix', prefix, '--prefer-offline', tarball], dir);
  const work = join(dir, 'work');
  mkdirSync(work);
  const demo = run(join(prefix, 'bin', 'duckdb-sync'), ['demo'], work);
  assert.equal(demo.status, 0, `${demo.stdout}\n${demo.stderr}`);
  assert.ok(readdirSync(join(work, 'duckdb-sync-demo')).includes('local.duckdb'), 'the demo synced its local file');
}

function gitClone(args: string[], target: string): void {
  const cloned = spawnSync('git', ['clone', '--quiet', ...args, pathToFileURL(ROOT).href, target], { encoding: 'utf8' });
  assert.equal(cloned.status, 0, cloned.stderr);
}

test('from the git repository: npm pack <git URL> && npm install -g ./duckdb-sync-*.tgz', () => {
  const dir = tempDir();
  // A bare copy plays the hosted repository: npm builds a `git+file:` URL of a working tree in that tree itself.
  const repository = join(dir, 'duckdb-sync.git');
  gitClone(['--bare'], repository);
  npm(['pack', '--prefer-offline', `git+${pathToFileURL(repository).href}`], dir);
  installGlobally(packed(dir).tarball, dir);
});

test('from a fresh clone: npm pack && npm install -g ./duckdb-sync-*.tgz; in a project: npm install duckdb-sync-*.tgz && npx duckdb-sync --help', () => {
  const dir = tempDir();
  const clone = join(dir, 'clone');
  gitClone(['--depth', '1'], clone);
  npm(['pack', '--prefer-offline'], clone);
  const { tarball } = packed(clone);
  installGlobally(tarball, dir);

  // A new project installs it: `npx duckdb-sync` finds the local command, and the library resolves with its types.
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-duckdb-sync', private: true }));
  npm(['install', '--prefer-offline', tarball], project);
  const help = run('npx', ['--no-install', 'duckdb-sync', '--help'], project);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: duckdb-sync/);
  const version = run('npx', ['--no-install', 'duckdb-sync', '--version'], project);
  assert.equal(version.stdout.trim(), PACKAGE.version);
  assert.ok(existsSync(join(project, 'node_modules', 'duckdb-sync', 'dist', 'index.d.ts')));
  const imported = run(process.execPath, ['--input-type=module', '-e', "const m = await import('duckdb-sync'); console.log(typeof m.sync, typeof m.openSyncedDatabase)"], project);
  assert.equal(imported.stdout.trim(), 'function function', imported.stderr);
});
