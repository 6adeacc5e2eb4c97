import type { Database } from '../../db/database.js';
import { qualify, quoteIdent } from '../../duckdb/quote.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';
import { kJson, kMatchUser, rowJson } from '../rows/keySql.js';
import { CONFLICTS_TABLE, STATE_SCHEMA } from './internalNames.js';
import { readStateVersion } from './stateValues.js';
import { duckdb } from '../../duckdb/duckdbApi.js';
import type { ConflictRecord, ConflictStatus } from '../api.js';

/**
 * `dewey_sync_conflicts`: every version a sync let lose, kept. Each record has a stable `id`, and a
 * `status`: `open`, then `restored` (its losing version written back locally) or `dismissed`;
 * records dealt with are purged after the retention period. Every statement on the table but the
 * full pull's (discardedChanges.ts) is here.
 */

const T = quoteIdent(CONFLICTS_TABLE);

/** The state version that gave records an id and a status (stateTables.ts migration 4). */
export const CONFLICT_IDS_VERSION = 4;


/**
 * Records every conflict of the plan (`from.plan`, merge/mergePlan.ts) with both versions: the local
 * one (before the pull replaces it) and the remote one (`from.remoteRows`, the remote rows read).
 * Runs inside the caller's local transaction. Returns the rows written.
 */
export async function recordConflicts(db: Database, pair: TablePair, policy: string, runId: string | undefined, from: { plan: string; remoteRows: string }): Promise<number> {
  const local = localRef(db, pair);
  return db.run(
    `INSERT INTO ${T} (id, table_name, key_json, local_version, remote_version, copies, policy, winner, run_id)
     SELECT ${NEXT_CONFLICT_ID}, $1, ${kJson(pair, 'p')},
            (SELECT ${rowJson(pair, 't')} FROM ${local} t WHERE ${kMatchUser(pair, 'local', 't', 'p')}),
            (SELECT ${rowJson(pair, 't')} FROM ${from.remoteRows} t WHERE ${kMatchUser(pair, 'local', 't', 'p')}),
            1, $2, p.winner, $3
       FROM ${from.plan} p WHERE p.kind = 'conflict' AND p.action <> 'skip'`,
    [pair.name, policy, runId ?? null],
  );
}

export interface ConflictFilter {
  /** Only these tables (local names). */
  tables?: string[] | undefined;
  /** Only conflicts detected at or after this time. */
  since?: Date | undefined;
  /** Restored and dismissed records too (default: open ones only). */
  includeDismissed?: boolean | undefined;
  /** Only these ids. */
  ids?: number[] | undefined;
}

/** The kept conflicts, newest first; none before the first sync. */
export async function readConflicts(db: Database, filter: ConflictFilter = {}): Promise<ConflictRecord[]> {
  if ((await readStateVersion(db)) < CONFLICT_IDS_VERSION || filter.ids?.length === 0) return [];
  const rows = await db.all<{
    id: bigint;
    table_name: string;
    key_json: string | null;
    local_version: string | null;
    remote_version: string | null;
    copies: bigint;
    policy: string;
    winner: string;
    detected_ms: bigint;
    status: string;
    resolved_ms: bigint | null;
  }>(
    `SELECT id, table_name, key_json, CAST(local_version AS VARCHAR) AS local_version, CAST(remote_version AS VARCHAR) AS remote_version,
            copies, policy, winner, epoch_ms(detected_at) AS detected_ms, status, epoch_ms(resolved_at) AS resolved_ms
       FROM ${T}
      WHERE ($1 OR status = 'open')
        AND ($2::VARCHAR[] IS NULL OR list_contains($2::VARCHAR[], table_name))
        AND ($3::TIMESTAMPTZ IS NULL OR detected_at >= $3::TIMESTAMPTZ)
        AND ($4::BIGINT[] IS NULL OR list_contains($4::BIGINT[], id))
      ORDER BY detected_at DESC, id DESC`,
    [
      filter.includeDismissed === true || filter.ids !== undefined,
      filter.tables?.length ? duckdb.listValue(filter.tables) : null,
      filter.since ? filter.since.toISOString() : null,
      filter.ids ? duckdb.listValue(filter.ids.map((i) => BigInt(i))) : null,
    ],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    table: r.table_name,
    keyJson: r.key_json,
    localJson: r.local_version,
    remoteJson: r.remote_version,
    copies: Number(r.copies),
    policy: r.policy,
    winner: r.winner === 'local' ? 'local' : 'remote',
    detectedAt: new Date(Number(r.detected_ms)),
    status: r.status as ConflictStatus,
    resolvedAt: r.resolved_ms === null ? null : new Date(Number(r.resolved_ms)),
  }));
}

/** Marks records restored or dismissed (inside the caller's transaction when there is one). Returns the records marked. */
export async function markConflicts(db: Database, ids: number[], status: Exclude<ConflictStatus, 'open'>): Promise<number> {
  if (!ids.length) return 0;
  return db.run(`UPDATE ${T} SET status = $1, resolved_at = now() WHERE list_contains($2::BIGINT[], id)`, [status, duckdb.listValue(ids.map((i) => BigInt(i)))]);
}

/** Open records per table, for `status`. */
export async function openConflictCounts(db: Database): Promise<Map<string, number>> {
  if ((await readStateVersion(db)) < CONFLICT_IDS_VERSION) return new Map();
  const rows = await db.all<{ table_name: string; n: bigint }>(`SELECT table_name, count(*) AS n FROM ${T} WHERE status = 'open' GROUP BY table_name`);
  return new Map(rows.map((r) => [r.table_name, Number(r.n)]));
}

/** Deletes the records restored or dismissed more than `days` days ago. Returns how many. */
export async function purgeResolvedConflicts(db: Database, days: number): Promise<number> {
  if ((await readStateVersion(db)) < CONFLICT_IDS_VERSION) return 0;
  return db.run(`DELETE FROM ${T} WHERE status <> 'open' AND resolved_at < now() - to_days(CAST($1 AS INTEGER))`, [days]);
}

/** The table's columns as state version 1 created them (stateTables.ts); version 4 adds id, status, resolved_at. */
export const CONFLICT_COLUMNS_V1 = `table_name VARCHAR NOT NULL, key_json VARCHAR, local_version JSON, remote_version JSON,
  copies BIGINT NOT NULL DEFAULT 1, policy VARCHAR NOT NULL, winner VARCHAR NOT NULL,
  detected_at TIMESTAMPTZ NOT NULL DEFAULT now(), run_id VARCHAR`;

/** The sequence that hands out conflict ids. */
const IDS = qualify(STATE_SCHEMA, 'conflict_ids');

/** The id of a new record (in the select list of every INSERT into the table: it has no such DEFAULT, see below). */
export const NEXT_CONFLICT_ID = `nextval('${IDS.replace(/'/g, "''")}')`;

/**
 * Migration 4: the table gets `id`, `status` and `resolved_at`, existing records numbered 1…n by
 * age. It is rebuilt (created anew, filled, renamed), not altered: DuckDB 1.5 cannot replay the WAL
 * of an ALTER on a table with a function DEFAULT (`detected_at DEFAULT now()`), and for the same
 * reason `id` takes no `DEFAULT nextval(…)`: inserts name NEXT_CONFLICT_ID.
 */
export async function addConflictIds(db: Database): Promise<void> {
  const next = quoteIdent(`${CONFLICTS_TABLE}_v4`);
  const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${T}`);
  await db.run(`CREATE SEQUENCE IF NOT EXISTS ${IDS} START ${(row?.n ?? 0n) + 1n}`);
  await db.run(`CREATE TABLE ${next} (id BIGINT NOT NULL, ${CONFLICT_COLUMNS_V1}, status VARCHAR NOT NULL DEFAULT 'open', resolved_at TIMESTAMPTZ)`);
  await db.run(
    `INSERT INTO ${next} (id, table_name, key_json, local_version, remote_version, copies, policy, winner, detected_at, run_id)
     SELECT row_number() OVER (ORDER BY detected_at, rowid), table_name, key_json, local_version, remote_version, copies, policy, winner, detected_at, run_id FROM ${T}`,
  );
  await db.run(`DROP TABLE ${T}`);
  await db.run(`ALTER TABLE ${next} RENAME TO ${T}`);
}
