// The least work any incremental pull of a cursor table can do, as one process, for comparison with
// the incremental-sync scenario: start node, load DuckDB, open the local file, attach the remote,
// read the rows whose cursor moved, replace them in the local table (delete + insert by key), commit,
// close (checkpoint). No baseline, no conflict detection, no metadata: a lower bound, not a sync.
//
//   node bench/tools/cursorFloor.mjs <local file> <remote file> <table> <key column> <cursor column> <watermark>
import { createRequire } from 'node:module';

// Loaded as duckdb-sync loads it (src/db/duckdbApi.ts): require() skips the ESM named-export scan.
const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api');

const [local, remote, table, key, cursor, watermark] = process.argv.slice(2);
if (!watermark) {
  console.error('usage: node bench/tools/cursorFloor.mjs <local> <remote> <table> <key> <cursor> <watermark>');
  process.exit(2);
}
const q = (s) => `"${s.replaceAll('"', '""')}"`;
const instance = await DuckDBInstance.create(local);
const c = await instance.connect();
await c.run(`ATTACH '${remote.replaceAll("'", "''")}' AS r (READ_ONLY)`);
await c.run(`CREATE TEMP TABLE changed AS SELECT * FROM r.${q(table)} WHERE ${q(cursor)} >= CAST($1 AS TIMESTAMP)`, [watermark]);
await c.run('BEGIN');
await c.run(`DELETE FROM ${q(table)} WHERE ${q(key)} IN (SELECT ${q(key)} FROM temp.changed)`);
await c.run(`INSERT INTO ${q(table)} SELECT * FROM temp.changed`);
await c.run('COMMIT');
await c.run('DETACH r');
c.closeSync();
instance.closeSync();
