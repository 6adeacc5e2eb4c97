import { StaleRemoteError } from '../../errors.js';
import type { CursorState } from '../catalog/cursor.js';
import type { TablePair } from '../catalog/tablePair.js';

/**
 * Throws StaleRemoteError when the remote's change log (state/remote/changeLog.ts) is behind the newest
 * sequence number the last sync saw: the snapshot read is older than the one the baseline came from
 * (a read-scaling replica or a share that lags), and rows missing from it would be taken for deletes.
 * A log's newest entry is never pruned, so on a current snapshot its sequence number never goes back.
 */
export function assertNotStale(pair: TablePair, cursor: CursorState | undefined, logSeq: number | null): void {
  const seen = cursor?.logSeq ?? null;
  if (seen !== null && (logSeq === null || logSeq < seen)) throw new StaleRemoteError(pair.name, seen, logSeq);
}
