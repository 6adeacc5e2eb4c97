import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanEnv } from './cli.js';

/**
 * The README's install lines as the tests run them (test/e2e/install*.test.ts): npm with a clean
 * environment, the packed tarball's contents checked, global installs under a temporary prefix.
 * On a Node line the package claims (22 and newer), no npm step may warn about an unsupported engine.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
const CLAIMED_NODE = Number(process.versions.node.split('.')[0]) >= Number(/\d+/.exec(PACKAGE.engines.node)?.[0]);

export function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8', env: cleanEnv(), timeout: 300_000 });
  assert.equal(r.status, 0, `npm ${args.join(' ')}: ${r.stderr}`);
  if (CLAIMED_NODE) assert.doesNotMatch(r.stderr, /EBADENGINE/, `npm ${args.join(' ')} on Node ${process.version} warns about an engine:\n${r.stderr}`);
  return r;
}

export function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: cleanEnv({ DUCKDB_SYNC_CACHE_DIR: join(cwd, 'cache') }), timeout: 120_000 });
}

/** The one tarball `npm pack` wrote into `dir`, and what it holds. */
export function packed(dir: string): { tarball: string; files: string[] } {
  const tarballs = readdirSync(dir).filter((f) => /^duckdb-sync-.*\.tgz$/.test(f));
  assert.deepEqual(tarballs, [`duckdb-sync-${PACKAGE.version}.tgz`]);
  const tarball = join(dir, tarballs[0]!);
  const listing = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' });
  const files = listing.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  for (const f of ['dist/bin/duckdb-sync.js', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'LICENSE', 'README.md', 'package.json']) assert.ok(files.includes(f), `${f} is packed`);
  assert.deepEqual(files.filter((f) => /^(src|test|bench|scripts)\/|\.map$/.test(f)), [], 'no sources, tests, benchmarks, scripts or source maps');
  return { tarball, files };
}

/** `npm install -g <tarball>` under a temporary prefix: the command runs the main job on the embedded default. */
export function installGlobally(tarball: string, dir: string): void {
  const prefix = join(dir, 'global');
  npm(['install', '-g', '--prefix', prefix, '--prefer-offline', tarball], dir);
  const work = join(dir, 'work');
  mkdirSync(work);
  const demo = run(join(prefix, 'bin', 'duckdb-sync'), ['demo'], work);
  assert.equal(demo.status, 0, `${demo.stdout}\n${demo.stderr}`);
  assert.ok(readdirSync(join(work, 'duckdb-sync-demo')).includes('local.duckdb'), 'the demo synced its local file');
}

export function gitClone(args: string[], target: string): void {
  const cloned = spawnSync('git', ['clone', '--quiet', ...args, pathToFileURL(ROOT).href, target], { encoding: 'utf8' });
  assert.equal(cloned.status, 0, cloned.stderr);
}
