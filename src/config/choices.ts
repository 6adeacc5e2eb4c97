/** The values of the enumerated settings (CLI choices and config file alike). */
export const CONFLICT_POLICIES = ['remote-wins', 'local-wins', 'newest-wins', 'fail'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

export const SYNC_MODES = ['full', 'incremental'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
