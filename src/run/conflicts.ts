import type { Database } from '../db/database.js';
import { ConflictRestoreError, UnknownConflictError, UsageError } from '../errors.js';
import { restoreConflict, type TableColumns } from '../engine/conflicts/restoreConflict.js';
import { viewConflict, type ConflictView } from '../engine/conflicts/conflictView.js';
import { markConflicts, purgeResolvedConflicts, readConflicts, type ConflictFilter } from '../engine/state/conflictLog.js';
import { MARK_DIRTY_SQL } from '../engine/state/dirtyMarks.js';
import { ensureStateTables } from '../engine/state/stateTables.js';
import { readStateVersion } from '../engine/state/stateValues.js';
import { openLocalOnly, type CommonOptions } from './session.js';

export type { ConflictView } from '../engine/conflicts/conflictView.js';
export type { ConflictFilter } from '../engine/state/conflictLog.js';

/** Which records `dismissConflicts` marks: these ids, or every open one (of these tables). */
export type DismissTarget = { ids: number[] } | { all: true; tables?: string[] | undefined };

/** The kept conflicts, newest first (open ones unless `includeDismissed`). Reads only the local file. */
export async function listConflicts(options: CommonOptions & ConflictFilter = {}): Promise<ConflictView[]> {
  return withConflicts(options, async (db) => (await readConflicts(db, options)).map(viewConflict));
}

/**
 * Writes the losing versions of these conflicts back into their local tables, as local edits (the
 * next sync pushes them through the merge), and marks the records restored: all of them in one
 * local transaction, or none (unknown ids, a record already restored, a table gone or changed).
 */
export async function restoreConflicts(options: CommonOptions & { ids: number[] }): Promise<ConflictView[]> {
  return withConflicts(options, (db) => restoreConflictsIn(db, options.ids));
}

/** Marks records dealt with: no longer listed, purged after the retention period. Returns the records marked. */
export async function dismissConflicts(options: CommonOptions & DismissTarget): Promise<ConflictView[]> {
  return withConflicts(options, (db) => dismissConflictsIn(db, 'ids' in options ? { ids: options.ids } : { all: true, tables: options.tables }));
}

/** restoreConflicts on an open database (SyncedDatabase shares it). Marks the tables written, so a library push sends them. */
export async function restoreConflictsIn(db: Database, ids: number[]): Promise<ConflictView[]> {
  const records = await recordsById(db, ids);
  const done = records.filter((r) => r.status === 'restored');
  if (done.length) throw new ConflictRestoreError(`conflict ${done.map((r) => r.id).join(', ')} was already restored`, 'a restored version is a local edit: change the row itself if you need to');
  await db.transaction(async () => {
    const columns: TableColumns = new Map();
    for (const record of records) await restoreConflict(db, record, columns);
    for (const table of new Set(records.map((r) => r.table))) await db.run(MARK_DIRTY_SQL, [table]);
    await markConflicts(db, records.map((r) => r.id), 'restored');
  });
  return (await readConflicts(db, { ids })).map(viewConflict);
}

/** dismissConflicts on an open database. */
export async function dismissConflictsIn(db: Database, target: DismissTarget): Promise<ConflictView[]> {
  const records = 'ids' in target ? (await recordsById(db, target.ids)).filter((r) => r.status === 'open') : await readConflicts(db, { tables: target.tables });
  await markConflicts(db, records.map((r) => r.id), 'dismissed');
  return (await readConflicts(db, { ids: records.map((r) => r.id) })).map(viewConflict);
}

/** The records with these ids, in the order given; an unknown id is an error before anything changes. */
async function recordsById(db: Database, ids: number[]) {
  if (!ids.length) throw new UsageError('no conflict id given', 'list them with `duckdb-sync conflicts`');
  const records = await readConflicts(db, { ids });
  const known = new Set(records.map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new UnknownConflictError(unknown);
  return ids.map((id) => records.find((r) => r.id === id)).filter((r): r is NonNullable<typeof r> => r !== undefined);
}

/**
 * Opens the local file (it must exist), brings its state up to date (a file never synced is left
 * as it is: it has no conflicts), purges the records dealt with long ago, runs `body`.
 */
async function withConflicts<T>(options: CommonOptions, body: (db: Database) => Promise<T>): Promise<T> {
  const { db, config } = await openLocalOnly(options, { readOnly: false });
  try {
    if ((await readStateVersion(db)) > 0) {
      await ensureStateTables(db);
      await purgeResolvedConflicts(db, config.conflictRetentionDays);
    }
    return await body(db);
  } finally {
    await db.close();
  }
}
