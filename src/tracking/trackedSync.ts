import type { ResolvedConfig } from '../config/resolvedConfig.js';
import type { Database } from '../db/database.js';
import { runSync, type SyncRun, type SyncRunOptions } from '../run/sync.js';
import type { DirtyTracker } from './dirtyTracker.js';
import type { KeyedWrites, WrittenKeys } from './keyedWrites.js';
import type { SyncResult } from '../engine/api.js';

/**
 * A sync that compares the tables known to differ only at written keys at those keys, and then
 * updates what is known (keyedWrites.ts). What it read of the marks is told the moment it has read
 * them, not before: a write committed before then needs no mark of its own only if its keys are
 * among those taken and its table is compared after it (dirtyTracker.ts).
 */
export async function trackedSync(db: Database, config: ResolvedConfig, tracker: DirtyTracker, keyed: KeyedWrites, options: SyncRunOptions): Promise<SyncResult> {
  let taken: ReadonlyMap<string, WrittenKeys> | undefined;
  let run: SyncRun | undefined;
  const marksRead = (): ReadonlyMap<string, WrittenKeys> => {
    tracker.marksRead();
    taken = keyed.take();
    return taken;
  };
  try {
    run = await runSync(db, config, db.logger, options, { localUnchanged: new Set(), marksRead });
    return run.result;
  } finally {
    keyed.synced(run ? run.result.tables.map((t) => t.name) : [...(taken?.keys() ?? [])], run?.settled ?? new Set());
  }
}
