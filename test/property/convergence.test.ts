/**
 * Property test (fast-check): one remote file and two or three local files. Random inserts, updates
 * and deletes on every side (a keyed table with a cursor column, a keyed table without one, a keyless
 * table) are interleaved with random syncs (random local, mode incremental or full, policy
 * remote-wins, local-wins or newest-wins). A reference model of the three-way merge (design
 * decision 6; multisets for keyless tables) runs alongside.
 *
 * Besides these writers, which keep `items.updated_at` (the cursor) current with one clock tick per
 * write, the remote has cursor-blind writers, as another program updating the cloud may be: they
 * update an `items` row and either keep its updated_at or move it back to an old time (OLD_TIME,
 * the initial rows' time, or ANCIENT_TIME, before any watermark). They only update: an insert or a
 * delete is found by the row count whatever the cursor says.
 *
 * The model reads `items` as an incremental sync does (remoteDelta.ts, design decision 11): a remote
 * row is read when its updated_at is at or after that local's watermark minus the 300 s lag window
 * (everything before the first watermark), when its key was logged in the remote change log by a
 * push of another local (or by a full sync's) since the log sequence number that local last saw, or when its key changed locally since the
 * baseline (every row about to be pushed is compared with its current remote version, whatever the
 * cursor says). Remote inserts and deletes are found when the remote row count differs from the
 * baseline's plus the new keys read (then the key summaries show every key added or removed). A
 * remote change the sync does not read looks like no change: the local keeps its version until a
 * later read (a local edit of that key then meets it as a conflict) or a full sync replaces it. The
 * watermark is per local: the largest updated_at among the rows its syncs read (incremental), or of
 * the whole table (full sync); the log sequence number is the log's newest when last read.
 *
 * After a final round (every local syncs incrementally in both directions, twice, in order; then a
 * full sync of each local that still holds a version of a row whose remote edit no incremental
 * sync could read):
 * - every file holds exactly what the model says, so all sides are identical (full ordered dumps);
 * - every conflict the model saw (the same key changed differently on two sides) is recorded in
 *   that local's dewey_sync_conflicts with both versions and the winner, and nothing else is;
 * - every row with winner 'remote' has a local_version that the test wrote on that local.
 *
 * The remote file is synced as the kind DUCKDB_SYNC_TEST_REMOTE names (test/helpers/remoteKinds.ts):
 * the file itself (DuckDB's hash() across the sides, attached per step), or the MotherDuck emulator
 * on it (`mdemu:`, attached read-write for the whole sync; on an odd seed as a server whose DuckDB
 * hashes rows differently, `hashes=other`, so that the tables are converted to canonical fingerprints
 * by the first incremental sync and compared by them after); the test writes and reads the files
 * directly either way. The model holds for all: what a sync reads and merges does not depend on the
 * fingerprint scheme (the bucket summaries of these tables of at most four
 * rows have one bucket each, and any change of a bucket's rows or key set shows under either
 * scheme), nor on whether the remote is released between steps (every write is made between syncs,
 * and each sync closes its databases before the test looks). `npm test` runs this file once per
 * kind, so a run makes 4 runs by default (8 over both kinds; the seed differs on every run).
 *
 * PROPERTY_SEED=<n> replays a run (the seed and the kind are printed: replay with the same
 * DUCKDB_SYNC_TEST_REMOTE), PROPERTY_RUNS=<n> changes the number of runs, PROPERTY_SHRINK=1 shrinks a
 * failing case (slow: every try runs real syncs).
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { sync } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import type { ConflictPolicy } from '../../src/config/schema.js';
import { exec, withDuck, type DuckHandle } from '../helpers/duck.js';
import { remoteUri, testRemoteKind } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';

const SEED = process.env.PROPERTY_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.PROPERTY_SEED);
/** Per remote kind: the file runs once per kind (test/runTests.mjs), 12 runs in all by default. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 4);
const SHRINK = process.env.PROPERTY_SHRINK === '1';
const KIND = testRemoteKind();
/** The emulator's options: on an odd seed, a server that hashes rows differently (canonical fingerprints). */
const EMULATOR_OPTIONS = KIND === 'mdemu' && SEED % 2 === 1 ? 'hashes=other' : undefined;
console.log(`PROPERTY_SEED=${SEED} (remote: ${KIND}${EMULATOR_OPTIONS ? `?${EMULATOR_OPTIONS}` : ''}, runs: ${RUNS}; replay with DUCKDB_SYNC_TEST_REMOTE=${KIND} PROPERTY_SEED=${SEED})`);

// ---------------------------------------------------------------------------------------------
// Tables and the reference model

type KeyedTable = 'items' | 'plain';
const KEYED: KeyedTable[] = ['items', 'plain'];
/** items has the cursor column updated_at; plain has none (bucket summaries find its changes). */
const HAS_CURSOR: Record<KeyedTable, boolean> = { items: true, plain: false };
const POLICIES: ConflictPolicy[] = ['remote-wins', 'local-wins', 'newest-wins'];

/**
 * Cursor values: the test's one clock, one second per write. A run makes at most a few dozen
 * writes, so every clock value is inside the cursor's lag window of every watermark.
 */
const BASE_MS = Date.UTC(2024, 0, 1);
function clockText(tick: number): string {
  return new Date(BASE_MS + tick * 1000).toISOString().replace('T', ' ').slice(0, 19);
}
/**
 * The initial rows' cursor value, and every local's first watermark (the template's full sync). A
 * row at OLD_TIME is inside the window of a local whose watermark is still OLD_TIME (or older), and
 * outside once one of its syncs has read a row written on the clock.
 */
const OLD_TIME = '2023-12-31 00:00:00';
/** Older than any watermark: a cursor-blind write moving a row back to it is outside every window. */
const ANCIENT_TIME = '2020-01-01 00:00:00';
/** The cursor's lag window (CURSOR_LAG_SECONDS in src/engine/cursor.ts). */
const LAG_MS = 300_000;

/** A cursor value (DuckDB TIMESTAMP text, UTC) in milliseconds. */
function timeMs(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

/** A keyed row as DuckDB's to_json renders it (columns in table order). */
function itemJson(id: number, v: string, updatedAt: string): string {
  return JSON.stringify({ id, v, updated_at: updatedAt });
}
function plainJson(id: number, v: string): string {
  return JSON.stringify({ id, v });
}
function tagJson(a: number, b: string): string {
  return JSON.stringify({ a, b });
}

/** One side's content: keyed rows by key (as JSON text), keyless rows as counts by row JSON. */
interface Content {
  items: Map<number, string>;
  plain: Map<number, string>;
  tags: Map<string, number>;
}

interface ConflictRecord {
  table: string;
  key: number;
  local: string | null;
  remote: string | null;
  winner: 'local' | 'remote';
  policy: ConflictPolicy;
}

/** A local's cursor state for items (dewey_sync_metadata.watermark and log_seq). */
interface CursorModel {
  /** Largest updated_at read so far; null: everything is read. */
  watermark: string | null;
  /** The remote change log's newest sequence number when this local last read it; null: never. */
  logSeq: number | null;
}

/**
 * The remote change log of items: every push of an items row by a sync logs the pushed keys under
 * the next sequence number (entry i has sequence number i + 1).
 */
/**
 * The remote change log of items: per sequence number, the keys a push logged and the local whose
 * incremental sync wrote them (`by`), whose later incremental syncs do not read them again
 * (src/engine/state/ownLogged.ts, recordOwnLogged). A full sync of that local forgets which
 * entries were its own (its new baseline drops them), so they are read again like anyone's.
 */
type ChangeLog = Array<{ keys: ReadonlySet<number>; by: LocalModel | undefined }>;

interface LocalModel {
  content: Content;
  baseline: Content;
  cursor: CursorModel;
  conflicts: ConflictRecord[];
  /** Every keyed version the test wrote on this local (null: a delete), by table and key. */
  written: Map<string, Set<string | null>>;
}

function cloneContent(c: Content): Content {
  return { items: new Map(c.items), plain: new Map(c.plain), tags: new Map(c.tags) };
}

function initialContent(): Content {
  const items = new Map<number, string>();
  const plain = new Map<number, string>();
  for (let id = 1; id <= 4; id++) {
    items.set(id, itemJson(id, 'init', OLD_TIME));
    plain.set(id, plainJson(id, 'init'));
  }
  return { items, plain, tags: new Map([[tagJson(1, 'x'), 2], [tagJson(2, 'y'), 1]]) };
}

function setOrDelete<K, V>(map: Map<K, V>, key: K, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}

function updatedAt(row: string): string {
  return (JSON.parse(row) as { updated_at: string }).updated_at;
}

/**
 * Three-way merge of one keyed table, as syncKeyedTable + buildMergePlan do it: changed only
 * locally → push; only remotely → pull; both to the same value → nothing; both differently →
 * conflict resolved by policy. Direction 'push' leaves pulls (and remote-winning conflicts) alone.
 * The baseline of every merged key moves to the local content. `seen`: the keys whose remote state
 * the sync reads (default all); the remote version of any other key looks unchanged (the baseline's).
 * Returns the keys pushed (what the push logs in the remote change log).
 */
function mergeKeyed(
  table: KeyedTable,
  local: LocalModel,
  remote: Content,
  policy: ConflictPolicy,
  direction: 'both' | 'push',
  seen?: ReadonlySet<number>,
): number[] {
  const l = local.content[table];
  const b = local.baseline[table];
  const r = remote[table];
  const keys = new Set([...l.keys(), ...r.keys(), ...b.keys()]);
  const pushed: number[] = [];
  for (const k of [...keys].sort((x, y) => x - y)) {
    const lv = l.get(k);
    const bv = b.get(k);
    const lchg = lv !== bv;
    // A key changed locally is always read before its push (design decision 11): a push never
    // writes over a remote version it did not compare.
    if (lchg && seen && !seen.has(k)) throw new Error(`model: ${table} ${k} changed locally but not read`);
    const rv = seen === undefined || seen.has(k) ? r.get(k) : bv;
    const rchg = rv !== bv;
    if (!lchg && !rchg) continue;
    let action: 'push' | 'pull' | 'same';
    if (lchg && !rchg) action = 'push';
    else if (rchg && !lchg) action = 'pull';
    else if (lv === rv) action = 'same';
    else {
      const localWins =
        policy === 'local-wins' || (policy === 'newest-wins' && HAS_CURSOR[table] && lv !== undefined && (rv === undefined || updatedAt(lv) > updatedAt(rv)));
      action = localWins ? 'push' : 'pull';
      if (direction === 'both' || localWins) {
        local.conflicts.push({ table, key: k, local: lv ?? null, remote: rv ?? null, winner: localWins ? 'local' : 'remote', policy });
      }
    }
    if (direction === 'push' && action === 'pull') continue;
    if (action === 'push') {
      setOrDelete(r, k, lv);
      pushed.push(k);
    }
    if (action === 'pull') setOrDelete(l, k, rv);
    setOrDelete(b, k, l.get(k));
  }
  return pushed;
}

/** What an incremental sync of a local reads of the remote items table (remoteDelta.ts). */
interface ItemsRead {
  /** Keys whose remote state (row or absence) the sync sees. */
  seen: Set<number>;
  /** Of those, the keys the cursor, the change log or the count check show (the rest: only local changes). */
  byCursor: Set<number>;
  /** Largest updated_at among the remote rows read: the watermark moves up to it. */
  maxRead: string | null;
  /** The change log's newest sequence number as read (null: no log yet). */
  logSeq: number | null;
}

/**
 * The remote items rows an incremental sync of `local` reads, before it pushes anything:
 * - rows whose updated_at is at or after the watermark minus the lag window (all of them before a
 *   first watermark), and rows whose keys the change log holds at or after the sequence number the
 *   local last saw (the last one seen is read again);
 * - the remote version (or absence) of every key changed locally since the baseline;
 * - when the remote row count differs from the baseline's plus the new keys read, every key added
 *   or removed on the remote (the key summaries compare whole key sets: one bucket per 64 rows, and
 *   these tables have at most 4 rows). Equal counts hide an unread remote insert that a remote delete
 *   compensates: both stay unseen.
 * A remote update that keeps the row's key and is in none of these is not seen.
 */
function itemsReadByIncremental(local: LocalModel, remote: Map<number, string>, log: ChangeLog): ItemsRead {
  const base = local.baseline.items;
  const mine = local.content.items;
  const { watermark, logSeq } = local.cursor;
  const logNow = log.length > 0 ? log.length : null;
  const logged = new Set<number>();
  if (logNow !== null && watermark !== null) {
    for (let seq = Math.max(logSeq ?? 0, 1); seq <= logNow; seq++) {
      const entry = log[seq - 1];
      if (entry && entry.by !== local) for (const k of entry.keys) logged.add(k);
    }
  }
  const since = watermark === null ? -Infinity : timeMs(watermark) - LAG_MS;
  const read = [...remote].filter(([k, row]) => timeMs(updatedAt(row)) >= since || logged.has(k)).map(([k]) => k);
  const byCursor = new Set(read);
  const changedLocally = [...new Set([...mine.keys(), ...base.keys()])].filter((k) => mine.get(k) !== base.get(k));
  const seen = new Set([...read, ...changedLocally]);
  const newKeysRead = [...seen].filter((k) => remote.has(k) && !base.has(k)).length;
  const missed: number[] = [];
  if (base.size + newKeysRead !== remote.size) {
    for (const k of remote.keys()) if (!base.has(k) && !seen.has(k)) missed.push(k);
    for (const k of [...missed, ...[...base.keys()].filter((x) => !remote.has(x))]) {
      seen.add(k);
      byCursor.add(k);
    }
  }
  // Rows read only because they changed locally or were missed by the cursor have an updated_at
  // below the window, hence below the watermark: they never move it (whether counted or not).
  const maxRead = [...read, ...missed].map((k) => updatedAt(remote.get(k) as string)).reduce<string | null>(laterTime, null);
  return { seen, byCursor, maxRead, logSeq: logNow };
}

function laterTime(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return timeMs(b) > timeMs(a) ? b : a;
}

/** Multiset merge of the keyless table: new count = local + remote − baseline (never below 0). */
function mergeKeyless(local: LocalModel, remote: Content, direction: 'both' | 'push'): void {
  const l = local.content.tags;
  const b = local.baseline.tags;
  const r = remote.tags;
  for (const f of new Set([...l.keys(), ...r.keys(), ...b.keys()])) {
    const ln = l.get(f) ?? 0;
    const bn = b.get(f) ?? 0;
    const rn = r.get(f) ?? 0;
    if (ln === bn && rn === bn) continue;
    const merged = Math.max(ln + rn - bn, 0);
    setOrDelete(r, f, merged || undefined);
    if (direction === 'both') setOrDelete(l, f, merged || undefined);
    setOrDelete(b, f, (direction === 'both' ? merged : ln) || undefined);
  }
}

/**
 * What one sync of `local` does to the model (and to the remote change log of items). Returns how
 * many items conflicts of an incremental sync only the by-key read of local changes found (the
 * cursor, the log and the count check did not show the remote change): the issue this guards.
 */
function modelSync(local: LocalModel, remote: Content, log: ChangeLog, mode: 'incremental' | 'full', policy: ConflictPolicy): number {
  const logPush = (keys: number[]): void => {
    if (keys.length) log.push({ keys: new Set(keys), by: mode === 'incremental' ? local : undefined });
  };
  if (mode === 'incremental') {
    const read = itemsReadByIncremental(local, remote.items, log);
    const before = local.conflicts.length;
    logPush(mergeKeyed('items', local, remote, policy, 'both', read.seen));
    const unseenByCursor = local.conflicts.slice(before).filter((c) => !read.byCursor.has(c.key)).length;
    mergeKeyed('plain', local, remote, policy, 'both');
    mergeKeyless(local, remote, 'both');
    // Direction both never leaves a remote change unapplied, so the watermark and log position move.
    local.cursor = { watermark: laterTime(local.cursor.watermark, read.maxRead), logSeq: read.logSeq ?? local.cursor.logSeq };
    return unseenByCursor;
  }
  // Full: push local changes (same merge rules), then replace the local content with the remote's;
  // local versions that the replace discards are recorded (winner remote).
  for (const t of KEYED) {
    const pushed = mergeKeyed(t, local, remote, policy, 'push');
    if (t === 'items') logPush(pushed);
    const l = local.content[t];
    const b = local.baseline[t];
    const changed = [...new Set([...l.keys(), ...b.keys()])].filter((k) => l.get(k) !== b.get(k)).sort((x, y) => x - y);
    const newContent = new Map(remote[t]);
    for (const k of changed) {
      const old = l.get(k);
      const now = newContent.get(k);
      if (old !== now) local.conflicts.push({ table: t, key: k, local: old ?? null, remote: now ?? null, winner: 'remote', policy });
    }
  }
  mergeKeyless(local, remote, 'push');
  for (const entry of log) if (entry.by === local) entry.by = undefined;
  local.content = cloneContent(remote);
  local.baseline = cloneContent(remote);
  // The full pull takes the table's largest cursor value (null for an empty table) and the log's position.
  const watermark = [...remote.items.values()].map(updatedAt).reduce<string | null>(laterTime, null);
  local.cursor = { watermark, logSeq: log.length > 0 ? log.length : null };
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Operations

type Side = 'remote' | number;

type WriteOp =
  | { kind: 'write'; side: number; table: KeyedTable; action: 'upsert' | 'delete'; key: number; v: string }
  | { kind: 'write'; side: number; table: 'tags'; action: 'insert' | 'delete' | 'update'; a: number; b: string; a2: number; b2: string };
/**
 * A remote update of an items row by a program that does not maintain the cursor: updated_at is
 * kept ('keep') or moved back to OLD_TIME ('old') or ANCIENT_TIME ('ancient').
 */
type BlindCursor = 'keep' | 'old' | 'ancient';
type BlindWriteOp = { kind: 'blind'; key: number; v: string; cursor: BlindCursor };
type SyncOp = { kind: 'sync'; local: number; mode: 'incremental' | 'full'; policy: ConflictPolicy };
type Op = WriteOp | BlindWriteOp | SyncOp;

/** side 0 is the remote, 1..3 a local (taken modulo the number of locals). */
const keyedWrite = fc.record({
  kind: fc.constant('write' as const),
  side: fc.integer({ min: 0, max: 3 }),
  table: fc.constantFrom<KeyedTable>('items', 'plain'),
  action: fc.constantFrom<'upsert' | 'delete'>('upsert', 'upsert', 'delete'),
  key: fc.integer({ min: 1, max: 4 }),
  v: fc.constantFrom('a', 'b', 'c'),
});
const keylessWrite = fc.record({
  kind: fc.constant('write' as const),
  side: fc.integer({ min: 0, max: 3 }),
  table: fc.constant('tags' as const),
  action: fc.constantFrom<'insert' | 'delete' | 'update'>('insert', 'delete', 'update'),
  a: fc.integer({ min: 1, max: 3 }),
  b: fc.constantFrom('x', 'y'),
  a2: fc.integer({ min: 1, max: 3 }),
  b2: fc.constantFrom('x', 'y'),
});
const blindWrite = fc.record({
  kind: fc.constant('blind' as const),
  key: fc.integer({ min: 1, max: 4 }),
  v: fc.constantFrom('a', 'b', 'c'),
  cursor: fc.constantFrom<BlindCursor>('keep', 'old', 'ancient'),
});
const syncOp = fc.record({
  kind: fc.constant('sync' as const),
  local: fc.integer({ min: 0, max: 2 }),
  mode: fc.constantFrom<'incremental' | 'full'>('incremental', 'full'),
  policy: fc.constantFrom(...POLICIES),
});
const opsArb = fc.array(
  fc.oneof({ arbitrary: keyedWrite, weight: 5 }, { arbitrary: keylessWrite, weight: 2 }, { arbitrary: blindWrite, weight: 2 }, { arbitrary: syncOp, weight: 2 }),
  { minLength: 4, maxLength: 22 },
);

function describeOp(op: Op, locals: number): string {
  if (op.kind === 'sync') return `sync local${op.local % locals} ${op.mode} ${op.policy}`;
  if (op.kind === 'blind') return `remote (cursor-blind): items update ${op.key} = ${op.v}, updated_at ${op.cursor === 'keep' ? 'kept' : `-> ${BLIND_TIME[op.cursor]}`}`;
  const side = op.side === 0 ? 'remote' : `local${(op.side - 1) % locals}`;
  if (op.table === 'tags') return `${side}: tags ${op.action} (${op.a},${op.b})${op.action === 'update' ? ` -> (${op.a2},${op.b2})` : ''}`;
  return `${side}: ${op.table} ${op.action} ${op.key}${op.action === 'upsert' ? ` = ${op.v}` : ''}`;
}

/** Applies a write to a side's model; returns the SQL that makes it on the file. */
function applyWrite(op: WriteOp, content: Content, tick: number): string {
  if (op.table === 'tags') {
    const from = tagJson(op.a, op.b);
    const have = content.tags.get(from) ?? 0;
    const one = `(SELECT rowid FROM tags WHERE a = ${op.a} AND b = '${op.b}' ORDER BY rowid LIMIT 1)`;
    if (op.action === 'insert') {
      content.tags.set(from, have + 1);
      return `INSERT INTO tags VALUES (${op.a}, '${op.b}')`;
    }
    if (have === 0) return '';
    setOrDelete(content.tags, from, have - 1 || undefined);
    if (op.action === 'delete') return `DELETE FROM tags WHERE rowid IN ${one}`;
    const to = tagJson(op.a2, op.b2);
    content.tags.set(to, (content.tags.get(to) ?? 0) + 1);
    return `UPDATE tags SET a = ${op.a2}, b = '${op.b2}' WHERE rowid IN ${one}`;
  }
  const rows = content[op.table];
  if (op.action === 'delete') {
    rows.delete(op.key);
    return `DELETE FROM ${op.table} WHERE id = ${op.key}`;
  }
  if (op.table === 'items') {
    const at = clockText(tick);
    rows.set(op.key, itemJson(op.key, op.v, at));
    return `INSERT OR REPLACE INTO items VALUES (${op.key}, '${op.v}', TIMESTAMP '${at}')`;
  }
  rows.set(op.key, plainJson(op.key, op.v));
  return `INSERT OR REPLACE INTO plain VALUES (${op.key}, '${op.v}')`;
}

const BLIND_TIME: Record<Exclude<BlindCursor, 'keep'>, string> = { old: OLD_TIME, ancient: ANCIENT_TIME };

/** Applies a cursor-blind update to the remote's items model; returns its SQL ('' when the row is absent). */
function applyBlindWrite(op: BlindWriteOp, items: Map<number, string>): string {
  const row = items.get(op.key);
  if (row === undefined) return '';
  const at = op.cursor === 'keep' ? updatedAt(row) : BLIND_TIME[op.cursor];
  items.set(op.key, itemJson(op.key, op.v, at));
  const setCursor = op.cursor === 'keep' ? '' : `, updated_at = TIMESTAMP '${at}'`;
  return `UPDATE items SET v = '${op.v}'${setCursor} WHERE id = ${op.key}`;
}

// ---------------------------------------------------------------------------------------------
// Reading the files

const DUMP_SQL = {
  items: `SELECT CAST(to_json(struct_pack(id := id, v := v, updated_at := updated_at)) AS VARCHAR) AS j FROM items ORDER BY id`,
  plain: `SELECT CAST(to_json(struct_pack(id := id, v := v)) AS VARCHAR) AS j FROM plain ORDER BY id`,
  tags: `SELECT CAST(to_json(struct_pack(a := a, b := b)) AS VARCHAR) AS j, count(*)::INTEGER AS n FROM tags GROUP BY ALL ORDER BY ALL`,
};

interface Dump {
  items: string[];
  plain: string[];
  tags: string[];
}

async function dumpWith(q: DuckHandle, catalog: string): Promise<Dump> {
  const on = (sql: string): string => sql.replace(/FROM (items|plain|tags)/, `FROM ${catalog}.$1`);
  const items = (await q.json(on(DUMP_SQL.items))).map((r) => String(r.j));
  const plain = (await q.json(on(DUMP_SQL.plain))).map((r) => String(r.j));
  const tags = (await q.json(on(DUMP_SQL.tags))).map((r) => `${String(r.j)} x${String(r.n)}`);
  return { items, plain, tags };
}

function dumpOf(c: Content): Dump {
  const sorted = (m: Map<number, string>): string[] => [...m.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
  const tags = [...c.tags.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([j, n]) => `${j} x${n}`);
  return { items: sorted(c.items), plain: sorted(c.plain), tags };
}

/** The local's items watermark and log position as dewey_sync_metadata holds them (for messages). */
async function readItemsCursor(q: DuckHandle): Promise<string> {
  const rows = await q.json(`SELECT watermark, log_seq FROM dewey_sync_metadata WHERE table_name = 'items'`);
  return JSON.stringify(rows[0] ?? null);
}

function conflictLine(c: ConflictRecord): string {
  return JSON.stringify([c.table, JSON.stringify({ id: c.key }), c.local, c.remote, c.winner, c.policy]);
}

async function readConflicts(q: DuckHandle): Promise<Array<{ line: string; table: string; key: number; local: string | null; winner: string }>> {
  const rows = await q.json(
    `SELECT table_name, key_json, CAST(local_version AS VARCHAR) AS lv, CAST(remote_version AS VARCHAR) AS rv, winner, policy FROM dewey_sync_conflicts`,
  );
  return rows.map((r) => {
    const local = r.lv === null ? null : String(r.lv);
    const remote = r.rv === null ? null : String(r.rv);
    const keyJson = r.key_json === null ? null : String(r.key_json);
    return {
      line: JSON.stringify([r.table_name, keyJson, local, remote, r.winner, r.policy]),
      table: String(r.table_name),
      key: keyJson === null ? NaN : (JSON.parse(keyJson) as { id: number }).id,
      local,
      winner: String(r.winner),
    };
  });
}

// ---------------------------------------------------------------------------------------------

describe('convergence property: random edits on several locals and the remote, random syncs', () => {
  const dir = tempDir('duckdb-sync-property-');
  const template = { remote: join(dir, 'template-remote.duckdb'), local: join(dir, 'template-local.duckdb') };
  let runNo = 0;
  let conflictsSeen = 0;
  /** Conflicts that only the by-key read of the rows about to be pushed can find (modelSync). */
  let cursorBlindConflicts = 0;
  let syncsRun = 0;

  before(async () => {
    await exec(
      template.remote,
      'CREATE TABLE items (id INTEGER PRIMARY KEY, v VARCHAR, updated_at TIMESTAMP)',
      'CREATE TABLE plain (id INTEGER PRIMARY KEY, v VARCHAR)',
      'CREATE TABLE tags (a INTEGER, b VARCHAR)',
      `INSERT INTO items SELECT i, 'init', TIMESTAMP '${OLD_TIME}' FROM range(1, 5) r(i)`,
      `INSERT INTO plain SELECT i, 'init' FROM range(1, 5) r(i)`,
      `INSERT INTO tags VALUES (1, 'x'), (1, 'x'), (2, 'y')`,
    );
    // The template's baselines are written by the kind under test (its fingerprint scheme).
    const first = await sync({ local: template.local, remote: remoteUri(template.remote, KIND, EMULATOR_OPTIONS), env: {}, cwd: dir, mode: 'full' });
    assert.equal(first.ok, true, JSON.stringify(first.tables));
  });

  function copyDb(from: string, to: string): void {
    copyFileSync(from, to);
    if (existsSync(`${from}.wal`)) copyFileSync(`${from}.wal`, `${to}.wal`);
  }

  async function runScenario(localCount: number, ops: Op[], finalPolicy: ConflictPolicy): Promise<void> {
    const runDir = join(dir, `run-${++runNo}`);
    mkdirSync(runDir);
    const remotePath = join(runDir, 'remote.duckdb');
    copyDb(template.remote, remotePath);
    const localPaths = Array.from({ length: localCount }, (_v, i) => join(runDir, `local${i}.duckdb`));
    for (const p of localPaths) copyDb(template.local, p);

    const remote = initialContent();
    const log: ChangeLog = [];
    // Every local starts as the template's full sync left it: watermark OLD_TIME, no change log yet.
    const locals: LocalModel[] = localPaths.map(() => ({
      content: initialContent(),
      baseline: initialContent(),
      cursor: { watermark: OLD_TIME, logSeq: null },
      conflicts: [],
      written: new Map(),
    }));
    const pending = new Map<string, string[]>();
    const trail: string[] = [];
    let tick = 0;

    const flush = async (): Promise<void> => {
      for (const [path, statements] of pending) if (statements.length) await exec(path, ...statements);
      pending.clear();
    };

    const runSync = async (i: number, mode: 'incremental' | 'full', policy: ConflictPolicy): Promise<void> => {
      await flush();
      const local = locals[i] as LocalModel;
      const path = localPaths[i] as string;
      const result = await sync({ local: path, remote: remoteUri(remotePath, KIND, EMULATOR_OPTIONS), env: {}, cwd: runDir, mode, direction: 'both', onConflict: policy });
      syncsRun++;
      assert.equal(result.ok, true, `sync failed: ${JSON.stringify(result.tables)}\n${trail.join('\n')}`);
      cursorBlindConflicts += modelSync(local, remote, log, mode, policy);
      // The synced local and the remote hold what the model says.
      const [gotLocal, gotRemote, gotCursor] = await withDuck(path, async (q) => {
        await q.run(`ATTACH '${remotePath}' AS rem (READ_ONLY)`);
        try {
          return [await dumpWith(q, 'main'), await dumpWith(q, 'rem'), await readItemsCursor(q)] as const;
        } finally {
          await q.run('DETACH rem');
        }
      });
      // The cursor state is not asserted (only what it makes a sync read is), but it explains a failure.
      const cursors = `items cursor of local${i}: model ${JSON.stringify(local.cursor)}, file ${gotCursor}`;
      const context = `after "${trail[trail.length - 1]}" (${cursors}); operations so far:\n${trail.join('\n')}`;
      assert.deepEqual(gotRemote, dumpOf(remote), `remote differs from the model ${context}`);
      assert.deepEqual(gotLocal, dumpOf(local.content), `local${i} differs from the model ${context}`);
    };

    for (const op of ops) {
      trail.push(describeOp(op, localCount));
      if (op.kind === 'sync') {
        await runSync(op.local % localCount, op.mode, op.policy);
        continue;
      }
      if (op.kind === 'blind') {
        const sql = applyBlindWrite(op, remote.items);
        if (sql) pending.set(remotePath, [...(pending.get(remotePath) ?? []), sql]);
        continue;
      }
      const li = op.side === 0 ? undefined : (op.side - 1) % localCount;
      const side: Side = li === undefined ? 'remote' : li;
      const content = side === 'remote' ? remote : (locals[side] as LocalModel).content;
      const sql = applyWrite(op, content, ++tick);
      if (!sql) continue;
      const path = side === 'remote' ? remotePath : (localPaths[side] as string);
      pending.set(path, [...(pending.get(path) ?? []), sql]);
      if (side !== 'remote' && op.table !== 'tags') {
        const written = (locals[side] as LocalModel).written;
        const id = `${op.table}:${op.key}`;
        written.set(id, (written.get(id) ?? new Set()).add(content[op.table].get(op.key) ?? null));
      }
    }

    // Final round: every local syncs incrementally in both directions, twice, in order.
    for (let round = 1; round <= 2; round++) {
      for (let i = 0; i < localCount; i++) {
        trail.push(`final round ${round}: sync local${i} incremental ${finalPolicy}`);
        await runSync(i, 'incremental', finalPolicy);
      }
    }
    // Remote edits that did not move the cursor are not read by incremental syncs (by design): a
    // local still holding an older version of such a row gets it from a full sync. No local has
    // local changes left by now, so these full syncs only replace local content.
    for (let i = 0; i < localCount; i++) {
      if (isDeepStrictEqual(dumpOf((locals[i] as LocalModel).content), dumpOf(remote))) continue;
      trail.push(`final round 3: sync local${i} full ${finalPolicy}`);
      await runSync(i, 'full', finalPolicy);
    }

    const expected = dumpOf(remote);
    const remoteDump = await withDuck(remotePath, (q) => dumpWith(q, 'main'));
    assert.deepEqual(remoteDump, expected, `remote differs from the model\n${trail.join('\n')}`);
    for (let i = 0; i < localCount; i++) {
      const path = localPaths[i] as string;
      const local = locals[i] as LocalModel;
      const { dump, conflicts } = await withDuck(path, async (q) => ({ dump: await dumpWith(q, 'main'), conflicts: await readConflicts(q) }));
      assert.deepEqual(dump, remoteDump, `local${i} is not identical to the remote\n${trail.join('\n')}`);
      // Every losing version is recorded, with both versions and the winner; nothing else is.
      assert.deepEqual(
        conflicts.map((c) => c.line).sort(),
        local.conflicts.map(conflictLine).sort(),
        `local${i}: dewey_sync_conflicts differs from the conflicts the model saw\n${trail.join('\n')}`,
      );
      for (const c of conflicts.filter((x) => x.winner === 'remote')) {
        const written = local.written.get(`${c.table}:${c.key}`);
        assert.ok(written?.has(c.local), `local${i}: losing local version ${String(c.local)} of ${c.table} ${c.key} was never written on local${i}`);
      }
      conflictsSeen += conflicts.length;
    }
    rmSync(runDir, { recursive: true, force: true });
  }

  test('after a final round of syncs every side is identical and every losing version is recorded', { timeout: 240_000 }, async () => {
    const started = performance.now();
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 3 }), opsArb, fc.constantFrom(...POLICIES), async (localCount, ops, finalPolicy) => {
          await runScenario(localCount, ops, finalPolicy);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: !SHRINK, verbose: 1 },
      );
    } catch (e) {
      // fast-check keeps the counterexample's own failure (operations, expected and actual) as the
      // cause, which the test runner does not print.
      if (e instanceof Error && e.cause instanceof Error) e.message += `\n\nThe counterexample failed with: ${e.cause.message}\nReplay with DUCKDB_SYNC_TEST_REMOTE=${KIND} PROPERTY_SEED=${SEED}`;
      throw e;
    }
    console.log(
      `${RUNS} runs, ${syncsRun} syncs, ${conflictsSeen} conflict rows checked (${cursorBlindConflicts} against a remote edit the cursor did not show) in ${Math.round((performance.now() - started) / 1000)} s (seed ${SEED}, remote ${KIND})`,
    );
  });

  test('sanity: the same key changed differently on a local and the remote is recorded under every policy', async () => {
    const cases: Array<[ConflictPolicy, 'incremental' | 'full']> = [
      ['remote-wins', 'full'],
      ['local-wins', 'incremental'],
      ['newest-wins', 'incremental'],
      ['newest-wins', 'full'],
    ];
    for (const [policy, mode] of cases) {
      {
        // local0 writes item 1 and plain 1 later than the remote does (newest-wins: local wins items).
        const ops: Op[] = [
          { kind: 'write', side: 0, table: 'items', action: 'upsert', key: 1, v: 'b' },
          { kind: 'write', side: 0, table: 'plain', action: 'upsert', key: 1, v: 'b' },
          { kind: 'write', side: 1, table: 'items', action: 'upsert', key: 1, v: 'a' },
          { kind: 'write', side: 1, table: 'plain', action: 'upsert', key: 1, v: 'a' },
          { kind: 'write', side: 1, table: 'items', action: 'delete', key: 2, v: 'a' },
          { kind: 'write', side: 0, table: 'items', action: 'upsert', key: 2, v: 'c' },
          { kind: 'sync', local: 0, mode, policy },
        ];
        const before = conflictsSeen;
        await runScenario(2, ops, policy);
        // Two conflicts on local0 (items 1, items 2 deleted vs updated, plain 1), whoever wins.
        assert.equal(conflictsSeen - before, 3, `${policy} ${mode}: three conflicts recorded`);
      }
    }
  });

  test('a cloud edit that did not move the cursor meets a local edit of the same key: a conflict, whatever the cursor says', async () => {
    // side 1 is local0, side 2 is local1.
    const ops: Op[] = [
      // Moves the cursor: local0's first sync takes its watermark from the clock, away from OLD_TIME.
      { kind: 'write', side: 0, table: 'items', action: 'upsert', key: 2, v: 'a' },
      { kind: 'sync', local: 0, mode: 'incremental', policy: 'remote-wins' },
      // Item 1 keeps OLD_TIME: outside local0's window, inside local1's (never synced). Items 3 and 4
      // go back to ANCIENT_TIME: outside both. Nobody edits item 4 again: only a full sync brings it.
      { kind: 'blind', key: 1, v: 'b', cursor: 'keep' },
      { kind: 'blind', key: 3, v: 'b', cursor: 'ancient' },
      { kind: 'blind', key: 4, v: 'b', cursor: 'ancient' },
      { kind: 'write', side: 1, table: 'items', action: 'upsert', key: 1, v: 'c' },
      { kind: 'write', side: 1, table: 'items', action: 'upsert', key: 3, v: 'c' },
      { kind: 'write', side: 2, table: 'items', action: 'upsert', key: 3, v: 'a' },
      // local1: pulls item 1 (inside its window); item 3 is a conflict that the remote wins.
      { kind: 'sync', local: 1, mode: 'incremental', policy: 'remote-wins' },
      // local0: items 1 and 3 are conflicts that the newer local versions win; the cloud's are kept.
      { kind: 'sync', local: 0, mode: 'incremental', policy: 'newest-wins' },
    ];
    const before = conflictsSeen;
    await runScenario(2, ops, 'remote-wins');
    assert.equal(conflictsSeen - before, 3, 'three conflicts recorded (local1: item 3; local0: items 1 and 3)');
  });

  test(
    'a local write pushed late, with a cursor older than another local\'s watermark, reaches every local',
    async () => {
      const runDir = join(dir, 'late-push');
      mkdirSync(runDir);
      const remotePath = join(runDir, 'remote.duckdb');
      copyDb(template.remote, remotePath);
      const [a, b, c] = ['a', 'b', 'c'].map((n) => join(runDir, `${n}.duckdb`)) as [string, string, string];
      for (const p of [a, b, c]) copyDb(template.local, p);
      const syncOf = (local: string): Promise<unknown> => sync({ local, remote: remoteUri(remotePath, KIND, EMULATOR_OPTIONS), env: {}, cwd: runDir, mode: 'incremental' });
      // a writes offline at 10:00; b writes at 11:00 and syncs; c syncs (watermark 11:00); a syncs an hour later.
      await exec(a, `UPDATE items SET v = 'a, offline', updated_at = TIMESTAMP '2024-01-01 10:00:00' WHERE id = 1`);
      await exec(b, `UPDATE items SET v = 'b', updated_at = TIMESTAMP '2024-01-01 11:00:00' WHERE id = 2`);
      await syncOf(b);
      await syncOf(c);
      await syncOf(a);
      for (const l of [a, b, c, a, b, c]) await syncOf(l);
      const v = await verify({ local: c, remote: remoteUri(remotePath, KIND, EMULATOR_OPTIONS), env: {}, cwd: runDir });
      assert.equal(v.ok, true, `c never received a's write: ${JSON.stringify(v.tables.filter((t) => t.status !== 'identical'))}`);
    },
  );
});
