import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import type { TablePair } from '../catalog/tablePair.js';
import { STATE_SCHEMA } from './internalNames.js';
import { committedPushes, markPush } from './remote/pushMarkers.js';
import { readStateValue } from './stateValues.js';
import { writeStateValue } from './stateTables.js';

/**
 * A first push of a table too large for one remote transaction (full/pushNewTable.ts), in parts:
 * the rows whose hash (of the key, or of the whole row without one) falls in part i of n. Before the
 * first part, the local state records the job (`parted_push:<table>`: its id and number of parts);
 * each part's remote transaction writes `<id>:<i>` into the remote's push markers
 * (remote/pushMarkers.ts) with its rows. So a run cut short between parts
 * leaves parts that committed and parts that did not, and the next run knows which: it pushes the
 * others, never one twice, and only then writes the baseline.
 */
export interface PartedPush {
  id: string;
  parts: number;
}

function stateKey(pair: TablePair): string {
  return `parted_push:${pair.name}`;
}

/** The job left by a run cut short, if any. */
export async function readPartedPush(db: Database, pair: TablePair): Promise<PartedPush | undefined> {
  const value = await readStateValue(db, stateKey(pair));
  return value ? (JSON.parse(value) as PartedPush) : undefined;
}

/** Records a new job in the local state (its own local transaction), before any part reaches the remote. */
export async function startPartedPush(db: Database, pair: TablePair, parts: number): Promise<PartedPush> {
  const job = { id: randomUUID(), parts };
  await db.transaction(() => writeStateValue(db, stateKey(pair), JSON.stringify(job)));
  return job;
}

/** The parts of the job that committed on the remote (the remote must be attached). */
export async function committedParts(db: Database, job: PartedPush): Promise<Set<number>> {
  const ids = await committedPushes(db, `${job.id}:`);
  return new Set(ids.map((id) => Number(id.slice(job.id.length + 1))));
}

/** Inside part i's remote transaction: marks it committed with its rows. */
export async function markPart(db: Database, pair: TablePair, job: PartedPush, part: number): Promise<void> {
  await markPush(db, pair, `${job.id}:${part}`);
}

/** Inside the local transaction that writes the baseline: the job is done. */
export async function endPartedPush(db: Database, pair: TablePair): Promise<void> {
  await db.run(`DELETE FROM ${quoteIdent(STATE_SCHEMA)}.state WHERE key = $1`, [stateKey(pair)]);
}

/**
 * The condition on local rows (alias `t`) of one part, the part's number and the number of parts
 * being parameters `$1` and `$2`: by the key's hash, or the whole row's (copies of a row go together).
 */
export function partFilter(pair: TablePair): string {
  const cols = (pair.key.length ? pair.key : pair.columns.map((c) => c.local)).map((c) => `t.${quoteIdent(c)}`);
  return `hash(${cols.join(', ')}) % CAST($2 AS UBIGINT) = CAST($1 AS UBIGINT)`;
}
