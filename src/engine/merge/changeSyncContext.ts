import type { WrittenKeys } from '../compare/localDelta.js';
import type { ConflictPolicy } from '../../config/schema.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import type { CursorState } from '../catalog/cursor.js';
import type { RemoteScope } from '../compare/remoteDelta.js';
import type { ProbeOutcome } from '../compare/remoteProbe.js';
import type { Direction, TableResult } from '../api.js';

/** What an incremental sync of one table pair is told (changeSync.ts), and what it returns. */
export interface ChangeSyncContext {
  baselineTable: string;
  scheme: FingerprintScheme;
  cursor: CursorState | undefined;
  policy: ConflictPolicy;
  direction: Direction;
  engineVersion: string;
  runId: string | undefined;
  dryRun: boolean;
  /** Which remote changes to look for (default all; full mode only needs those of local changes). */
  remoteScope?: RemoteScope;
  /** With scope `all`: what the probe before the tables found of the remote side (remoteProbe.ts). */
  remoteProbe?: ProbeOutcome | undefined;
  /** Local column names (to know whether the local table has columns outside the pair). */
  localColumns: string[];
  /** The local table is known to equal its baseline (the file is as the last sync left it): not compared. */
  localUnchanged?: boolean;
  /** The local table is known to equal its baseline but at these keys (written through duckdb-sync): only they are compared. */
  localChangedAt?: WrittenKeys | undefined;
  /**
   * Rows the push may write in one remote transaction (the remote's `maxTransactionRows`): the
   * changes beyond are left for another pass (`pushesLeft`). Undefined: no limit.
   */
  transactionRows?: number | undefined;
  /**
   * The newest remote change-log sequence number the table's last sync saw: a remote whose log is
   * behind it is an older snapshot (staleSnapshot.ts). Null: none seen.
   */
  seenLogSeq?: number | null | undefined;
}

/** A table's outcome, with what the engine needs beyond the reported result. */
export type ChangeSyncResult = TableResult & {
  rowsRead: number;
  /** Local changes left unapplied (e.g. direction pull): the local table still differs from its baseline. */
  localLeft: number;
  /** Local changes left for another pass, the push having written what one remote transaction may (transactionRows). */
  pushesLeft: number;
};

