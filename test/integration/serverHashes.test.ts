// remote kinds: chosen here — a server that runs another DuckDB release exists only on the MotherDuck path (the emulator's hashes=other).
/**
 * MotherDuck's server may run another DuckDB release than the client, whose hash() may differ
 * (chooseSchemes.ts, serverHashes.ts). Each run checks per table whether the server hashes rows
 * as this client does: where it does, baselines keep only the hash and rows are compared by it;
 * where it does not, the baseline is given canonical fingerprints in one pass and rows are compared
 * by those. The emulator's `hashes=other` plays a server whose hash() differs.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { SyncOptions } from '../../src/run/sync.js';
import { exec, query } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import { tempDir } from '../helpers/tempDir.js';
import { assertExactSync, baselineOf, editBothSides, syncedPair, TABLES } from './bothSidesEdited.js';
import { counts, rows, table, type Pair } from './incrementalSupport.js';

// Every pair of this file syncs through the emulator (incrementalSupport.ts asks remoteKinds.ts).
process.env.DUCKDB_SYNC_TEST_REMOTE = 'mdemu';
const root = tempDir();
/** The same emulated database, as a server whose DuckDB hashes rows differently would serve it. */
const other = (pair: Pair): SyncOptions => ({ remote: remoteUri(pair.remote, 'mdemu', 'hashes=other') });

/** Per table: whether its baseline keeps the canonical fingerprint `f`, and the scheme its metadata records. */
async function baselineSchemes(pair: Pair): Promise<Record<string, [boolean, string]>> {
  const out: Record<string, [boolean, string]> = {};
  for (const name of TABLES) {
    const [f] = await query(pair.local, `SELECT count(*) AS n FROM duckdb_columns() WHERE table_name = '${baselineOf(name)}' AND column_name = 'f'`);
    const [meta] = await query(pair.local, `SELECT column_signature AS s FROM dewey_sync_metadata WHERE table_name = '${name}'`);
    out[name] = [Number(f?.n) > 0, (JSON.parse(String(meta?.s)) as { scheme: string }).scheme];
  }
  return out;
}

const ENGINE = { items: [false, 'engine'], plain: [false, 'engine'], tags: [false, 'engine'] };
const CANONICAL = { items: [true, 'canonical'], plain: [true, 'canonical'], tags: [true, 'canonical'] };

describe("the server's hashes, checked per table each run", () => {
  test('a server that hashes alike: baselines keep only the hash, edits on both sides merge exactly', async () => {
    const synced = await syncedPair(root, {});
    assert.deepEqual(await baselineSchemes(synced), ENGINE);
    await editBothSides(synced);
    await assertExactSync(synced, {}, undefined);
    assert.deepEqual(await baselineSchemes(synced), ENGINE);
  });

  test('a server that hashes differently: the baseline gets canonical fingerprints in one pass, nothing pending is lost', async () => {
    const synced = await syncedPair(root, {});
    // Written by a full sync on a server that hashes alike, then the server changes release.
    await editBothSides(synced);
    await assertExactSync(synced, other(synced), /server hashes rows differently from this client: the baseline was given version-stable fingerprints/);
    assert.deepEqual(await baselineSchemes(synced), CANONICAL);
    // Compared by canonical fingerprints while it differs: more edits, no note, nothing lost.
    await exec(synced.remote, `UPDATE items SET v = 'second remote edit', updated_at = TIMESTAMP '2025-07-01' WHERE id = 60`, `DELETE FROM plain WHERE id = 61`, `INSERT INTO tags VALUES ('tag0', 0)`);
    await exec(synced.local, `UPDATE items SET v = 'second local edit', updated_at = TIMESTAMP '2025-07-01' WHERE id = 70`, `DELETE FROM tags WHERE name = 'tag1'`);
    const second = await synced.syncOk(other(synced));
    assert.deepEqual(counts(second, 'items'), { status: 'ok', pulled: 1, pushed: 1, deleted: 0, conflicts: 0 });
    assert.deepEqual(counts(second, 'plain'), { status: 'ok', pulled: 0, pushed: 0, deleted: 1, conflicts: 0 });
    for (const name of TABLES) assert.deepEqual(table(second, name).warnings ?? [], [], name);
    // Once the server hashes alike again, the canonical fingerprints are dropped (no pass over the rows).
    const back = await synced.syncOk();
    for (const name of TABLES) assert.deepEqual(counts(back, name), { status: 'ok', pulled: 0, pushed: 0, deleted: 0, conflicts: 0 });
    assert.deepEqual(await baselineSchemes(synced), ENGINE);
    assert.deepEqual(await rows(synced.local, 'items'), await rows(synced.remote, 'items'));
  });

  test('a baseline written with canonical fingerprints (an earlier duckdb-sync) drops them once the server is found to agree', async () => {
    const synced = await syncedPair(root, { fingerprints: 'canonical' });
    assert.deepEqual(await baselineSchemes(synced), CANONICAL);
    await editBothSides(synced);
    await assertExactSync(synced, {}, undefined);
    assert.deepEqual(await baselineSchemes(synced), ENGINE);
  });

  test('a full sync on a server that hashes differently writes the hash only; the next sync adds the canonical fingerprints', async () => {
    const synced = await syncedPair(root, {});
    // A new local file: its first sync has no baseline to check the server's hashes with.
    rmSync(synced.local);
    await synced.syncOk({ ...other(synced), mode: 'full' });
    assert.deepEqual(await baselineSchemes(synced), ENGINE);
    await editBothSides(synced);
    await assertExactSync(synced, other(synced), /hashes rows differently/);
  });

  test('the network failing while a baseline is being given canonical fingerprints: that table fails alone, unchanged; the next sync converts it', async () => {
    const synced = await syncedPair(root, {});
    await editBothSides(synced);
    // Statements reaching the server: the attach, the listing, the hash check, then the first table's rows.
    const failing = await synced.sync({ remote: remoteUri(synced.remote, 'mdemu', 'hashes=other&fail_at=4'), mode: 'incremental', maxRetries: 0 });
    assert.equal(failing.ok, false);
    assert.deepEqual(
      failing.tables.map((t) => [t.name, t.status, t.errorCode ?? null]),
      [
        ['items', 'error', 'E_REMOTE_UNAVAILABLE'],
        ['plain', 'ok', null],
        ['tags', 'ok', null],
      ],
    );
    assert.deepEqual(await baselineSchemes(synced), { ...CANONICAL, items: [false, 'engine'] });
    const next = await synced.syncOk(other(synced));
    assert.deepEqual(counts(next, 'items'), { status: 'ok', pulled: 2, pushed: 3, deleted: 1, conflicts: 1 });
    assert.deepEqual(await baselineSchemes(synced), CANONICAL);
    assert.deepEqual(await rows(synced.local, 'items'), await rows(synced.remote, 'items'));
  });

  test('a cloud that rewrote the first rows of a table with a cursor is not taken for another hash function (the sample skips rows the cursor shows moved)', async () => {
    const synced = await syncedPair(root, {});
    // The rows a plain scan meets first all change (and their cursor moves).
    await exec(synced.remote, `UPDATE items SET v = 'cloud rewrite', updated_at = TIMESTAMP '2026-01-01' WHERE id <= 40`);
    const result = await synced.syncOk();
    assert.deepEqual(counts(result, 'items'), { status: 'ok', pulled: 40, pushed: 0, deleted: 0, conflicts: 0 });
    assert.deepEqual(table(result, 'items').warnings ?? [], []);
    assert.deepEqual(await baselineSchemes(synced), ENGINE);
  });

  test('dry run: a baseline that needs canonical fingerprints is left as it was, and the plan says so', async () => {
    const synced = await syncedPair(root, {});
    const before = await query(synced.local, 'SELECT table_name, column_signature FROM dewey_sync_metadata ORDER BY 1');
    const result = await synced.sync({ ...other(synced), mode: 'incremental', dryRun: true });
    assert.equal(result.ok, true);
    for (const name of TABLES) {
      assert.equal(table(result, name).status, 'planned');
      assert.match((table(result, name).warnings ?? []).join('; '), /a sync first gives the baseline version-stable fingerprints/, name);
    }
    assert.deepEqual(await query(synced.local, 'SELECT table_name, column_signature FROM dewey_sync_metadata ORDER BY 1'), before);
    assert.deepEqual(await baselineSchemes(synced), ENGINE);
  });
});
