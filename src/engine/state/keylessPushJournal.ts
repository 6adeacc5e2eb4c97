import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { qualify } from '../../duckdb/quote.js';
import { engineRowHash } from '../rows/fingerprint.js';
import { baselineRowFp, rowFp } from '../rows/fingerprintScheme.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import { STATE_SCHEMA, tableExists } from './internalNames.js';
import { pushCommitted } from './remote/pushMarkers.js';
import { keylessPushLogged } from './remote/changeLog.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';

/**
 * Crash safety for pushes of tables without a key.
 *
 * A keyless push changes row counts on the remote; if the process dies before the local
 * transaction moves the baseline, the next run would count the pushed copies as remote changes and
 * add the local changes a second time (new = local + remote − baseline). So before pushing, the
 * local counts of every planned row are journaled locally with a push id, and the push writes that
 * id into the table's change log on the remote (remote/changeLog.ts; releases before it wrote the
 * push markers, remote/pushMarkers.ts) in the same remote transaction. The next run finds the
 * journal: if the id is on the remote, the push
 * committed and the baseline of those rows becomes the journaled local counts (the remote then
 * differs from it exactly by the other side's changes); if not, nothing was pushed and the journal
 * is dropped.
 */

function journal(baselineTable: string): string {
  return qualify(STATE_SCHEMA, `${baselineTable}_pending`);
}

/** Journals the local counts of the rows a plan (`plan`, merge/syncKeylessTable.ts) pushes, before the push (local transaction). Returns the push id. */
export async function journalKeylessPush(db: Database, pair: TablePair, scheme: FingerprintScheme, baselineTable: string, plan: string): Promise<string> {
  const pushId = randomUUID();
  const local = localRef(db, pair);
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  const f = rowFp(pair, 'local', scheme, 't');
  await db.transaction(async () => {
    await db.run(
      `CREATE OR REPLACE TABLE ${journal(baselineTable)} AS
         SELECT $1 AS push_id, p.f, x.h, p.ln FROM ${plan} p
           LEFT JOIN (SELECT ${h} AS h, ${f} AS f FROM ${local} t WHERE ${f} IN (SELECT f FROM ${plan} WHERE ln > 0)
                       QUALIFY row_number() OVER (PARTITION BY ${f}) = 1) x ON x.f = p.f`,
      [pushId],
    );
  });
  return pushId;
}

/** A push of this table was journaled and its outcome is not settled yet. */
export async function keylessJournalExists(db: Database, baselineTable: string): Promise<boolean> {
  return tableExists(db, STATE_SCHEMA, `${baselineTable}_pending`);
}

/** Drops the journal once the baseline moved (inside the caller's local transaction). */
export async function dropKeylessJournal(db: Database, baselineTable: string): Promise<void> {
  await db.run(`DROP TABLE IF EXISTS ${journal(baselineTable)}`);
}

/**
 * Before planning: settles a journal left by a run that died during its push. The remote must be
 * attached. Returns true when a committed push was recovered.
 */
export async function recoverKeylessPush(db: Database, pair: TablePair, scheme: FingerprintScheme, baselineTable: string): Promise<boolean> {
  if (!(await keylessJournalExists(db, baselineTable))) return false;
  const [row] = await db.all<{ push_id: string }>(`SELECT any_value(push_id) AS push_id FROM ${journal(baselineTable)}`);
  // Marked in the table's change log; a push by an earlier release, in the marker table.
  const id = row?.push_id;
  const committed = id !== undefined && ((await keylessPushLogged(db, pair, id)) || (await pushCommitted(db, id)));
  const baseline = qualify(STATE_SCHEMA, baselineTable);
  const bf = baselineRowFp(scheme);
  await db.transaction(async () => {
    if (committed) {
      await db.run(`DELETE FROM ${baseline} WHERE ${bf} IN (SELECT f FROM ${journal(baselineTable)})`);
      await db.run(
        `INSERT INTO ${baseline} SELECT h${scheme === 'canonical' ? ', f' : ''}, ln FROM ${journal(baselineTable)} WHERE ln > 0`,
      );
    }
    await dropKeylessJournal(db, baselineTable);
  });
  return committed;
}
