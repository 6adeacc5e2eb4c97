/** The catalog alias under which remotes are attached (MotherDuck's own naming comes with its remote). */
export const REMOTE_ALIAS = 'duckdb_sync_remote';
