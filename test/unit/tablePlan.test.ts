import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planTable, type PlanSettings, type TableFacts } from '../../src/engine/tablePlan.js';

/** What a sync does with one table, decided without DuckDB (src/engine/tablePlan.ts). */

/** A keyed table synced before, with a usable baseline. */
const synced: TableFacts = { keyed: true, localOnly: false, local: true, synced: true, firstPushCut: false, baseline: true };
const incremental: PlanSettings = { mode: 'incremental', direction: 'both', dryRun: false };
const full: PlanSettings = { mode: 'full', direction: 'both', dryRun: false };
const dry = (s: PlanSettings): PlanSettings => ({ ...s, dryRun: true });
const toward = (s: PlanSettings, direction: PlanSettings['direction']): PlanSettings => ({ ...s, direction });
const kind = (facts: Partial<TableFacts>, settings: PlanSettings): string => {
  const plan = planTable({ ...synced, ...facts }, settings);
  return plan.kind === 'report' ? `report ${plan.status}${plan.errorCode ? ` ${plan.errorCode}` : ''}` : plan.kind === 'planOnly' ? `planOnly ${plan.of}` : plan.kind;
};

describe('planTable', () => {
  test('a table only the local side has: created on the remote, unless pulling, planning, or dropped on the remote', () => {
    const localOnly = { localOnly: true, synced: false, baseline: false };
    assert.equal(kind(localOnly, incremental), 'createRemote');
    assert.equal(kind(localOnly, full), 'createRemote');
    assert.deepEqual(planTable({ ...synced, ...localOnly }, dry(incremental)), { kind: 'planOnly', of: 'createRemote', push: true });
    assert.deepEqual(planTable({ ...synced, ...localOnly }, toward(incremental, 'pull')), { kind: 'report', status: 'ok', warnings: ['exists only locally; not pushed (direction pull)'] });
    // Synced before and gone from the remote: dropped there, never dropped locally.
    assert.equal(kind({ localOnly: true, baseline: false }, incremental), 'report error E_DROPPED');
    assert.equal(kind({ localOnly: true, baseline: false }, toward(full, 'pull')), 'report error E_DROPPED');
  });

  test('a first push in parts cut short is finished by a sync that pushes, left alone by one that does not', () => {
    const cut = { firstPushCut: true, synced: false, baseline: false };
    assert.equal(kind(cut, incremental), 'resumeFirstPush');
    assert.equal(kind(cut, toward(full, 'push')), 'resumeFirstPush');
    assert.equal(kind(cut, toward(full, 'pull')), 'report ok');
    assert.equal(kind(cut, dry(incremental)), 'report planned');
  });

  test('a baseline of another DuckDB release: a rehash is noted (and not planned dry), an unusable one means a full pull', () => {
    const rehashed = { adoption: { kind: 'rehashed' as const, note: 'rehashed for DuckDB v9' } };
    assert.deepEqual(planTable({ ...synced, ...rehashed }, incremental), { kind: 'changes', direction: 'both', scope: 'all', probe: false, note: 'rehashed for DuckDB v9' });
    assert.deepEqual(planTable({ ...synced, ...rehashed }, dry(incremental)), { kind: 'report', status: 'planned', warnings: ['rehashed for DuckDB v9'] });
    assert.deepEqual(planTable({ ...synced, ...rehashed }, toward(full, 'pull')), { kind: 'fullPull', note: 'rehashed for DuckDB v9' });
    const unusable = { baseline: false, adoption: { kind: 'unusable' as const, note: 'hashes differ' } };
    assert.deepEqual(planTable({ ...synced, ...unusable }, incremental), { kind: 'fullPull', note: 'hashes differ' });
    assert.equal(kind(unusable, dry(incremental)), 'planOnly fullPull');
    assert.equal(kind(unusable, toward(incremental, 'push')), 'report error E_NO_BASELINE');
  });

  test('columns changed since the last sync: destructive changes block, additions are applied by a two-way sync of a keyed table', () => {
    const added = { baseline: false, columns: { destructive: [], added: ['note'], narrowedBaseline: true } };
    assert.deepEqual(planTable({ ...synced, ...added }, incremental), { kind: 'addColumns', added: ['note'], then: 'done' });
    assert.deepEqual(planTable({ ...synced, ...added }, full), { kind: 'addColumns', added: ['note'], then: 'full' });
    // A full pull adds the remote's columns itself.
    assert.equal(kind(added, toward(full, 'pull')), 'fullPull');
    const blocked = planTable({ ...synced, ...added }, toward(incremental, 'pull'));
    assert.equal(blocked.kind === 'report' && blocked.error, 'columns added since the last sync: note; added columns are applied by a sync in both directions');
    const keyless = planTable({ ...synced, ...added, keyed: false }, incremental);
    assert.match(keyless.kind === 'report' ? (keyless.error ?? '') : '', /tables without a key take added columns through a full pull/);
    assert.deepEqual(planTable({ ...synced, ...added }, dry(incremental)), { kind: 'report', status: 'planned', errorCode: 'E_SCHEMA', warnings: ['columns added: note'] });
    const dropped = planTable({ ...synced, baseline: false, columns: { destructive: ['column a was dropped locally'], added: [], narrowedBaseline: false } }, incremental);
    assert.equal(dropped.kind === 'report' && dropped.error, 'schema change not applied: column a was dropped locally');
    // Additions whose baseline no longer holds for the old columns: as without a baseline.
    assert.equal(kind({ ...added, columns: { ...added.columns, narrowedBaseline: false } }, incremental), 'fullPull');
  });

  test('no baseline: a full pull (noted in an incremental sync), a plan of one in a dry run, an error for a push', () => {
    const none = { synced: false, baseline: false };
    assert.deepEqual(planTable({ ...synced, ...none }, incremental), { kind: 'fullPull', note: 'no usable baseline (first sync, or a schema change): pulled in full' });
    assert.deepEqual(planTable({ ...synced, ...none }, full), { kind: 'fullPull', note: undefined });
    assert.deepEqual(planTable({ ...synced, ...none, local: false }, incremental), { kind: 'fullPull', note: undefined });
    assert.equal(kind(none, dry(full)), 'planOnly fullPull');
    const push = planTable({ ...synced, ...none, local: false }, toward(incremental, 'push'));
    assert.equal(push.kind === 'report' && push.error, 'the table does not exist locally');
  });

  test("a partial replica's changed filter re-scopes: pushed within the old scope, pulled within the new", () => {
    const changed = { scopeChanged: true };
    assert.deepEqual(planTable({ ...synced, ...changed }, incremental), { kind: 'rescope', push: true, pull: true });
    assert.deepEqual(planTable({ ...synced, ...changed }, full), { kind: 'rescope', push: true, pull: true });
    assert.deepEqual(planTable({ ...synced, ...changed }, toward(incremental, 'pull')), { kind: 'rescope', push: false, pull: true });
    assert.deepEqual(planTable({ ...synced, ...changed }, toward(incremental, 'push')), { kind: 'rescope', push: true, pull: false });
    assert.deepEqual(planTable({ ...synced, ...changed }, dry(incremental)), { kind: 'planOnly', of: 'pushThenPull', push: true });
    // Without a baseline there is nothing to re-scope: the table is pulled in full within its scope.
    assert.equal(kind({ ...changed, baseline: false, synced: false }, incremental), 'fullPull');
  });

  test('with a baseline: changes merged per row incrementally; in full mode the local changes pushed first, then the pull', () => {
    assert.deepEqual(planTable(synced, incremental), { kind: 'changes', direction: 'both', scope: 'all', probe: true, note: undefined });
    assert.deepEqual(planTable(synced, toward(incremental, 'push')), { kind: 'changes', direction: 'push', scope: 'localChanges', probe: true, note: undefined });
    assert.equal(kind({}, dry(incremental)), 'changes');
    assert.deepEqual(planTable(synced, full), { kind: 'pushThenPull', pull: true, note: undefined });
    assert.deepEqual(planTable(synced, toward(full, 'push')), { kind: 'pushThenPull', pull: false, note: undefined });
    assert.deepEqual(planTable(synced, toward(full, 'pull')), { kind: 'fullPull', note: undefined });
    assert.deepEqual(planTable(synced, dry(full)), { kind: 'planOnly', of: 'pushThenPull', push: true });
    assert.deepEqual(planTable(synced, dry(toward(full, 'pull'))), { kind: 'planOnly', of: 'pushThenPull', push: false });
  });
});
