import { randomUUID } from 'node:crypto';
import type { Database } from '../../../db/database.js';
import { qualify } from '../../../duckdb/quote.js';
import { STATE_SCHEMA } from '../internalNames.js';
import { ensureRemoteStateSchema } from './remoteStateTables.js';

/**
 * A push's rows on the remote. MotherDuck runs statements that change its rows on the server, so
 * they may read only remote tables; reading local data is what an upload does (`INSERT … SELECT`,
 * `CREATE TABLE … AS`). So a push uploads its rows once into a staging table in the remote's
 * `_duckdb_sync` schema, applies them by statements that read only remote tables, and drops the
 * stage, all inside the caller's remote transaction: nobody else ever sees a stage, and a push cut
 * short leaves none behind (its transaction rolls back). Every remote kind takes this one path.
 */
export async function withPushStage<T>(db: Database, select: string, apply: (stage: string) => Promise<T>): Promise<T> {
  const stage = qualify(db.remote.catalog, STATE_SCHEMA, `stage_${randomUUID().replace(/-/g, '').slice(0, 16)}`);
  await ensureRemoteStateSchema(db);
  await db.run(`CREATE TABLE ${stage} AS ${select}`);
  const value = await apply(stage);
  await db.run(`DROP TABLE ${stage}`);
  return value;
}
