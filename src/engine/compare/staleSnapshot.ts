import { StaleRemoteError } from '../../errors.js';
import type { TablePair } from '../catalog/tablePair.js';

/**
 * Throws StaleRemoteError when the remote's change log (state/remote/changeLog.ts) is behind the newest
 * sequence number the last sync saw (`seen`; null: none seen, nothing to check): the snapshot read is
 * older than the one the baseline came from (a read-scaling replica or a share that lags), and rows
 * missing from it would be taken for deletes, older versions for changes. A log's newest entry is
 * never pruned, so on a current snapshot its sequence number never goes back; a log missing
 * (`logSeq` null) where one was seen is a snapshot older than the log.
 */
export function assertNotStale(pair: TablePair, seen: number | null, logSeq: number | null): void {
  if (isStale(seen, logSeq)) throw new StaleRemoteError(pair.name, seen ?? 0, logSeq);
}

/** Whether a change log at `logSeq` (null: none) is older than the `seen` one (null: none seen). */
export function isStale(seen: number | null, logSeq: number | null): boolean {
  return seen !== null && (logSeq === null || logSeq < seen);
}

/** The newest of the sequence numbers known (nulls left out); null when none is. */
export function newestSeq(...seqs: Array<number | null | undefined>): number | null {
  const known = seqs.filter((s): s is number => s !== null && s !== undefined);
  return known.length ? Math.max(...known) : null;
}
