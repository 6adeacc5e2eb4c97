import type { Database } from '../../db/database.js';
import { qualify } from '../../duckdb/quote.js';
import { kList } from '../rows/keySql.js';
import type { TablePair } from '../catalog/tablePair.js';
import { STATE_SCHEMA, tableExists } from './internalNames.js';

/**
 * The remote change log's entries this local's own pushes wrote (remote/changeLog.ts), kept locally
 * so that its later reads of the log leave them out.
 */

/** The local table of the log entries this local's pushes wrote (seq, k…), named after the table's baseline. */
function ownLoggedName(baselineTable: string): string {
  return `${baselineTable}_logged`;
}

/** The table of this local's own log entries, qualified, when it exists (for changeLogFilter). */
export async function ownLoggedRef(db: Database, baselineTable: string): Promise<string | undefined> {
  return (await tableExists(db, STATE_SCHEMA, ownLoggedName(baselineTable))) ? qualify(STATE_SCHEMA, ownLoggedName(baselineTable)) : undefined;
}

/**
 * In the local transaction after a push that logged the keys of the plan's push actions (`plan`) under
 * `seq`: remembers them as this local's own entries, and forgets those older than the newest
 * sequence number recorded as seen (`seen`), which no read asks for any more.
 */
export async function recordOwnLogged(db: Database, pair: TablePair, baselineTable: string, seq: number, seen: number | null, plan: string): Promise<void> {
  const own = qualify(STATE_SCHEMA, ownLoggedName(baselineTable));
  await db.run(`CREATE TABLE IF NOT EXISTS ${own} AS SELECT CAST(NULL AS BIGINT) AS seq, ${kList(pair)} FROM ${plan} WHERE false`);
  if (seen !== null) await db.run(`DELETE FROM ${own} WHERE seq < $1`, [String(seen)]);
  await db.run(`INSERT INTO ${own} SELECT CAST($1 AS BIGINT), ${kList(pair)} FROM ${plan} WHERE action = 'push'`, [String(seq)]);
}

/** Drops the own entries when the baseline is rebuilt from scratch (a full pull reads every row). */
export async function dropOwnLogged(db: Database, baselineTable: string): Promise<void> {
  await db.run(`DROP TABLE IF EXISTS ${qualify(STATE_SCHEMA, ownLoggedName(baselineTable))}`);
}
