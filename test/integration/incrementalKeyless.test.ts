import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { conflictRows, counts, dump, newPair, type Pair } from './incrementalSupport.js';

/**
 * Tables without a key sync as multisets (issue 3): each distinct row has a count on each side and
 * in the baseline; changes add up (new count = local + remote − baseline), duplicates are kept.
 */

const root = tempDir();

const EVENTS = 'CREATE TABLE events (kind VARCHAR, n INTEGER, day DATE)';
// a×3, b×2, c×1, (NULL, 5)×2
const EVENTS_ROWS =
  "INSERT INTO events VALUES ('a', 1, '2024-01-01'), ('a', 1, '2024-01-01'), ('a', 1, '2024-01-01'), ('b', 2, '2024-01-02'), ('b', 2, '2024-01-02'), ('c', 3, NULL), (NULL, 5, '2024-01-05'), (NULL, 5, '2024-01-05')";

/** Removes `copies` copies of one row (a DuckDB statement a user would write: by rowid). */
function removeCopies(where: string, copies: number): string {
  return `DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE ${where} LIMIT ${copies})`;
}

/** The multiset: each distinct row with its number of copies. */
async function multiset(path: string): Promise<unknown> {
  return query(path, 'SELECT kind, n, CAST(day AS VARCHAR) AS day, count(*) AS copies FROM events GROUP BY ALL ORDER BY ALL');
}

async function setUp(): Promise<Pair> {
  const p = newPair(root);
  await exec(p.remote, EVENTS, EVENTS_ROWS);
  const first = await p.sync();
  assert.equal(first.ok, true);
  return p;
}

test('copies added and removed on both sides add up; nothing is a conflict', async () => {
  const p = await setUp();
  await exec(p.local, "INSERT INTO events VALUES ('a', 1, '2024-01-01')", removeCopies("kind = 'b'", 1), "INSERT INTO events VALUES ('e', 9, NULL)");
  await exec(
    p.remote,
    "INSERT INTO events VALUES ('a', 1, '2024-01-01'), ('a', 1, '2024-01-01')",
    removeCopies("kind = 'c'", 1),
    "INSERT INTO events VALUES ('d', 4, '2024-01-04'), ('d', 4, '2024-01-04')",
    removeCopies('kind IS NULL', 1),
  );
  const r = await p.syncOk();
  // Local gains a×2, d×2; loses c, one NULL row. Remote gains a×1, e; loses one b.
  assert.deepEqual(counts(r, 'events'), { status: 'ok', pulled: 4, pushed: 2, deleted: 3, conflicts: 0 });
  const expected = [
    { kind: 'a', n: 1, day: '2024-01-01', copies: '6' },
    { kind: 'b', n: 2, day: '2024-01-02', copies: '1' },
    { kind: 'd', n: 4, day: '2024-01-04', copies: '2' },
    { kind: 'e', n: 9, day: null, copies: '1' },
    { kind: null, n: 5, day: '2024-01-05', copies: '1' },
  ];
  assert.deepEqual(await multiset(p.local), expected);
  assert.deepEqual(await multiset(p.remote), expected);
  assert.deepEqual(await conflictRows(p.local), []);

  const again = await p.syncOk();
  assert.deepEqual(counts(again, 'events'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await multiset(p.local), expected);
});

test('every copy removed on one side while the other adds copies of the same row', async () => {
  const p = await setUp();
  await exec(p.local, removeCopies("kind = 'a'", 3));
  await exec(p.remote, "INSERT INTO events VALUES ('a', 1, '2024-01-01')", removeCopies("kind = 'b'", 2));
  const r = await p.syncOk();
  // a: 0 + 4 − 3 = 1 (local gains 1, the remote loses 3); b: 2 + 0 − 2 = 0 (local loses 2).
  assert.deepEqual(counts(r, 'events'), { status: 'ok', pulled: 1, pushed: 0, deleted: 5, conflicts: 0 });
  const expected = [
    { kind: 'a', n: 1, day: '2024-01-01', copies: '1' },
    { kind: 'c', n: 3, day: null, copies: '1' },
    { kind: null, n: 5, day: '2024-01-05', copies: '2' },
  ];
  assert.deepEqual(await multiset(p.local), expected);
  assert.deepEqual(await multiset(p.remote), expected);
});

test('both sides removing one copy of the same row remove two copies (changes add up)', async () => {
  const p = await setUp();
  await exec(p.local, removeCopies("kind = 'a'", 1));
  await exec(p.remote, removeCopies("kind = 'a'", 1));
  const r = await p.syncOk();
  assert.deepEqual(counts(r, 'events'), { status: 'ok', pulled: 0, pushed: 0, deleted: 2, conflicts: 0 });
  const expected = [
    { kind: 'a', n: 1, day: '2024-01-01', copies: '1' },
    { kind: 'b', n: 2, day: '2024-01-02', copies: '2' },
    { kind: 'c', n: 3, day: null, copies: '1' },
    { kind: null, n: 5, day: '2024-01-05', copies: '2' },
  ];
  assert.deepEqual(await multiset(p.local), expected);
  assert.deepEqual(await multiset(p.remote), expected);
});

test('direction pull and push on a keyless table: only one side is written, the other side keeps its changes', async () => {
  const p = await setUp();
  await exec(p.local, "INSERT INTO events VALUES ('L', 0, NULL)", removeCopies("kind = 'b'", 1));
  await exec(p.remote, "INSERT INTO events VALUES ('R', 0, NULL), ('a', 1, '2024-01-01')");

  const remoteBefore = await dump(p.remote);
  const pull = await p.syncOk({ direction: 'pull' });
  assert.deepEqual(counts(pull, 'events'), { status: 'ok', pulled: 2, pushed: 0, deleted: 0, conflicts: 0 });
  assert.deepEqual(await dump(p.remote), remoteBefore, 'pull never writes the remote');
  const afterPull = [
    { kind: 'L', n: 0, day: null, copies: '1' },
    { kind: 'R', n: 0, day: null, copies: '1' },
    { kind: 'a', n: 1, day: '2024-01-01', copies: '4' },
    { kind: 'b', n: 2, day: '2024-01-02', copies: '1' },
    { kind: 'c', n: 3, day: null, copies: '1' },
    { kind: null, n: 5, day: '2024-01-05', copies: '2' },
  ];
  assert.deepEqual(await multiset(p.local), afterPull);

  const localBefore = await dump(p.local);
  const push = await p.syncOk({ direction: 'push' });
  assert.deepEqual(counts(push, 'events'), { status: 'ok', pulled: 0, pushed: 1, deleted: 1, conflicts: 0 });
  assert.deepEqual(await dump(p.local), localBefore, 'push never writes local user tables');
  assert.deepEqual(await multiset(p.remote), afterPull);

  const final = await p.syncOk();
  assert.deepEqual(counts(final, 'events'), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
});
