// Runs the whole test suite in one `node --test` pool: every test file once, and every
// integration, end-to-end, fault and property file once per remote kind (the file remote and the
// MotherDuck emulator), each through a two-line wrapper that sets DUCKDB_SYNC_TEST_REMOTE and
// imports the file. A file that makes sense only for the file remote says so on a line
// `// remote kinds: file only — <why>`; a file that picks its remotes itself says
// `// remote kinds: chosen here`.
//
// DUCKDB_SYNC_TEST_REMOTES=file (or mdemu, or file,mdemu: the default) picks the kinds;
// TEST_CONCURRENCY (default 3) the number of files run at once. Arguments narrow the files
// (substrings of their paths): node test/runTests.mjs pushCompare
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const kinds = (process.env.DUCKDB_SYNC_TEST_REMOTES ?? 'file,mdemu').split(',').filter(Boolean);
const filters = process.argv.slice(2);

function testFiles(dir) {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? testFiles(path) : name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

const MATRIX = /^test\/(integration|e2e|fault|property)\//;
const all = testFiles(join(root, 'test')).filter((f) => !filters.length || filters.some((s) => f.includes(s)));
const wrappers = mkdtempSync(join(tmpdir(), 'duckdb-sync-tests-'));

// The longest files start first (longest-first scheduling), so the pool ends with short files, not
// with a long one started last on its own. node --test sorts the files it is given by path, so every
// run is a two-line wrapper whose name starts with its rank: the wrapper sets the remote kind and
// imports the file.
const SLOW_FIRST = ['convergence', 'incrementalKill', 'killDuringFullSync', 'pushCompare', 'installPackage', 'installFromGit', 'daemon.test', 'daemonWatch', 'upgrade.test', 'exec.test', 'motherduckEmulator', 'engineUpgrade', 'schedule.test', 'badInputs'];
const rank = (rel) => {
  const i = SLOW_FIRST.findIndex((s) => rel.includes(s));
  return String(i === -1 ? SLOW_FIRST.length : i).padStart(2, '0');
};
const runs = [];
for (const file of all) {
  const rel = relative(root, file);
  const perKind = MATRIX.test(rel) && !/^\/\/ remote kinds: (file only|chosen here)/m.test(readFileSync(file, 'utf8'));
  for (const kind of perKind ? kinds : ['file']) {
    const wrapper = join(wrappers, `${rank(rel)}-${rel.replace(/[\\/]/g, '__').replace(/\.test\.ts$/, '')}.${kind}.test.mjs`);
    writeFileSync(wrapper, `process.env.DUCKDB_SYNC_TEST_REMOTE = ${JSON.stringify(kind)};\nawait import(${JSON.stringify(pathToFileURL(file).href)});\n`);
    runs.push(wrapper);
  }
}

const concurrency = process.env.TEST_CONCURRENCY ?? '3';
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...runs], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => {
  rmSync(wrappers, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
