// npm run test:motherduck: the suite every remote must pass (test/integration/remoteContract.test.ts),
// run against real MotherDuck. Needs MOTHERDUCK_TOKEN (a read-write token); without it, it says so
// on one line and exits 0. It creates a scratch database with a random name, runs the suite in it
// (each test in a schema of its own), and drops the database afterwards, also when the suite fails
// or is interrupted.
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
const database = `duckdb_sync_test_${randomBytes(6).toString('hex')}`;
// The extension reads the token from the environment: it never appears in SQL text.
const env = { ...process.env, motherduck_token: token, DUCKDB_SYNC_TEST_REMOTE: 'motherduck', DUCKDB_SYNC_LIVE_DATABASE: database };
process.env.motherduck_token = token;

async function onMotherDuck(sql) {
  const instance = await DuckDBInstance.create('md:');
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

let dropped = false;
async function drop() {
  if (dropped) return;
  dropped = true;
  try {
    await onMotherDuck(`DROP DATABASE IF EXISTS "${database}" CASCADE`);
    console.log(`dropped the scratch database ${database}`);
  } catch (error) {
    console.error(`could not drop the scratch database ${database}: ${error instanceof Error ? error.message : String(error)}; drop it by hand`);
  }
}

try {
  await onMotherDuck(`CREATE DATABASE "${database}"`);
} catch (error) {
  console.error(`test:motherduck: could not create a scratch database on MotherDuck: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  process.exit(1);
}
console.log(`created the scratch database ${database}`);
const child = spawn(process.execPath, ['--import', 'tsx', '--test', 'test/integration/remoteContract.test.ts'], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    child.kill(signal);
  });
}
const code = await new Promise((done) => child.on('exit', (c, signal) => done(c ?? (signal ? 1 : 0))));
await drop();
process.exit(code);
