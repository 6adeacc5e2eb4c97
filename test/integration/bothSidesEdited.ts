import assert from 'node:assert/strict';
import type { SyncOptions } from '../../src/run/sync.js';
import { baselineTableName } from '../../src/engine/state/baseline.js';
import { exec, query } from '../helpers/duck.js';
import { conflictRows, counts, newPair, rows, table, type Pair } from './incrementalSupport.js';

/**
 * Three tables edited on both sides since their last sync, and what the next sync must do with
 * them: shared by the tests of baselines that must first be made usable (engineUpgrade.test.ts:
 * another DuckDB release wrote them; serverHashes.test.ts: the server hashes rows differently).
 */

export const TABLES = ['items', 'plain', 'tags'] as const;

/** A keyed table with a cursor, a keyed table without, a keyless one; synced in full once. */
export async function syncedPair(root: string, options: SyncOptions): Promise<Pair> {
  const pair = newPair(root);
  await exec(
    pair.remote,
    `CREATE TABLE items (id INTEGER PRIMARY KEY, v VARCHAR, updated_at TIMESTAMP)`,
    `INSERT INTO items SELECT i, 'item ' || i, TIMESTAMP '2024-01-01' + to_days(i) FROM range(1, 101) r(i)`,
    `CREATE TABLE plain (id INTEGER PRIMARY KEY, v DOUBLE, tags VARCHAR[])`,
    `INSERT INTO plain SELECT i, i / 3, ['a', 'b' || i] FROM range(1, 101) r(i)`,
    `CREATE TABLE tags (name VARCHAR, n INTEGER)`,
    `INSERT INTO tags SELECT 'tag' || (i % 7), i % 3 FROM range(0, 60) r(i)`,
  );
  await pair.syncOk({ mode: 'full', ...options });
  return pair;
}

/** The baseline table's name of a table in the main schema. */
export function baselineOf(name: string): string {
  return baselineTableName({ name } as Parameters<typeof baselineTableName>[0]);
}

/** Edits on both sides since the last sync: local and remote rows apart, and one row edited on both. */
export async function editBothSides(pair: Pair): Promise<void> {
  await exec(
    pair.local,
    `UPDATE items SET v = 'local edit', updated_at = TIMESTAMP '2025-06-01' WHERE id IN (1, 2)`,
    `DELETE FROM items WHERE id = 3`,
    `INSERT INTO items VALUES (1001, 'local insert', TIMESTAMP '2025-06-01')`,
    `UPDATE items SET v = 'local side of the conflict', updated_at = TIMESTAMP '2025-06-01' WHERE id = 50`,
    `UPDATE plain SET v = -1 WHERE id = 10`,
    `DELETE FROM plain WHERE id = 11`,
    `INSERT INTO tags VALUES ('local tag', 1)`,
    `DELETE FROM tags WHERE rowid = (SELECT min(rowid) FROM tags WHERE name = 'tag3')`,
  );
  await exec(
    pair.remote,
    `UPDATE items SET v = 'remote edit', updated_at = TIMESTAMP '2025-06-02' WHERE id = 20`,
    `UPDATE items SET v = 'remote side of the conflict', updated_at = TIMESTAMP '2025-06-02' WHERE id = 50`,
    `UPDATE plain SET v = -2 WHERE id = 30`,
    `INSERT INTO tags VALUES ('remote tag', 2)`,
  );
}

/** The sync after the edits pushed and pulled exactly them; the one real conflict is the only one. */
export async function assertExactSync(pair: Pair, options: SyncOptions, expectNote: RegExp | undefined): Promise<void> {
  const result = await pair.syncOk(options);
  assert.deepEqual(counts(result, 'items'), { status: 'ok', pulled: 2, pushed: 3, deleted: 1, conflicts: 1 });
  assert.deepEqual(counts(result, 'plain'), { status: 'ok', pulled: 1, pushed: 1, deleted: 1, conflicts: 0 });
  assert.deepEqual(counts(result, 'tags'), { status: 'ok', pulled: 1, pushed: 1, deleted: 1, conflicts: 0 });
  for (const name of TABLES) {
    const warnings = (table(result, name).warnings ?? []).join('; ');
    if (expectNote) assert.match(warnings, expectNote, name);
    else assert.equal(warnings, '', `${name}: no note when hashes agree`);
  }
  const conflicts = await conflictRows(pair.local);
  assert.deepEqual(
    conflicts.map((c) => [c.table_name, c.key_json, (c.local_version as { v: string }).v, c.winner]),
    [['items', '{"id":50}', 'local side of the conflict', 'remote']],
  );
  // Local edits reached the remote; the remote edit arrived locally.
  const remoteItems = await rows(pair.remote, 'items WHERE id IN (1, 2, 3, 20, 1001)', 'id');
  assert.deepEqual(
    remoteItems.map((r) => [r.id, r.v]),
    [
      [1, 'local edit'],
      [2, 'local edit'],
      [20, 'remote edit'],
      [1001, 'local insert'],
    ],
  );
  const engine = await query(pair.local, `SELECT DISTINCT engine_version AS v FROM dewey_sync_metadata`);
  assert.deepEqual(engine.map((r) => r.v), [(await query(pair.local, 'SELECT version() AS v'))[0]?.v]);
  // And the next sync finds nothing to do.
  const again = await pair.syncOk(options);
  for (const name of TABLES) assert.deepEqual(counts(again, name), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
}

