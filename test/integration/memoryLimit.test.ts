import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Logger } from '../../src/log/logger.js';
import { exec, query } from '../helpers/duck.js';
import { tempDir } from '../helpers/tempDir.js';
import { counts, newPair, table } from './incrementalSupport.js';

/**
 * A primary key index being written must fit in DuckDB's memory (it cannot spill): a full pull of
 * a keyed table whose index outgrows the memory limit fails and rolls back. A fixed limit is kept
 * (the table fails with E_OUT_OF_MEMORY, nothing changed); `auto` (the default, from 600MB) syncs
 * such a table again with DuckDB's own limit. 3M keys need ~25 MB of index: more than a 24MB limit.
 */

const root = tempDir();
const ROWS = 3_000_000;

test(`${ROWS.toLocaleString('en-US')} keys past the memory limit: a fixed limit fails the table and changes nothing; "auto" syncs it again with room`, async () => {
  const p = newPair(root);
  await exec(
    p.remote,
    'CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR, qty INTEGER)',
    `INSERT INTO items SELECT i, 'item ' || i, (i % 97)::INTEGER FROM range(1, ${ROWS + 1}) t(i)`,
  );
  const warnings: string[] = [];
  const logger: Logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (m) => warnings.push(m) };

  const fixed = await p.sync({ memoryLimit: '24MB', logger });
  assert.equal(fixed.ok, false);
  const failed = table(fixed, 'items');
  assert.equal(failed.errorCode, 'E_OUT_OF_MEMORY', JSON.stringify(failed));
  // One line: DuckDB's list of possible solutions is replaced by the error's hint.
  assert.match(failed.error ?? '', /^Out of Memory Error: [^\n]+$/);
  const [local] = await query(p.local, "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'items'");
  assert.equal(Number(local?.n), 0, 'the failed pull rolled back: no local table');
  assert.deepEqual(warnings, []);

  const auto = await p.sync({ memoryLimit: 'auto:24MB', logger });
  assert.equal(auto.ok, true, JSON.stringify(auto.tables));
  assert.deepEqual(counts(auto, 'items'), { status: 'ok', pulled: ROWS, pushed: 0, deleted: 0, conflicts: 0 });
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /^items: did not fit in 24MB of memory \(Out of Memory Error: .*\); running it again with DuckDB's own limit/);
  await p.verifyOk();
  // The limit is set back after the table: the next run starts at 24MB again and needs no room.
  const next = await p.syncOk({ memoryLimit: 'auto:24MB', logger });
  assert.equal(counts(next, 'items').pulled, 0);
});
