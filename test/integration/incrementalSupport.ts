import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sync, type SyncOptions } from '../../src/run/sync.js';
import { verify } from '../../src/run/verify.js';
import { query, withDuck } from '../helpers/duck.js';
import { remoteUri } from '../helpers/remoteKinds.js';
import type { SyncResult, TableResult } from '../../src/engine/api.js';

/**
 * Shared set-up for the incremental sync integration tests: a local file and a remote file in a
 * folder of their own, a sync function bound to them, and exact dumps of both sides. The remote
 * file is synced as the kind `DUCKDB_SYNC_TEST_REMOTE` names (test/helpers/remoteKinds.ts): a file
 * remote, or the MotherDuck emulator.
 * Writes made with test/helpers/duck.ts are out-of-band writes by a separate DuckDB connection.
 */

export interface Pair {
  dir: string;
  local: string;
  remote: string;
  /** Config file path, when one was written. */
  config: string | undefined;
  sync(options?: SyncOptions): Promise<SyncResult>;
  /** An incremental two-way sync that must succeed for every table, followed by verify(). */
  syncOk(options?: SyncOptions): Promise<SyncResult>;
  /** verify() over the same pair; asserts ok. */
  verifyOk(): Promise<void>;
}

let counter = 0;

/** A fresh pair of files under `root`; `config` (JSON object) is written to a config file when given. */
export function newPair(root: string, config?: Record<string, unknown>): Pair {
  const dir = join(root, `p${++counter}`);
  mkdirSync(dir);
  const local = join(dir, 'local.duckdb');
  const remote = join(dir, 'remote.duckdb');
  let configPath: string | undefined;
  if (config) {
    configPath = join(dir, 'duckdb-sync.json');
    writeFileSync(configPath, JSON.stringify({ local: 'local.duckdb', remote: remoteUri('remote.duckdb'), ...config }));
  }
  // duckdb-sync's cache (settled tables per local file) stays in the pair's folder.
  const env = { DUCKDB_SYNC_CACHE_DIR: join(dir, 'cache') };
  const base = (): SyncOptions => (configPath ? { config: configPath, cwd: dir, env } : { local, remote: remoteUri(remote), cwd: dir, env });
  const pair: Pair = {
    dir,
    local,
    remote,
    config: configPath,
    sync: (options = {}) => sync({ ...base(), ...options }),
    syncOk: async (options = {}) => {
      const r = await sync({ ...base(), mode: 'incremental', ...options });
      assert.equal(r.ok, true, `sync failed: ${JSON.stringify(r.tables)}`);
      for (const t of r.tables) assert.equal(t.status, 'ok', `table ${t.name}: ${JSON.stringify(t)}`);
      if ((options.direction ?? 'both') === 'both' && options.dryRun !== true) await pair.verifyOk();
      return r;
    },
    verifyOk: async () => {
      const v = await verify(base());
      assert.equal(v.ok, true, `verify: ${JSON.stringify(v.tables)}`);
    },
  };
  return pair;
}

/** The result of one table, by name. */
export function table(result: SyncResult, name: string): TableResult {
  const t = result.tables.find((x) => x.name === name);
  assert.ok(t, `no result for ${name}: ${JSON.stringify(result.tables)}`);
  return t;
}

/** status and the four counts of one table's result, for exact comparisons. */
export function counts(result: SyncResult, name: string): { status: string; pulled: number; pushed: number; deleted: number; conflicts: number } {
  const t = table(result, name);
  return { status: t.status, pulled: t.rowsPulled, pushed: t.rowsPushed, deleted: t.rowsDeleted, conflicts: t.conflicts };
}

/** Rows of a table (JSON-safe values) in a deterministic order. */
export function rows(path: string, tableName: string, orderBy = 'ALL'): Promise<Array<Record<string, unknown>>> {
  return query(path, `SELECT * FROM ${tableName} ORDER BY ${orderBy}`);
}

/**
 * Every user table of a file: columns (name, type, nullability), primary key and every row.
 * duckdb-sync's own tables (the _duckdb_sync schema, dewey_sync_*) are left out unless `withState`.
 */
export async function dump(path: string, withState = false): Promise<Record<string, unknown>> {
  return withDuck(path, async (q) => {
    const tables = await q.json(
      'SELECT schema_name AS s, table_name AS t FROM duckdb_tables() WHERE NOT internal AND NOT temporary ORDER BY schema_name, table_name',
    );
    const out: Record<string, unknown> = {};
    for (const { s, t } of tables as Array<{ s: string; t: string }>) {
      if (!withState && (s === '_duckdb_sync' || (s === 'main' && t.startsWith('dewey_sync_')))) continue;
      out[`${s}.${t}`] = {
        columns: await q.json(
          'SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE schema_name = $1 AND table_name = $2 ORDER BY column_index',
          [s, t],
        ),
        key: await q.json("SELECT constraint_column_names AS c FROM duckdb_constraints() WHERE schema_name = $1 AND table_name = $2 AND constraint_type = 'PRIMARY KEY'", [s, t]),
        rows: await q.json(`SELECT * FROM "${s.replaceAll('"', '""')}"."${t.replaceAll('"', '""')}" ORDER BY ALL`),
      };
    }
    return out;
  });
}

export interface ConflictRow {
  table_name: string;
  key_json: string | null;
  local_version: unknown;
  remote_version: unknown;
  copies: number;
  policy: string;
  winner: string;
  has_time: boolean;
  has_run: boolean;
}

/** dewey_sync_conflicts with the JSON versions parsed, ordered by table and key. */
export async function conflictRows(local: string): Promise<ConflictRow[]> {
  const raw = await query(
    local,
    `SELECT table_name, key_json, CAST(local_version AS VARCHAR) AS lv, CAST(remote_version AS VARCHAR) AS rv, copies, policy, winner,
            detected_at IS NOT NULL AS has_time, run_id IS NOT NULL AS has_run
       FROM dewey_sync_conflicts ORDER BY table_name, key_json, lv NULLS FIRST`,
  );
  return raw.map((r) => ({
    table_name: r.table_name as string,
    key_json: r.key_json as string | null,
    local_version: r.lv === null ? null : (JSON.parse(r.lv as string) as unknown),
    remote_version: r.rv === null ? null : (JSON.parse(r.rv as string) as unknown),
    copies: Number(r.copies),
    policy: r.policy as string,
    winner: r.winner as string,
    has_time: r.has_time as boolean,
    has_run: r.has_run as boolean,
  }));
}
