import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMemoryLimit } from '../../src/db/failures/memoryLimit.js';

test('memoryLimit settings: auto starts at 600MB and may be raised; auto:<size> starts there; a size or "default" is kept', () => {
  assert.deepEqual(readMemoryLimit(undefined), { start: '600MB', raisable: true });
  assert.deepEqual(readMemoryLimit('auto'), { start: '600MB', raisable: true });
  assert.deepEqual(readMemoryLimit('Auto: 1.5GB'), { start: '1.5GB', raisable: true });
  assert.deepEqual(readMemoryLimit('2GB'), { start: '2GB', raisable: false });
  assert.deepEqual(readMemoryLimit('default'), { start: undefined, raisable: false });
});
