// remote kinds: file only — packaging and installing do not depend on the remote.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gitClone, installGlobally, npm, PACKAGE, packed, run } from '../helpers/install.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * Two of the README's install lines, run as written (issues 15 and 27), from a fresh clone of this
 * repository (its committed HEAD), where `prepare` installs what the build needs:
 *   npm pack && npm install -g ./duckdb-sync-*.tgz               (global, under a temporary prefix)
 *   npm install duckdb-sync-*.tgz && npx duckdb-sync --help       (in a project: the command and the library)
 * The package holds the built CLI, its types and the LICENSE; no sources, tests or source maps.
 * The git URL line is installFromGit.test.ts.
 */
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
