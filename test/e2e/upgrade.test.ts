/**
 * Upgrading duckdb-sync (here: its DuckDB, 1.4.4 → the current release) keeps pending edits.
 *
 * The scenario, end to end with the built CLI:
 * 1. Everything before the upgrade runs on the previous DuckDB release (1.4.4): the remote file is
 *    created by it, a full sync by duckdb-sync-on-1.4.4 creates the local file, then the user edits
 *    rows locally with `exec --no-push` (offline: updates, inserts, deletes; for the table without
 *    a key, copies added and removed) and another program edits other rows on the remote.
 * 2. duckdb-sync is upgraded (the CLI now runs on the current DuckDB) and `sync --mode incremental`
 *    runs. Design decision 14 ("upgrades are invisible"): the baselines left by 1.4.4 stay usable,
 *    so exactly the edits move (local ones pushed, remote ones pulled), no table is re-pulled, no
 *    local edit is parked in dewey_sync_conflicts, and both sides end with the same content.
 * 3. A row edited on both sides across the upgrade is a real conflict: exactly that row, resolved
 *    remote-wins (the default) and kept in dewey_sync_conflicts, and nothing else.
 * 4. A second incremental sync afterwards finds nothing to do.
 * A control runs the same scenario without the upgrade (the last sync on 1.4.4 too): the numbers
 * expected below are what duckdb-sync does anyway; the upgrade must not change them.
 *
 * Three tables: keyed with a cursor column (`orders.updated_at`), keyed without a cursor
 * (`products`), and keyless (`page_views`, with duplicate rows).
 *
 * Why: the baseline (one fingerprint per row of what was last synced) was tied to the DuckDB version
 * that computed it; after an upgrade every table was "no usable baseline: pulled in full", which
 * reverted offline local edits and parked them in dewey_sync_conflicts instead of pushing them.
 *
 * The previous DuckDB runs in processes of its own (the CLI with a preload, test/helpers/previousDuck.ts
 * for plain SQL): two DuckDB releases cannot share one process. Files written by 1.4.4 are only read
 * here (read-only) until the upgraded sync has run.
 *
 * Remote kinds (test/helpers/remoteKinds.ts): the syncs run against the remote file as a file remote
 * or through the MotherDuck emulator (`mdemu:`). The 1.4.4 syncs run the current CLI code on DuckDB
 * 1.4.4 (onPreviousDuckdb), so the emulator works there too; the remote file itself is still written
 * and read directly (onPreviousDuck, readOnly). Both kinds' baselines keep DuckDB's hash() only
 * (scheme `engine`: the emulator's server hashes as this client does). After the upgrade they are
 * first checked with the hash probe; 1.4.4 and the current release hash these tables alike, so both
 * kinds adopt the 1.4.4 baseline as it is and the expected numbers, contents and conflicts are the
 * same. Were the hashes to differ, a baseline with canonical fingerprints would be rehashed (same
 * numbers, a "rehashed" note: test/integration/engineUpgrade.test.ts) where one without is unusable
 * (pulled in full, which the assertions below reject): the checks only forbid a full pull.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { baselineTableName } from '../../src/engine/state/baseline.js';
import { probeTableName } from '../../src/engine/state/hashes/hashProbe.js';
import type { TablePair } from '../../src/engine/catalog/tablePair.js';
import { cleanEnv, onPreviousDuckdb, runCli, type CliOptions, type CliResult } from '../helpers/cli.js';
import { onPreviousDuck } from '../helpers/previousDuck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { parseOneJson, readOnly } from './support.js';
import type { TableResult } from '../../src/engine/api.js';

const env = cleanEnv();
const DB = ['--local', 'local.duckdb', '--remote', remoteUri('remote.duckdb')];
const PREVIOUS_VERSION = 'v1.4.4';
const TABLES = ['orders', 'page_views', 'products'] as const;

/** The remote's content before anything is synced (written by DuckDB 1.4.4). */
const CREATE_REMOTE = [
  `CREATE TABLE orders (id INTEGER PRIMARY KEY, customer VARCHAR NOT NULL, amount DECIMAL(10, 2), status VARCHAR,
     updated_at TIMESTAMP NOT NULL)`,
  `INSERT INTO orders SELECT i, 'customer' || (i % 17), round(i * 1.25, 2), CASE WHEN i % 3 = 0 THEN 'shipped' ELSE 'open' END,
     TIMESTAMP '2025-01-01 00:00:00' + to_minutes(i) FROM range(1, 301) t(i)`,
  `CREATE TABLE products (sku VARCHAR PRIMARY KEY, name VARCHAR, price DOUBLE, in_stock BOOLEAN, tags VARCHAR[], added DATE)`,
  `INSERT INTO products SELECT 'SKU-' || lpad(i::VARCHAR, 4, '0'), 'Product ' || i, i * 0.1, i % 4 <> 0, ['tag' || (i % 3), 'all'],
     DATE '2024-01-01' + i::INTEGER FROM range(1, 251) t(i)`,
  // Every distinct row 2 or 3 times (the pattern repeats every 140 rows).
  `CREATE TABLE page_views (path VARCHAR, visitor INTEGER, day DATE)`,
  `INSERT INTO page_views SELECT '/page/' || (i % 20), i % 7, DATE '2025-01-01' + (i % 10)::INTEGER FROM range(0, 400) t(i)`,
];
const TABLE_SIZES = { orders: 300, products: 250, page_views: 400 };

/** Removes one copy of a row of the keyless table. */
function removeOneCopy(path: string, visitor: number, day: string): string {
  return `DELETE FROM page_views WHERE rowid = (SELECT min(rowid) FROM page_views WHERE path = '${path}' AND visitor = ${visitor} AND day = DATE '${day}')`;
}

/** Offline edits made locally after the 1.4.4 sync, with `exec --no-push` (rows the remote leaves alone). */
const LOCAL_EDITS = [
  `UPDATE orders SET status = 'cancelled', amount = 0, updated_at = TIMESTAMP '2025-03-01 09:00:00' WHERE id IN (10, 11, 12)`,
  `INSERT INTO orders VALUES (1001, 'local customer', 12.50, 'open', TIMESTAMP '2025-03-01 09:05:00'),
     (1002, 'local customer', 7.25, 'open', TIMESTAMP '2025-03-01 09:06:00')`,
  `DELETE FROM orders WHERE id IN (20, 21)`,
  `UPDATE products SET price = 99.99, tags = ['sale'] WHERE sku IN ('SKU-0010', 'SKU-0011')`,
  `INSERT INTO products VALUES ('SKU-9001', 'Local product', 5.5, true, ['new'], DATE '2025-03-01')`,
  `DELETE FROM products WHERE sku = 'SKU-0020'`,
  // Keyless: a new row twice, one more copy of a row (3 → 4), one copy less of another (3 → 2), all 3 copies of a third gone.
  `INSERT INTO page_views VALUES ('/local/new', 1, DATE '2025-03-01'), ('/local/new', 1, DATE '2025-03-01'), ('/page/1', 1, DATE '2025-01-02')`,
  removeOneCopy('/page/2', 2, '2025-01-03'),
  `DELETE FROM page_views WHERE path = '/page/3' AND visitor = 3 AND day = DATE '2025-01-04'`,
];

/** Edits made on the remote by another program (1.4.4) meanwhile, to other rows; cursor values move forward. */
const REMOTE_EDITS = [
  `UPDATE orders SET status = 'shipped', updated_at = TIMESTAMP '2025-03-02 10:00:00' WHERE id IN (30, 31)`,
  `INSERT INTO orders VALUES (2001, 'remote customer', 40.00, 'open', TIMESTAMP '2025-03-02 10:05:00')`,
  `DELETE FROM orders WHERE id = 40`,
  `UPDATE products SET name = 'Renamed remotely' WHERE sku = 'SKU-0030'`,
  `INSERT INTO products VALUES ('SKU-8001', 'Remote product', 3.25, false, [], DATE '2025-03-02')`,
  `DELETE FROM products WHERE sku IN ('SKU-0040', 'SKU-0041')`,
  `INSERT INTO page_views VALUES ('/remote/new', 2, DATE '2025-03-02'), ('/page/5', 5, DATE '2025-01-06')`,
  removeOneCopy('/page/6', 6, '2025-01-07'),
];

/** One row per keyed table changed on both sides (the same columns, so "remote wins" is the remote row). */
const LOCAL_CONFLICTING = [
  `UPDATE orders SET amount = 111.00, updated_at = TIMESTAMP '2025-03-01 09:10:00' WHERE id = 50`,
  `UPDATE products SET price = 1.11 WHERE sku = 'SKU-0050'`,
];
const REMOTE_CONFLICTING = [
  `UPDATE orders SET amount = 222.00, updated_at = TIMESTAMP '2025-03-02 10:10:00' WHERE id = 50`,
  `UPDATE products SET price = 2.22 WHERE sku = 'SKU-0050'`,
];

/** What the sync should report per table: exactly the edits above. */
type TableCounts = Pick<TableResult, 'name' | 'rowsPulled' | 'rowsPushed' | 'rowsDeleted' | 'conflicts'> & {
  status: string;
  /** Warnings that say the table had no usable baseline and was pulled in full. */
  fullPullWarnings: string[];
};

function counts(name: string, rowsPulled: number, rowsPushed: number, rowsDeleted: number, conflicts = 0): TableCounts {
  return { name, status: 'ok', rowsPulled, rowsPushed, rowsDeleted, conflicts, fullPullWarnings: [] };
}

// orders: 3 updated + 2 inserted pushed, 2 deleted locally + 1 remotely, 2 updated + 1 inserted pulled.
// products: 2 + 1 pushed, 1 + 2 deleted, 1 + 1 pulled. page_views counts copies: 3 added locally (pushed),
// 1 + 3 removed locally and 1 remotely (deleted), 2 added remotely (pulled).
const EXPECTED_NO_CONFLICT = [counts('orders', 3, 5, 3), counts('page_views', 2, 3, 5), counts('products', 2, 3, 3)];
// The conflicting rows: the remote version wins and is pulled, the local one is not pushed.
const EXPECTED_WITH_CONFLICT = [counts('orders', 4, 5, 3, 1), counts('page_views', 2, 3, 5), counts('products', 3, 3, 3, 1)];
const NOTHING_TO_DO = TABLES.map((t) => counts(t, 0, 0, 0));

type Rows = Array<Record<string, unknown>>;

/** The per-table numbers of a `sync --json` document, in a form that deepEqual can diff. */
function tableCounts(doc: Record<string, unknown>): TableCounts[] {
  const tables = doc.tables as Rows;
  return tables
    .map((t) => ({
      name: String(t.name),
      status: String(t.status),
      rowsPulled: Number(t.rowsPulled),
      rowsPushed: Number(t.rowsPushed),
      rowsDeleted: Number(t.rowsDeleted),
      conflicts: Number(t.conflicts),
      fullPullWarnings: ((t.warnings as string[] | undefined) ?? []).filter((w) => /no usable baseline|pulled in full/i.test(w)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every user table of a file, rows sorted (JSON-safe values), opened read-only. */
async function userTables(path: string): Promise<Record<string, Rows>> {
  return readOnly(path, async (all) => {
    const out: Record<string, Rows> = {};
    for (const t of TABLES) out[t] = await all(`SELECT * FROM ${t} ORDER BY ALL`);
    return out;
  });
}

/** engine_version recorded per table in the local metadata. */
async function engineVersions(local: string): Promise<Record<string, unknown>> {
  const rows = await readOnly(local, (all) => all(`SELECT table_name, engine_version FROM dewey_sync_metadata ORDER BY table_name`));
  return Object.fromEntries(rows.map((r) => [String(r.table_name), r.engine_version]));
}

/** The fingerprint scheme of each table's baseline (`engine` or `canonical`), from its column signature. */
async function fingerprintSchemes(local: string): Promise<Record<string, unknown>> {
  const rows = await readOnly(local, (all) => all(`SELECT table_name, column_signature FROM dewey_sync_metadata ORDER BY table_name`));
  return Object.fromEntries(rows.map((r) => [String(r.table_name), (JSON.parse(String(r.column_signature)) as { scheme?: unknown }).scheme]));
}

/** The conflicts kept locally (table, key, policy, winner, both versions), in a stable order. */
async function conflicts(local: string): Promise<Rows> {
  return readOnly(local, (all) =>
    all(`SELECT table_name, key_json, policy, winner, local_version, remote_version FROM dewey_sync_conflicts ORDER BY table_name, key_json`),
  );
}

async function currentDuckdbVersion(): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const [row] = (await connection.runAndReadAll('SELECT version() AS v')).getRowObjectsJson();
    return String(row?.v);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function output(r: CliResult): string {
  return `exit ${String(r.code)}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

/** `sync --mode incremental --json` with the given CLI options; exit 0 and a document with ok. */
async function incrementalSync(cwd: string, options: CliOptions): Promise<{ doc: Record<string, unknown>; result: CliResult }> {
  const result = await runCli(['sync', '--mode', 'incremental', '--json', ...DB], { ...options, cwd, env });
  assert.equal(result.code, 0, output(result));
  const doc = parseOneJson(result.stdout);
  assert.equal(doc.ok, true, output(result));
  return { doc, result };
}

interface Scenario {
  /** Edits made locally (exec --no-push, 1.4.4) and on the remote (another program, 1.4.4). */
  local: string[];
  remote: string[];
  /** Whether the syncs after the edits run on the current DuckDB (the upgrade) or on 1.4.4 again (control). */
  upgrade: boolean;
  /** Leave the local state as a duckdb-sync that kept no hash probes did (dropped on 1.4.4 before the upgrade). */
  withoutProbes?: boolean;
  expected: TableCounts[];
}

describe('upgrading duckdb-sync (DuckDB 1.4.4 → current) keeps pending edits', () => {
  const fixture = tempDir();
  let currentVersion: string;

  before(async () => {
    currentVersion = await currentDuckdbVersion();
    assert.notEqual(currentVersion, PREVIOUS_VERSION, 'the current DuckDB is another release than the previous one');

    const created = await onPreviousDuck(join(fixture, 'remote.duckdb'), ...CREATE_REMOTE);
    assert.equal(created.version, PREVIOUS_VERSION, 'the remote is written by the previous DuckDB');
    const r = await runCli(['sync', '--mode', 'full', '--json', ...DB], onPreviousDuckdb({ cwd: fixture, env }));
    assert.equal(r.code, 0, output(r));
    assert.deepEqual(
      tableCounts(parseOneJson(r.stdout)).map((t) => [t.name, t.rowsPulled]),
      TABLES.map((t) => [t, TABLE_SIZES[t]]),
    );
    // The sync really ran on 1.4.4: its baselines are recorded as made by that version.
    assert.deepEqual(await engineVersions(join(fixture, 'local.duckdb')), Object.fromEntries(TABLES.map((t) => [t, PREVIOUS_VERSION])));
    // Those baselines keep hash() only, for both kinds: the emulator's server hashes as this client
    // does (for MotherDuck this is checked every run: serverHashes.ts).
    assert.deepEqual(await fingerprintSchemes(join(fixture, 'local.duckdb')), Object.fromEntries(TABLES.map((t) => [t, 'engine'])));
  });

  /**
   * From a copy of the synced fixture: the edits on 1.4.4, then an incremental sync (upgraded or not).
   * Checks the numbers, the conflicts kept, the metadata, verify and both files' content, and that a
   * second incremental sync finds nothing to do. Returns the conflicts kept.
   */
  async function runScenario(s: Scenario): Promise<Rows> {
    const cwd = tempDir();
    for (const f of ['remote.duckdb', 'local.duckdb']) copyFileSync(join(fixture, f), join(cwd, f));
    const local = join(cwd, 'local.duckdb');
    const remote = join(cwd, 'remote.duckdb');

    // What both sides should hold in the end: the synced content with both sets of edits (the
    // remote's applied last, so a conflicting row ends as the remote wrote it).
    const expectedFile = join(cwd, 'expected.duckdb');
    copyFileSync(remote, expectedFile);
    await onPreviousDuck(expectedFile, ...s.local, ...s.remote);
    const expectedContent = await userTables(expectedFile);

    const edit = await runCli(['exec', '--no-push', '--json', ...DB, s.local.join(';\n')], onPreviousDuckdb({ cwd, env }));
    assert.equal(edit.code, 0, output(edit));
    assert.equal(parseOneJson(edit.stdout).push, null, 'exec --no-push pushed nothing');
    assert.equal((await onPreviousDuck(remote, ...s.remote)).version, PREVIOUS_VERSION);
    if (s.withoutProbes) {
      await onPreviousDuck(local, ...TABLES.map((t) => `DROP TABLE _duckdb_sync.${probeTableName(baselineTableName({ name: t } as TablePair))}`));
    }

    const after: CliOptions = s.upgrade ? {} : onPreviousDuckdb();
    const { doc, result } = await incrementalSync(cwd, after);
    const report = output(result);
    assert.deepEqual(tableCounts(doc), s.expected, `exactly the edits move, no table is pulled in full\n${report}`);
    assert.doesNotMatch(result.stderr, /no usable baseline|pulled in full/, report);
    const afterVersion = s.upgrade ? currentVersion : PREVIOUS_VERSION;
    assert.deepEqual(await engineVersions(local), Object.fromEntries(TABLES.map((t) => [t, afterVersion])), 'engine_version of the sync that ran');
    const kept = await conflicts(local);

    const v = await runCli(['verify', '--json', ...DB], { ...after, cwd, env });
    assert.equal(v.code, 0, `verify after the sync\n${output(v)}`);
    assert.deepEqual(await userTables(local), expectedContent, 'local: its own edits kept, the remote edits pulled');
    assert.deepEqual(await userTables(remote), expectedContent, 'remote: the local edits pushed, its own edits kept');

    const again = await incrementalSync(cwd, after);
    assert.deepEqual(tableCounts(again.doc), NOTHING_TO_DO, `a second incremental sync finds nothing to do\n${output(again.result)}`);
    assert.deepEqual(await conflicts(local), kept, 'the second sync adds no conflict');
    return kept;
  }

  test('pending local edits are pushed and remote edits pulled, no table pulled in full, no conflict', async () => {
    const kept = await runScenario({ local: LOCAL_EDITS, remote: REMOTE_EDITS, upgrade: true, expected: EXPECTED_NO_CONFLICT });
    assert.deepEqual(kept, [], 'no local edit parked in dewey_sync_conflicts');
  });

  test('a row edited on both sides across the upgrade is the only conflict (remote wins), kept in dewey_sync_conflicts', async () => {
    const kept = await runScenario({
      local: [...LOCAL_EDITS, ...LOCAL_CONFLICTING],
      remote: [...REMOTE_EDITS, ...REMOTE_CONFLICTING],
      upgrade: true,
      expected: EXPECTED_WITH_CONFLICT,
    });
    assertConflicts(kept);
  });

  test('from a duckdb-sync that kept no hash probes: the same, the rows themselves show the hashes agree', async () => {
    const kept = await runScenario({ local: LOCAL_EDITS, remote: REMOTE_EDITS, upgrade: true, withoutProbes: true, expected: EXPECTED_NO_CONFLICT });
    assert.deepEqual(kept, [], 'no local edit parked in dewey_sync_conflicts');
  });

  test('control: the same edits and syncs without the upgrade (all on 1.4.4) give the same numbers', async () => {
    const kept = await runScenario({
      local: [...LOCAL_EDITS, ...LOCAL_CONFLICTING],
      remote: [...REMOTE_EDITS, ...REMOTE_CONFLICTING],
      upgrade: false,
      expected: EXPECTED_WITH_CONFLICT,
    });
    assertConflicts(kept);
  });
});

/** Exactly the two rows edited on both sides, remote-wins, with both versions kept. */
function assertConflicts(kept: Rows): void {
  const parse = (v: unknown): Record<string, unknown> => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : (v as Record<string, unknown>));
  assert.deepEqual(
    kept.map((c) => ({
      table: c.table_name,
      key: parse(c.key_json),
      policy: c.policy,
      winner: c.winner,
      local: pick(parse(c.local_version), ['amount', 'price']),
      remote: pick(parse(c.remote_version), ['amount', 'price']),
    })),
    [
      { table: 'orders', key: { id: 50 }, policy: 'remote-wins', winner: 'remote', local: { amount: 111 }, remote: { amount: 222 } },
      { table: 'products', key: { sku: 'SKU-0050' }, policy: 'remote-wins', winner: 'remote', local: { price: 1.11 }, remote: { price: 2.22 } },
    ],
    `dewey_sync_conflicts:\n${JSON.stringify(kept, null, 2)}`,
  );
}

/** The fields of `row` among `names` that it has, as numbers (DECIMAL may come as a string in JSON). */
function pick(row: Record<string, unknown>, names: string[]): Record<string, number> {
  return Object.fromEntries(names.filter((n) => n in row).map((n) => [n, Number(row[n])]));
}
