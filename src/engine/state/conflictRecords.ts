import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';
import { kJson, kMatchUser, rowJson } from '../rows/keySql.js';
import { TEMP } from '../rows/tempTables.js';
import { CONFLICTS_TABLE } from './internalNames.js';

/**
 * Records every conflict of the plan in dewey_sync_conflicts with both versions (before the pull
 * replaces the local one). Runs inside the caller's local transaction. Returns the rows written.
 */
export async function recordConflicts(db: Database, pair: TablePair, policy: string, runId: string | undefined): Promise<number> {
  const local = localRef(db, pair);
  return db.run(
    `INSERT INTO ${quoteIdent(CONFLICTS_TABLE)} (table_name, key_json, local_version, remote_version, copies, policy, winner, run_id)
     SELECT $1, ${kJson(pair, 'p')},
            (SELECT ${rowJson(pair, 't')} FROM ${local} t WHERE ${kMatchUser(pair, 'local', 't', 'p')}),
            (SELECT ${rowJson(pair, 't')} FROM ${TEMP.rrows} t WHERE ${kMatchUser(pair, 'local', 't', 'p')}),
            1, $2, p.winner, $3
       FROM ${TEMP.plan} p WHERE p.kind = 'conflict' AND p.action <> 'skip'`,
    [pair.name, policy, runId ?? null],
  );
}
