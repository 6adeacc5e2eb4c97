import type { Database } from '../db/database.js';
import { qualify, quoteIdent } from '../db/quote.js';
import { REMOTE_ALIAS } from '../db/remoteSpec.js';
import { CONFLICTS_TABLE } from './internalNames.js';
import { kJson, kMatchUser, rowJson } from './keySql.js';
import type { TablePair } from './tablePair.js';

/**
 * Writes the plan's `push` actions to the remote: rows deleted there, then the local versions
 * inserted (an update of a keyed row is a delete plus an insert). Runs inside the caller's remote
 * transaction; reads the local table.
 */
export async function applyPush(db: Database, pair: TablePair): Promise<void> {
  const remote = qualify(REMOTE_ALIAS, pair.remote.schema, pair.remote.table);
  const local = qualify(pair.local.schema, pair.local.table);
  await db.run(
    `DELETE FROM ${remote} AS t WHERE EXISTS (SELECT 1 FROM temp.sync_plan p WHERE p.action = 'push' AND ${kMatchUser(pair, 'remote', 't', 'p')})`,
  );
  await db.run(
    `INSERT INTO ${remote} (${pair.columns.map((c) => quoteIdent(c.remote)).join(', ')})
     SELECT ${pair.columns.map((c) => `t.${quoteIdent(c.local)}`).join(', ')} FROM ${local} t
      WHERE EXISTS (SELECT 1 FROM temp.sync_plan p WHERE p.action = 'push' AND p.lh IS NOT NULL AND ${kMatchUser(pair, 'local', 't', 'p')})`,
  );
}

/**
 * Writes the plan's `pull` actions to the local table from temp.sync_rrows. Runs inside the
 * caller's local transaction.
 */
export async function applyPull(db: Database, pair: TablePair): Promise<void> {
  const local = qualify(pair.local.schema, pair.local.table);
  await db.run(
    `DELETE FROM ${local} AS t WHERE EXISTS (SELECT 1 FROM temp.sync_plan p WHERE p.action = 'pull' AND ${kMatchUser(pair, 'local', 't', 'p')})`,
  );
  const cols = pair.columns.map((c) => quoteIdent(c.local)).join(', ');
  await db.run(
    `INSERT INTO ${local} (${cols}) SELECT ${pair.columns.map((c) => `t.${quoteIdent(c.local)}`).join(', ')} FROM temp.sync_rrows t
      WHERE EXISTS (SELECT 1 FROM temp.sync_plan p WHERE p.action = 'pull' AND p.rh IS NOT NULL AND ${kMatchUser(pair, 'local', 't', 'p')})`,
  );
}

/**
 * Records every conflict of the plan in dewey_sync_conflicts with both versions (before the pull
 * replaces the local one). Runs inside the caller's local transaction. Returns the rows written.
 */
export async function recordConflicts(db: Database, pair: TablePair, policy: string, runId: string | undefined): Promise<number> {
  const local = qualify(pair.local.schema, pair.local.table);
  return db.run(
    `INSERT INTO ${quoteIdent(CONFLICTS_TABLE)} (table_name, key_json, local_version, remote_version, copies, policy, winner, run_id)
     SELECT $1, ${kJson(pair, 'p')},
            (SELECT ${rowJson(pair, 't')} FROM ${local} t WHERE ${kMatchUser(pair, 'local', 't', 'p')}),
            (SELECT ${rowJson(pair, 't')} FROM temp.sync_rrows t WHERE ${kMatchUser(pair, 'local', 't', 'p')}),
            1, $2, p.winner, $3
       FROM temp.sync_plan p WHERE p.kind = 'conflict' AND p.action <> 'skip'`,
    [pair.name, policy, runId ?? null],
  );
}
