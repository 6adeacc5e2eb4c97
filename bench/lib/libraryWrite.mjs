// The library-write scenario's child: single-row writes through the library (openSyncedDatabase)
// against the same writes through a plain @duckdb/node-api connection, then the time a one-row
// update takes to reach the remote with flush(). Plain JavaScript, like copyFromDatabase.mjs, so
// that no TypeScript loader start-up is counted; it uses the built library (`duckdb-sync` resolves
// to this package's own dist/index.js: run `npm run build` first).
//
//   node bench/lib/libraryWrite.mjs <local> <remote (a path, or mdemu:<path>)> <plain copy of local> <rows> <writes> <warm-up writes> <flushes>
//
// <local> and <remote> are already synced; <plain copy of local> is a separate copy of <local> for
// the plain connection. Prints one JSON line:
//   { libraryRunMs[], plainRunMs[]      per-call ms of the timed writes (interleaved, order alternating)
//     settleMs, settleRowsPushed         the untimed flush that pushes those writes
//     flushMs[], flushRunMs[], flushRowsPushed[]   per update+flush: flush() after run() resolved, that run(), rows pushed
//     remoteVerified }                   rows found on the remote after close (read-only, not timed)
import { DuckDBInstance } from '@duckdb/node-api';
import { openSyncedDatabase } from 'duckdb-sync';

const [local, remote, plainFile, rowsText, writesText, warmupText, flushesText] = process.argv.slice(2);
if (!local || !remote || !plainFile || !rowsText || !writesText || !warmupText || !flushesText) {
  process.stderr.write('usage: libraryWrite.mjs <local> <remote> <plain copy of local> <rows> <writes> <warm-up writes> <flushes>\n');
  process.exit(2);
}
const rows = Number(rowsText);
const writes = Number(writesText);
const warmupWrites = Number(warmupText);
const flushes = Number(flushesText);
const total = warmupWrites + writes + flushes;
if (!(rows >= total)) throw new Error(`libraryWrite: ${rows} rows is fewer than the ${total} distinct rows written`);

const TABLE = 'orders';
const UPDATE = `UPDATE ${TABLE} SET note = $2, amount = coalesce(amount, 0) + 1 WHERE id = $1`;
// Distinct ids spread over the table: warm-up writes, timed writes, then one per timed flush.
const idAt = (j) => BigInt(1 + Math.floor(((j + 0.5) * rows) / total));
const runNote = (j) => `bench run ${j}`;
const flushNote = (f) => `bench flush ${f}`;
const pushedRows = (result) => result.tables.reduce((a, t) => a + t.rowsPushed, 0);
const checkPush = (what, result) => {
  if (!result.ok) throw new Error(`${what} failed: ${JSON.stringify(result.tables)}`);
};

const plainInstance = await DuckDBInstance.create(plainFile);
const plain = await plainInstance.connect();
const db = await openSyncedDatabase({ local, remote, cwd: process.cwd(), env: {}, autoSync: false, initialSync: false });

const libraryRunMs = [];
const plainRunMs = [];
const flushMs = [];
const flushRunMs = [];
const flushRowsPushed = [];
let settleMs;
let settleRowsPushed;
try {
  const write = {
    library: async (j) => {
      const changed = await db.run(UPDATE, [idAt(j), runNote(j)]);
      if (changed !== 1) throw new Error(`library run(): ${changed} rows changed for id ${idAt(j)}`);
    },
    plain: async (j) => {
      const result = await plain.run(UPDATE, [idAt(j), runNote(j)]);
      if (Number(result.rowsChanged) !== 1) throw new Error(`plain run(): ${result.rowsChanged} rows changed for id ${idAt(j)}`);
    },
  };

  // (a) run() against a plain write: warm both, then timed calls, one of each per row, order alternating.
  for (let j = 0; j < warmupWrites; j++) {
    await write.library(j);
    await write.plain(j);
  }
  for (let i = 0; i < writes; i++) {
    const j = warmupWrites + i;
    const order = i % 2 === 0 ? ['library', 'plain'] : ['plain', 'library'];
    for (const side of order) {
      const started = performance.now();
      await write[side](j);
      (side === 'library' ? libraryRunMs : plainRunMs).push(performance.now() - started);
    }
  }
  // Push those writes (not a figure of the targets).
  {
    const started = performance.now();
    const result = await db.flush();
    settleMs = performance.now() - started;
    checkPush('settling flush', result);
    settleRowsPushed = pushedRows(result);
  }

  // (b) one single-row update, then flush(): timed from run() resolving to flush() resolving.
  for (let f = 0; f < flushes; f++) {
    const j = warmupWrites + writes + f;
    const started = performance.now();
    const changed = await db.run(UPDATE, [idAt(j), flushNote(f)]);
    const written = performance.now();
    const result = await db.flush();
    const pushed = performance.now();
    if (changed !== 1) throw new Error(`run(): ${changed} rows changed for id ${idAt(j)}`);
    checkPush(`flush ${f + 1}`, result);
    flushRunMs.push(written - started);
    flushMs.push(pushed - written);
    flushRowsPushed.push(pushedRows(result));
  }
} finally {
  await db.close();
  plain.closeSync();
  plainInstance.closeSync();
}

// The changes are on the remote (read-only, not timed).
const remoteInstance = await DuckDBInstance.create(remote.replace(/^mdemu:/, '').replace(/\?.*$/, ''), { access_mode: 'READ_ONLY' });
const remoteConnection = await remoteInstance.connect();
let remoteVerified;
try {
  const reader = await remoteConnection.runAndReadAll(`SELECT id, note FROM ${TABLE} WHERE note LIKE 'bench %'`);
  const found = new Map(reader.getRowObjectsJS().map((r) => [BigInt(r.id), r.note]));
  const expected = new Map();
  for (let j = 0; j < warmupWrites + writes; j++) expected.set(idAt(j), runNote(j));
  for (let f = 0; f < flushes; f++) expected.set(idAt(warmupWrites + writes + f), flushNote(f));
  const wrong = [...expected].filter(([id, note]) => found.get(id) !== note);
  if (wrong.length || found.size !== expected.size) {
    throw new Error(`remote ${remote}: ${wrong.length} of ${expected.size} written rows missing or different, ${found.size} rows with a bench note (e.g. id ${wrong[0]?.[0]})`);
  }
  remoteVerified = found.size;
} finally {
  remoteConnection.closeSync();
  remoteInstance.closeSync();
}

process.stdout.write(`${JSON.stringify({ libraryRunMs, plainRunMs, settleMs, settleRowsPushed, flushMs, flushRunMs, flushRowsPushed, remoteVerified })}\n`);
