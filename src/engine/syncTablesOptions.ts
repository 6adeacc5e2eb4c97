import type { Logger } from '../log/logger.js';
import type { RemoteFingerprints } from '../remote/remote.js';
import type { TableSyncContext } from './syncTable.js';

/** What syncTables.ts (and the steps before the tables, probeTables.ts) are told. */
export interface SyncTablesOptions extends Omit<TableSyncContext, 'scheme'> {
  /** The remote's fingerprint schemes; each table's is chosen before the tables (chooseSchemes.ts). */
  fingerprints: RemoteFingerprints;
  logger: Logger;
  signal?: AbortSignal | undefined;
}
