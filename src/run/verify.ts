import { discoverTables } from '../engine/catalog/discoverTables.js';
import { verifyTable } from '../engine/verifyTable.js';
import { silentLogger } from '../log/logger.js';
import { resolveConfig, withDatabase, type CommonOptions } from './session.js';
import type { VerifyTableResult } from '../engine/api.js';

export interface VerifyOptions extends CommonOptions {
  tables?: string[] | undefined;
  excludeTables?: string[] | undefined;
}

export interface VerifyResult {
  /** True when every table is identical on both sides. */
  ok: boolean;
  tables: VerifyTableResult[];
}

/** Compares content on both sides (counts and canonical fingerprints). Changes nothing. */
export async function verify(options: VerifyOptions = {}): Promise<VerifyResult> {
  const config = resolveConfig(options);
  const logger = options.logger ?? silentLogger;
  return withDatabase(config, logger, { localMayBeAbsent: true, fingerprints: options.fingerprints }, async (db) => {
    const discovery = await db.retryingRemote('finding tables', () => discoverTables(db, config, { tables: options.tables, exclude: options.excludeTables }, { objects: false }));
    const tables = await db.retryingRemote('verify', () => db.withRemote(true, async () => {
      const out: VerifyTableResult[] = [];
      for (const pair of discovery.pairs) {
        const r = await verifyTable(db, pair, discovery.localTables.get(pair.name));
        logger.debug(`verify ${pair.name}: ${r.status}`);
        out.push(r);
      }
      return out;
    }));
    return { ok: tables.every((t) => t.status === 'identical'), tables };
  });
}
