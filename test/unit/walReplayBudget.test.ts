import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DEFERRED_WAL_BYTES, WalReplayBudget } from '../../src/db/walReplayBudget.js';

test('defers the checkpoint until the replay time paid reaches what a checkpoint costs', () => {
  const b = new WalReplayBudget(100);
  assert.equal(b.shouldCheckpoint(500), false, 'nothing replayed yet');
  b.attached(40, 500);
  b.attached(2, 0); // an attach that found no WAL replays nothing
  assert.equal(b.replaySpentMs, 40);
  assert.equal(b.shouldCheckpoint(1000), false);
  b.attached(60, 1000);
  assert.equal(b.shouldCheckpoint(1500), true, '40 + 60 ms of replay = one checkpoint');
});

test('a checkpoint resets the replay spent and becomes the new estimate', () => {
  const b = new WalReplayBudget(100);
  b.attached(120, 800);
  assert.equal(b.shouldCheckpoint(800), true);
  b.checkpointed(10); // a small table: checkpoints are cheap
  assert.equal(b.replaySpentMs, 0);
  assert.equal(b.shouldCheckpoint(800), false);
  b.attached(11, 800);
  assert.equal(b.shouldCheckpoint(900), true, 'the measured 10 ms is the budget now');
});

test('a WAL past the size limit is checkpointed whatever was measured; no WAL, no checkpoint', () => {
  const b = new WalReplayBudget(1e9);
  assert.equal(b.shouldCheckpoint(MAX_DEFERRED_WAL_BYTES - 1), false);
  assert.equal(b.shouldCheckpoint(MAX_DEFERRED_WAL_BYTES), true);
  const spent = new WalReplayBudget(0);
  assert.equal(spent.shouldCheckpoint(0), false, 'an empty WAL has nothing to checkpoint');
  assert.equal(new WalReplayBudget(1, 10).shouldCheckpoint(10), true, 'the limit can be given');
});
