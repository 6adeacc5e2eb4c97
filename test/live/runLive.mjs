// npm run test:motherduck: the suite every remote must pass (test/integration/remoteContract.test.ts),
// run against real MotherDuck. Needs MOTHERDUCK_TOKEN (a read-write token); without it, it says so
// on one line and exits 0. It creates a scratch database with a random name, runs the suite in it
// (each test in a schema of its own), then a hidden share of it for test/live/share.live.ts (a pull
// in workspace attach mode with no DETACH, a push refused; DUCKDB_SYNC_LIVE_SHARE=0 leaves it out),
// then a scratch DuckLake database for test/live/duckLake.live.ts (what only MotherDuck can show:
// that `md_all_databases()` names it, and that the tables duckdb-sync creates there are accepted;
// DUCKDB_SYNC_LIVE_DUCKLAKE=0 leaves it out), and drops the share and the databases afterwards, also
// when a test fails or the run is interrupted.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const token = process.env.MOTHERDUCK_TOKEN ?? process.env.motherduck_token;
if (!token) {
  console.log('test:motherduck skipped: set MOTHERDUCK_TOKEN to a read-write MotherDuck token to run the suite against real MotherDuck');
  process.exit(0);
}

const root = resolve(import.meta.dirname, '..', '..');
const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api');
const suffix = randomBytes(6).toString('hex');
const databases = [
  { name: `duckdb_sync_test_${suffix}`, create: '', suite: 'test/integration/remoteContract.test.ts' },
  ...(process.env.DUCKDB_SYNC_LIVE_DUCKLAKE === '0' ? [] : [{ name: `duckdb_sync_lake_${suffix}`, create: ' (TYPE DUCKLAKE)', suite: 'test/live/duckLake.live.ts' }]),
];
// The extension reads the token from the environment: it never appears in SQL text.
process.env.motherduck_token = token;

/** Runs one statement on MotherDuck; returns the first value of its first row, if any. */
async function onMotherDuck(sql) {
  const instance = await DuckDBInstance.create('md:');
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(sql)).getRows();
    return rows[0]?.[0];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const created = [];
const shares = [];
async function dropAll() {
  while (shares.length) {
    const share = shares.pop();
    try {
      await onMotherDuck(`DROP SHARE IF EXISTS "${share}"`);
      console.log(`dropped the scratch share ${share}`);
    } catch (error) {
      console.error(`could not drop the scratch share ${share}: ${error instanceof Error ? error.message : String(error)}; drop it by hand`);
    }
  }
  while (created.length) {
    const database = created.pop();
    try {
      await onMotherDuck(`DROP DATABASE IF EXISTS "${database}" CASCADE`);
      console.log(`dropped the scratch database ${database}`);
    } catch (error) {
      console.error(`could not drop the scratch database ${database}: ${error instanceof Error ? error.message : String(error)}; drop it by hand`);
    }
  }
}

let child;
let stopped = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopped = true;
    child?.kill(signal);
  });
}
let code = 0;
for (const { name, create, suite } of databases) {
  if (stopped) break;
  try {
    await onMotherDuck(`CREATE DATABASE "${name}"${create}`);
    created.push(name);
  } catch (error) {
    console.error(`test:motherduck: could not create a scratch database on MotherDuck: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
    code = 1;
    break;
  }
  console.log(`created the scratch database ${name}${create}`);
  const env = { ...process.env, motherduck_token: token, DUCKDB_SYNC_TEST_REMOTE: 'motherduck', DUCKDB_SYNC_LIVE_DATABASE: name };
  const exit = await runSuite(suite, env);
  if (exit !== 0) code = exit;
  // The contract suite's database, shared: what a reader of a share meets (workspace attach mode).
  if (!create && !stopped && process.env.DUCKDB_SYNC_LIVE_SHARE !== '0') {
    const share = `duckdb_sync_share_${suffix}`;
    try {
      const url = await onMotherDuck(`CREATE SHARE "${share}" FROM "${name}" (ACCESS ORGANIZATION, VISIBILITY HIDDEN, UPDATE AUTOMATIC)`);
      shares.push(share);
      console.log(`created the scratch share ${share} (${url})`);
      const shared = await runSuite('test/live/share.live.ts', { ...env, DUCKDB_SYNC_LIVE_SHARE: String(url) });
      if (shared !== 0) code = shared;
    } catch (error) {
      console.error(`test:motherduck: could not create a share of ${name}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
      code = 1;
    }
  }
}

/** Runs one test file with node --test; resolves to its exit code. */
function runSuite(suite, env) {
  child = spawn(process.execPath, ['--import', 'tsx', '--test', suite], { cwd: root, env, stdio: 'inherit' });
  return new Promise((done) => child.on('exit', (c, signal) => done(c ?? (signal ? 1 : 0))));
}
await dropAll();
process.exit(code);
