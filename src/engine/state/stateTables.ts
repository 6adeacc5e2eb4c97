import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import { SyncError } from '../../errors.js';
import { addConflictIds, CONFLICT_COLUMNS_V1 } from './conflictLog.js';
import { readStateVersion } from './stateValues.js';
import { CONFLICTS_TABLE, DIRTY_TABLE, METADATA_TABLE, STATE_SCHEMA, STATUS_TABLE } from './internalNames.js';

/** Version of the local state layout (metadata, run history, baselines). Bump with a migration. */
export const STATE_VERSION = 5;

const S = quoteIdent(STATE_SCHEMA);

/** Migrations from version n-1 to n, applied in order inside one transaction. */
const MIGRATIONS: Record<number, (db: Database) => Promise<void>> = {
  1: async (db) => {
    await db.run(`CREATE SCHEMA IF NOT EXISTS ${S}`);
    await db.run(`CREATE TABLE IF NOT EXISTS ${S}.state (key VARCHAR PRIMARY KEY, value VARCHAR)`);
    await db.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(METADATA_TABLE)} (
      table_name VARCHAR PRIMARY KEY,
      remote_table VARCHAR,
      last_sync_time TIMESTAMPTZ,
      last_success_time TIMESTAMPTZ,
      last_sync_mode VARCHAR,
      last_direction VARCHAR,
      status VARCHAR,
      error_message VARCHAR,
      rows_synced BIGINT,
      rows_pulled BIGINT,
      rows_pushed BIGINT,
      rows_deleted BIGINT,
      conflicts BIGINT,
      row_count BIGINT,
      key_columns VARCHAR[],
      cursor_column VARCHAR,
      watermark VARCHAR,
      log_seq BIGINT,
      baseline_table VARCHAR,
      column_signature VARCHAR,
      engine_version VARCHAR
    )`);
    await db.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(STATUS_TABLE)} (
      run_id VARCHAR PRIMARY KEY,
      started_at TIMESTAMPTZ,
      finished_at TIMESTAMPTZ,
      mode VARCHAR,
      direction VARCHAR,
      status VARCHAR,
      tables_total INTEGER,
      tables_failed INTEGER,
      rows_pulled BIGINT,
      rows_pushed BIGINT,
      rows_deleted BIGINT,
      conflicts BIGINT,
      error_message VARCHAR,
      pid INTEGER
    )`);
    await db.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(CONFLICTS_TABLE)} (${CONFLICT_COLUMNS_V1})`);
  },
  // Tables written through the library or `exec` and not pushed yet (dirtyMarks.ts).
  2: async (db) => {
    await db.run(`CREATE SEQUENCE IF NOT EXISTS ${S}.${quoteIdent(`${DIRTY_TABLE}_seq`)}`);
    await db.run(`CREATE TABLE IF NOT EXISTS ${S}.${quoteIdent(DIRTY_TABLE)} (
      seq BIGINT NOT NULL DEFAULT nextval('${STATE_SCHEMA}.${DIRTY_TABLE}_seq'),
      table_name VARCHAR NOT NULL,
      marked_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  },
  // Round trips to the remote per run (latency is a budget: decision 13).
  3: async (db) => {
    await db.run(`ALTER TABLE ${quoteIdent(STATUS_TABLE)} ADD COLUMN IF NOT EXISTS remote_round_trips BIGINT`);
  },
  // Conflicts you can act on: a stable id per record, its status and when it was dealt with (conflictLog.ts).
  4: async (db) => {
    await addConflictIds(db);
  },
  // Partial replicas: the filter a table's baseline was taken with (`tables.<name>.where`).
  5: async (db) => {
    await db.run(`ALTER TABLE ${quoteIdent(METADATA_TABLE)} ADD COLUMN IF NOT EXISTS scope_filter VARCHAR`);
  },
};

/** Creates or migrates duckdb-sync's local tables; refuses state written by a newer version. */
export async function ensureStateTables(db: Database): Promise<void> {
  const current = await readStateVersion(db);
  if (current > STATE_VERSION) {
    throw new SyncError('E_STATE_VERSION', `the local database holds duckdb-sync state version ${current}; this duckdb-sync knows up to ${STATE_VERSION}`, 2, {
      hint: 'upgrade duckdb-sync',
    });
  }
  if (current === STATE_VERSION) return;
  await db.transaction(async () => {
    for (let v = current + 1; v <= STATE_VERSION; v++) await (MIGRATIONS[v] as (db: Database) => Promise<void>)(db);
    await db.run(`INSERT OR REPLACE INTO ${S}.state VALUES ('version', $1)`, [String(STATE_VERSION)]);
  });
}

/** Sets a value in `_duckdb_sync.state` (the tables exist: ensureStateTables ran). */
export async function writeStateValue(db: Database, key: string, value: string): Promise<void> {
  await db.run(`INSERT OR REPLACE INTO ${S}.state VALUES ($1, $2)`, [key, value]);
}
