import type { Database } from '../../db/database.js';
import type { Logger } from '../../log/logger.js';
import type { ObjectChange } from './objectChange.js';
import type { ObjectResult } from '../api.js';

/**
 * Applies planned object changes to their sides, each statement on its own: an object that fails
 * is reported and never stops the others or the tables. A view or macro that reads another object
 * not created yet (views on views, in any schema) fails with a catalog error and is tried again
 * after the others, until a round creates nothing more: dependency order without parsing SQL.
 * A dry run applies nothing. Returns a result per change, and the baseline entries now true.
 */
export async function applyObjects(db: Database, changes: ObjectChange[], dryRun: boolean, logger: Logger): Promise<{ results: ObjectResult[]; settled: Array<[string, string]> }> {
  const results: ObjectResult[] = [];
  const settled: Array<[string, string]> = [];
  const result = (c: ObjectChange, status: ObjectResult['status'], error?: string): ObjectResult => ({
    kind: c.kind,
    name: c.name,
    side: c.side,
    action: c.action,
    status,
    detail: c.detail,
    ...(error === undefined ? {} : { error }),
  });
  const runnable: ObjectChange[] = [];
  for (const c of changes) {
    if (c.action === 'differs' || c.sql === undefined) results.push(result(c, 'reported'));
    else if (dryRun) results.push(result(c, 'planned'));
    else runnable.push(c);
  }
  for (const side of ['local', 'remote'] as const) {
    const mine = runnable.filter((c) => c.side === side);
    if (!mine.length) continue;
    const apply = async (): Promise<void> => {
      let pending = mine;
      const errors = new Map<ObjectChange, string>();
      while (pending.length) {
        const failed: ObjectChange[] = [];
        const missing = new Set<string>();
        for (const c of pending) {
          if (missing.has(c.name)) {
            failed.push(c);
            continue;
          }
          try {
            await db.run(c.sql as string);
            results.push(result(c, 'ok'));
            if (c.settles) settled.push(c.settles);
            logger.info(`${c.kind} ${c.name}: ${c.detail}`);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            errors.set(c, message);
            failed.push(c);
            // A comment or second step of an object waits for the object.
            missing.add(c.name);
          }
        }
        const progressed = failed.length < pending.length;
        pending = progressed ? failed.filter((c) => /catalog error|does not exist/i.test(errors.get(c) ?? 'does not exist')) : [];
        for (const c of progressed ? failed.filter((f) => !pending.includes(f)) : failed) {
          const message = errors.get(c) ?? 'not applied: a step before it failed';
          results.push(result(c, 'error', message));
          logger.warn(`${c.kind} ${c.name}: ${c.action} on the ${c.side} side failed: ${message}`);
        }
      }
    };
    if (side === 'local') await apply();
    else await db.withRemote(false, apply);
  }
  return { results, settled };
}
