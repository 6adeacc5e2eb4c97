/**
 * Every temporary table that passes data between the steps of a sync, in one place. They live in
 * the connection's `temp` catalog (never in either database), are replaced by the step that makes
 * them, and are read by later steps of the same table's sync. Columns named k0…kn hold a key.
 */
export const TEMP = {
  // Finding changes (compare/)
  /** Every probed table's remote row count, fingerprint summary and change-log position (remoteProbe.ts). */
  probe: 'temp.sync_probe',
  /** Hashes the remote's server computed for a few rows of each table (serverHashes.ts). */
  hash_sample: 'temp.sync_hash_sample',
  /** Local changes since the baseline: (k…, lh, bh); lh NULL = deleted locally, bh NULL = inserted. */
  ld: 'temp.sync_ld',
  /** Local keys and row hashes of a large table, hashed once (localDelta.ts). */
  lh: 'temp.sync_lh',
  /** Key buckets whose summaries differ between two hashed tables (hashedDifference.ts). */
  buckets: 'temp.sync_buckets',
  /** Local versions of the changed rows, taken in the transaction that compared them (what a push sends). */
  lrows: 'temp.sync_lrows',
  /** Keys of the rows written through duckdb-sync since the table was settled (compare/localDelta.ts computeLocalDeltaAt). */
  known_keys: 'temp.sync_known_keys',
  /** Keys changed locally (and journaled by a push cut short): their remote versions are always read. */
  lkeys: 'temp.sync_lkeys',
  /** The remote's keys and row fingerprints (keyless: fingerprints and counts), for a baseline of the rows both sides hold alike (baseline.ts). */
  rfp: 'temp.sync_rfp',
  /** Remote rows read (under local column names). */
  rrows: 'temp.sync_rrows',
  /** Remote changes since the baseline: (k…, rh, bh); rh NULL = deleted remotely. */
  rd: 'temp.sync_rd',
  /** Per-bucket summaries of the remote table and of the baseline, and the buckets where they differ. */
  rsum: 'temp.sync_rsum',
  bsum: 'temp.sync_bsum',
  diff: 'temp.sync_diff',
  /** Remote keys in differing buckets; keys the baseline (plus new keys read) should hold; keys the cursor missed. */
  rkeys: 'temp.sync_rkeys',
  expected: 'temp.sync_expected',
  missed: 'temp.sync_missed',
  // Merging (merge/)
  /** The three-way merge per key: (k…, lh, rh, lchg, rchg, kind, action, winner). */
  plan: 'temp.sync_plan',
  /** Plan rows whose baseline moves (pushed, pulled, or agreed). */
  moved: 'temp.sync_moved',
  /** Source rows of one apply step (push or pull), with their keys. */
  apply: 'temp.sync_apply',
  /** Keyless tables: each distinct row's count locally, remotely, and the plan of target counts. */
  kl: 'temp.sync_kl',
  kr: 'temp.sync_kr',
  kplan: 'temp.sync_kplan',
  // Full copies and schema changes (full/, catalog/)
  /** The local table's identities before a full pull replaces it (to count removed rows). */
  old_rows: 'temp.sync_old_rows',
  /** A full pull by difference (replaceByDifference.ts): the remote's keys and row hashes, and the keys that differ. */
  fr: 'temp.sync_fr',
  fd: 'temp.sync_fd',
  /** Values of local-only columns, kept by key through a full pull. */
  extra: 'temp.sync_extra',
  /** Values of added columns, by key, to fill them on the other side. */
  newcols: 'temp.sync_newcols',
  /** Local changes a full pull is about to discard (state/discardedChanges.ts). */
  changed_keys: 'temp.sync_changed_keys',
  local_changes: 'temp.sync_local_changes',
  // A partial replica after a push (state/baseline.ts dropOutsideScope)
  /** Keys (keyless: fingerprints) of the pushed local rows outside the scope, which leave the local copy. */
  outside: 'temp.sync_outside',
  // Restoring a kept conflict (conflicts/restoreConflict.ts)
  /** The losing version (or the key) of one conflict record, typed as the table's columns. */
  restore_row: 'temp.sync_restore_row',
  // Adopting a baseline of another DuckDB release (engineUpgrade.ts)
  rehash_l: 'temp.sync_rehash_l',
  rehash_keys: 'temp.sync_rehash_keys',
  rehash_rrows: 'temp.sync_rehash_rrows',
} as const;
