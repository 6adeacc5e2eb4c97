import type { Database } from '../../db/database.js';
import { qualify, quoteIdent } from '../../duckdb/quote.js';
import { writeBaseline } from '../state/baseline.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import { type TablePair, localRef, remoteTable } from '../catalog/tablePair.js';
import { tableBodySql } from '../catalog/localSchema.js';
import { recordTableSuccess } from '../state/tableMetadata.js';
import { committedParts, endPartedPush, markPart, partFilter, startPartedPush, type PartedPush } from '../state/partedPush.js';
import type { TableResult } from '../api.js';

/** Rows of a part are spread by hash: parts are sized at this share of the limit, so that none exceeds it. */
const PART_FILL = 0.9;

/**
 * Creates a table that exists only locally on the remote (same columns, types and key, mapped
 * names) and copies its rows: one remote transaction, then one local transaction for the baseline.
 * A crash in between leaves equal tables on both sides and no baseline: the next sync compares
 * them in full and finds nothing to change.
 *
 * A table with more rows than one remote transaction may write (`transactionRows`) goes in parts,
 * each its own remote transaction (state/partedPush.ts); a run cut short between parts is finished
 * by the next one (`resumePushNewTable`), each part pushed exactly once.
 */
export async function pushNewTable(db: Database, pair: TablePair, scheme: FingerprintScheme, engineVersion: string, transactionRows: number | undefined): Promise<TableResult> {
  const [count] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${localRef(db, pair)}`);
  const rows = Number(count?.n ?? 0);
  // The part's rows and its marker row.
  const perPart = transactionRows === undefined ? Infinity : Math.max(1, Math.floor((transactionRows - 1) * PART_FILL));
  const job = rows > perPart ? await startPartedPush(db, pair, Math.ceil(rows / perPart)) : undefined;
  return pushParts(db, pair, scheme, engineVersion, job, false);
}

/** Finishes a first push in parts that a run cut short (`job`, as readPartedPush found it). */
export async function resumePushNewTable(db: Database, pair: TablePair, job: PartedPush, scheme: FingerprintScheme, engineVersion: string): Promise<TableResult> {
  return pushParts(db, pair, scheme, engineVersion, job, true);
}

async function pushParts(db: Database, pair: TablePair, scheme: FingerprintScheme, engineVersion: string, job: PartedPush | undefined, resumed: boolean): Promise<TableResult> {
  const remote = remoteTable(db, pair);
  const local = localRef(db, pair);
  let warnings: string[] = [];
  const insert = `INSERT INTO ${remote} (${pair.columns.map((c) => quoteIdent(c.remote)).join(', ')}) SELECT ${pair.columns.map((c) => `t.${quoteIdent(c.local)}`).join(', ')} FROM ${local} t`;
  // Only a resumed job can have parts on the remote already.
  const done = job && resumed ? await db.withRemote(true, () => committedParts(db, job)) : new Set<number>();
  let rowsPushed = 0;
  for (let part = 0; part < (job?.parts ?? 1); part++) {
    if (done.has(part)) continue;
    rowsPushed += await db.withRemote(false, () =>
      db.transaction(async () => {
        // Known once attached: a DuckLake database gets no constraints (tableBodySql).
        const body = tableBodySql(pair, 'remote', db.remote.storage);
        warnings = body.warnings;
        if (!resumed && part === 0) {
          await db.run(`CREATE SCHEMA IF NOT EXISTS ${qualify(db.remote.catalog, pair.remote.schema)}`);
          await db.run(`CREATE TABLE ${remote} ${body.sql}`);
        }
        if (!job) return db.run(insert);
        const n = await db.run(`${insert} WHERE ${partFilter(pair)}`, [String(part), String(job.parts)]);
        await markPart(db, pair, job, part);
        return n;
      }),
    );
    if (job) db.logger.debug(`${pair.name}: part ${part + 1}/${job.parts} of its first push committed`);
  }
  // A resumed push's baseline holds the rows both sides hold alike: the local table may have changed
  // since the parts an earlier run pushed, and what differs is left for the next sync to find.
  const finish = async (): Promise<number> => {
    const rowCount = resumed ? Number((await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${remote}`))[0]?.n ?? 0) : rowsPushed;
    await db.transaction(async () => {
      const baselineTable = await writeBaseline(db, pair, scheme, resumed ? 'common' : 'local');
      await recordTableSuccess(db, pair, scheme, engineVersion, {
        mode: 'full',
        direction: 'push',
        rowsPulled: 0,
        rowsPushed,
        rowsDeleted: 0,
        conflicts: 0,
        rowCount,
        cursorColumn: null,
        watermark: null,
        baselineTable,
      });
      if (job) await endPartedPush(db, pair);
    });
    return rowCount;
  };
  const rowCount = resumed ? await db.withRemote(true, finish) : await finish();
  const parted = job ? [`pushed in ${job.parts} parts of at most ${Math.ceil(rowCount / job.parts)} rows or so, each its own remote transaction${resumed ? ` (${done.size} committed by an earlier run)` : ''}`] : [];
  return { name: pair.name, status: 'ok', rowsPulled: 0, rowsPushed, rowsDeleted: 0, conflicts: 0, warnings: [resumed ? 'its first push, cut short earlier, finished' : 'created on the remote', ...parted, ...warnings] };
}
