import { readDirtyMarks } from '../engine/state/dirtyMarks.js';
import { openConflictCounts } from '../engine/state/conflictLog.js';
import { recentRuns } from '../engine/state/runHistory.js';
import { readStateVersion } from '../engine/state/stateValues.js';
import { readTableMetadata } from '../engine/state/tableMetadata.js';
import { openLocalOnly, type CommonOptions } from './session.js';
import { StampReader } from '../db/fileStamp.js';
import { localWritesStatus, type LocalWritesStatus } from './localWritesStatus.js';
import type { RunRecord, TableMetadata } from '../engine/api.js';

export interface StatusResult {
  local: string;
  tables: TableMetadata[];
  runs: RunRecord[];
  /** Tables written through the library or `exec` and not pushed yet (`*`: every table). */
  pending: string[];
  /** Open conflict records per table (`duckdb-sync conflicts` lists them). */
  openConflicts: Record<string, number>;
  /** Whether the local file was written (by any program) since the last sync, and a watching daemon's state. */
  localWrites: LocalWritesStatus;
}

/** What the local database records about past syncs. Reads only the local file; the remote is not needed. */
export async function status(options: CommonOptions & { runs?: number } = {}): Promise<StatusResult> {
  const { db, config } = await openLocalOnly(options, { readOnly: true });
  // Read with the file open (no other program writes it meanwhile; opening it read-only writes nothing), closed after it.
  const stamps = new StampReader(config.local);
  try {
    const localWrites = localWritesStatus(config.local, config.cacheDir, stamps.read());
    if ((await readStateVersion(db)) === 0) return { local: config.local, tables: [], runs: [], pending: [], openConflicts: {}, localWrites };
    const pending = [...new Set((await readDirtyMarks(db)).map((m) => m.table))];
    const openConflicts = Object.fromEntries(await openConflictCounts(db));
    return { local: config.local, tables: await readTableMetadata(db), runs: await recentRuns(db, options.runs ?? 5), pending, openConflicts, localWrites };
  } finally {
    await db.close();
    stamps.close();
  }
}
