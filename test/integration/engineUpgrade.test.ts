/**
 * Baselines written by another DuckDB release (engineUpgrade.ts, hashProbe.ts), in process.
 *
 * The end-to-end test (test/e2e/upgrade.test.ts) runs a real earlier release, which hashes like the
 * current one. Here the other cases are made by hand, as another release would leave them:
 * - same hashes, other version: the baseline is adopted with no pass over the rows;
 * - other hashes (every stored hash rewritten, the probe's too), canonical fingerprints kept (the
 *   MotherDuck code path, forced on a file remote): the baseline is rehashed; pending local edits are
 *   pushed, remote edits pulled, only the real conflict is one;
 * - other hashes, engine fingerprints only (file remote): pulled in full, with a note saying why,
 *   and every local version it replaces kept in dewey_sync_conflicts;
 * - no probe (state from an older duckdb-sync) with the same release: the probe is written by the
 *   next sync; with another release: the table's own rows, looked up in the baseline, decide.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { probeTableName } from '../../src/engine/state/hashes/hashProbe.js';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { conflictRows, newPair, rows, table, type Pair } from './incrementalSupport.js';
import { assertExactSync, baselineOf, editBothSides, syncedPair, TABLES } from './bothSidesEdited.js';

const OTHER_RELEASE = 'v0.0.1-other';
/** Leaves the local state as a release that hashes differently would: every stored hash is another. */
async function rewriteHashesAsAnotherRelease(pair: Pair, version: string): Promise<void> {
  const statements = [`UPDATE dewey_sync_metadata SET engine_version = '${version}'`];
  for (const name of TABLES) {
    const baseline = baselineOf(name);
    statements.push(`UPDATE _duckdb_sync.${baseline} SET h = hash(h, 'other release')`);
    statements.push(`UPDATE _duckdb_sync.${probeTableName(baseline)} SET h = hash(h, 'other release')`);
  }
  await exec(pair.local, ...statements);
}

describe('baselines written by another DuckDB release', () => {
  const root = tempDir();

  for (const fingerprints of ['engine', 'canonical'] as const) {
    test(`${fingerprints} fingerprints: same hashes under another version: adopted as they are, pending edits pushed`, async () => {
      const pair = await syncedPair(root, { fingerprints });
      await exec(pair.local, `UPDATE dewey_sync_metadata SET engine_version = '${OTHER_RELEASE}'`);
      await editBothSides(pair);
      await assertExactSync(pair, { fingerprints }, undefined);
    });
  }

  test('canonical fingerprints, other hashes: the baseline is rehashed in one pass; nothing pulled in full', async () => {
    const pair = await syncedPair(root, { fingerprints: 'canonical' });
    await editBothSides(pair);
    await rewriteHashesAsAnotherRelease(pair, OTHER_RELEASE);
    await assertExactSync(pair, { fingerprints: 'canonical' }, new RegExp(`baseline written by DuckDB ${OTHER_RELEASE} rehashed`));
  });

  test('canonical fingerprints, other hashes, dry run: planned, nothing written', async () => {
    const pair = await syncedPair(root, { fingerprints: 'canonical' });
    await rewriteHashesAsAnotherRelease(pair, OTHER_RELEASE);
    const before = await query(pair.local, 'SELECT table_name, engine_version FROM dewey_sync_metadata ORDER BY 1');
    const result = await pair.sync({ mode: 'incremental', fingerprints: 'canonical', dryRun: true });
    assert.equal(result.ok, true);
    assert.match((table(result, 'items').warnings ?? []).join('; '), /a sync first rehashes the baseline written by DuckDB v0\.0\.1-other/);
    assert.deepEqual(await query(pair.local, 'SELECT table_name, engine_version FROM dewey_sync_metadata ORDER BY 1'), before);
  });

  test('engine fingerprints, other hashes: pulled in full with a note; local versions replaced are kept', async () => {
    const pair = await syncedPair(root, { fingerprints: 'engine' });
    await editBothSides(pair);
    await rewriteHashesAsAnotherRelease(pair, OTHER_RELEASE);
    const result = await pair.syncOk({ fingerprints: 'engine' });
    for (const name of TABLES) {
      assert.match((table(result, name).warnings ?? []).join('; '), /hashes this table's rows differently from v0\.0\.1-other.*pulled in full/, name);
    }
    // Without a baseline every local row that differs from the remote's is taken for a local change
    // that the remote replaces (row 20 too, changed on the remote only), and its version is kept.
    // A local delete (row 3) is not a version to keep: the row is back as the remote holds it.
    const kept = (await conflictRows(pair.local)).filter((c) => c.table_name === 'items').map((c) => c.key_json);
    assert.deepEqual(kept, ['{"id":1001}', '{"id":1}', '{"id":20}', '{"id":2}', '{"id":50}']);
    assert.deepEqual(await rows(pair.local, 'items'), await rows(pair.remote, 'items'));
  });

  test('no probe (state of an older duckdb-sync): written by the next sync on the same release', async () => {
    const pair = await syncedPair(root, { fingerprints: 'engine' });
    await exec(pair.local, `DROP TABLE _duckdb_sync.${probeTableName(baselineOf('items'))}`);
    await pair.syncOk({ fingerprints: 'engine' });
    const [probe] = await query(pair.local, `SELECT count(*) AS n FROM _duckdb_sync.${probeTableName(baselineOf('items'))}`);
    assert.equal(Number(probe?.n), 64);
  });

  test("no probe and another release: the table's own rows show whether the hashes agree", async () => {
    const dropProbes = TABLES.map((name) => `DROP TABLE _duckdb_sync.${probeTableName(baselineOf(name))}`);
    // Same hashes: most rows still hash to their baseline entry, so the baseline is adopted.
    const same = await syncedPair(root, { fingerprints: 'engine' });
    await editBothSides(same);
    await exec(same.local, ...dropProbes, `UPDATE dewey_sync_metadata SET engine_version = '${OTHER_RELEASE}'`);
    await assertExactSync(same, { fingerprints: 'engine' }, undefined);
    // Other hashes: no row does, and the baseline is not used.
    const other = await syncedPair(root, { fingerprints: 'engine' });
    await rewriteHashesAsAnotherRelease(other, OTHER_RELEASE);
    await exec(other.local, ...dropProbes);
    const result = await other.syncOk({ fingerprints: 'engine' });
    for (const name of TABLES) assert.match((table(result, name).warnings ?? []).join('; '), /hashes this table's rows differently/, name);
  });

  test('a probe written while the table was empty is filled once rows arrive', async () => {
    const pair = newPair(root);
    await exec(pair.remote, `CREATE TABLE items (id INTEGER PRIMARY KEY, v VARCHAR)`);
    await pair.syncOk({ mode: 'full' });
    const probe = `_duckdb_sync.${probeTableName(baselineOf('items'))}`;
    assert.equal(Number((await query(pair.local, `SELECT count(*) AS n FROM ${probe}`))[0]?.n), 0);
    await exec(pair.remote, `INSERT INTO items SELECT i, 'v' || i FROM range(10) r(i)`);
    await pair.syncOk();
    assert.equal(Number((await query(pair.local, `SELECT count(*) AS n FROM ${probe}`))[0]?.n), 10);
  });
});
