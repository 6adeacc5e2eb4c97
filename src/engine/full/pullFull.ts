import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import { usableBaseline, writeBaseline, baselineRef } from '../state/baseline.js';
import { recordDiscardedChanges, snapshotLocalChanges } from '../state/discardedChanges.js';
import type { TableInfo } from '../catalog/catalog.js';
import type { CursorState } from '../catalog/cursor.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import { engineRowHash } from '../rows/fingerprint.js';
import { ensureLocalTable } from '../catalog/localSchema.js';
import { type TablePair, localRef, remoteRows } from '../catalog/tablePair.js';
import { readOneTableMetadata, recordTableSuccess } from '../state/tableMetadata.js';
import { TEMP } from '../rows/tempTables.js';
import { replaceByDifference, replacesByDifference, restoreExtraColumns, saveExtraColumns, type Difference } from './replaceByDifference.js';
import { hashLocalRows } from '../rows/hashedDifference.js';
import type { PullProgress, TableResult } from '../api.js';

export interface PullFullOptions {
  engineVersion: string;
  scheme: FingerprintScheme;
  runId?: string | undefined;
  /** The conflict policy, recorded with local versions that the replace discards. */
  policy?: string | undefined;
  /** The cursor column, whose largest value becomes the watermark. */
  cursor?: CursorState | undefined;
  /** The remote change log's newest sequence number as the caller read it (null: no log), recorded as seen. */
  logSeq: number | null;
  onProgress?: ((p: PullProgress) => void) | undefined;
}

/**
 * Replaces the local table's content with the remote's in one local transaction, together with
 * its baseline and metadata: an error or a kill mid-copy leaves the old content whole.
 * The remote must be attached.
 */
export async function pullFullTable(db: Database, pair: TablePair, localInfo: TableInfo | undefined, options: PullFullOptions): Promise<TableResult> {
  const local = localRef(db, pair);
  const pairCols = new Set(pair.columns.map((c) => c.local));
  // Columns only the local side has keep their values (by key) through the replace.
  const extra = pair.key.length && localInfo ? localInfo.columns.filter((c) => !pairCols.has(c.name)).map((c) => quoteIdent(c.name)) : [];
  const onProgress = options.onProgress;
  const insert = (sql: string): Promise<number> => (onProgress ? db.runWithProgress(sql, undefined, (p) => onProgress({ table: pair.name, ...p })) : db.run(sql));
  return db.transaction(async () => {
    const byDifference = localInfo !== undefined && replacesByDifference(pair, localInfo, options.scheme);
    const warnings = await ensureLocalTable(db, pair, localInfo);
    // A remote this process reads (a file, whose rows it hashes itself) gives the baseline's hashes
    // when the rows copied have its types (a new table, or one typed alike).
    const hashedHere = db.remote.fingerprints === 'engine' && (!localInfo || pair.columns.every((c) => localInfo.columns.find((l) => l.name === c.local)?.type === c.type));
    if (localInfo) {
      const baseline = await usableBaseline(db, pair, options.scheme, await readOneTableMetadata(db, pair.name), options.engineVersion);
      await snapshotLocalChanges(db, pair, baseline, byDifference ? await hashLocalRows(db, pair) : undefined);
    }
    const { rowsPulled, rowsDeleted, rowCount, baselineTable } = byDifference
      ? await replaceByDifference(db, pair, TEMP.lh, extra, insert, () => writeBaseline(db, pair, options.scheme, hashedHere ? { hashed: TEMP.fr } : 'local'))
      : await replaceWhole(db, pair, localInfo !== undefined, extra, insert, () => writeBaseline(db, pair, options.scheme, hashedHere ? 'remote' : 'local'));
    const conflicts = localInfo ? await recordDiscardedChanges(db, pair, options.policy ?? 'full-sync', options.runId) : 0;
    const watermark = options.cursor ? await maxValue(db, local, options.cursor.column) : null;
    // Recorded as seen: a later read of an older snapshot is then detected (staleSnapshot.ts).
    const { logSeq } = options;
    await recordTableSuccess(db, pair, options.scheme, options.engineVersion, {
      mode: 'full',
      direction: 'pull',
      rowsPulled,
      rowsPushed: 0,
      rowsDeleted,
      conflicts,
      rowCount,
      cursorColumn: options.cursor?.column ?? null,
      watermark,
      logSeq,
      baselineTable,
    });
    if (conflicts) {
      warnings.push(`${conflicts} local change(s) not on the remote were replaced; their versions are kept in dewey_sync_conflicts`);
    }
    return { name: pair.name, status: 'ok', rowsPulled, rowsPushed: 0, rowsDeleted, conflicts, ...(warnings.length ? { warnings } : {}) };
  });
}

/**
 * Deletes every local row (when the table held rows) and copies every remote row; columns only the
 * local side has keep their values by key. `baseline` writes the new baseline.
 */
async function replaceWhole(
  db: Database,
  pair: TablePair,
  existed: boolean,
  extra: string[],
  insert: (sql: string) => Promise<number>,
  baseline: () => Promise<string>,
): Promise<Difference> {
  const local = localRef(db, pair);
  const remote = remoteRows(db, pair);
  if (existed) {
    // What the table held, to count the rows that the remote no longer has.
    await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.old_rows} AS SELECT ${identity(pair)} FROM ${local}`);
    if (extra.length) await saveExtraColumns(db, pair, extra);
    await db.run(`DELETE FROM ${local}`);
  }
  const cols = (side: 'local' | 'remote'): string => pair.columns.map((c) => quoteIdent(side === 'local' ? c.local : c.remote)).join(', ');
  const rowsPulled = await insert(`INSERT INTO ${local} (${cols('local')}) SELECT ${cols('remote')} FROM ${remote}`);
  if (extra.length) await restoreExtraColumns(db, pair, extra);
  const baselineTable = await baseline();
  let rowsDeleted = 0;
  if (existed) {
    rowsDeleted = await countRemoved(db, pair, baselineTable);
    await db.run(`DROP TABLE IF EXISTS ${TEMP.old_rows}`);
  }
  return { rowsPulled, rowsDeleted, rowCount: rowsPulled, baselineTable };
}

/** Key columns for keyed tables, the row hash otherwise: what identifies a row. */
function identity(pair: TablePair): string {
  if (pair.key.length) return pair.key.map((k, i) => `${quoteIdent(k)} AS ${quoteIdent(`k${i}`)}`).join(', ');
  return `${engineRowHash(pair.columns.map((c) => c.local))} AS h`;
}

/** Rows of the old content that the new content lacks (by key, or by row as a multiset). */
async function countRemoved(db: Database, pair: TablePair, baselineTable: string): Promise<number> {
  const baseline = baselineRef(baselineTable);
  const sql = pair.key.length
    ? `SELECT count(*) AS n FROM (SELECT ${pair.key.map((_k, i) => quoteIdent(`k${i}`)).join(', ')} FROM ${TEMP.old_rows} EXCEPT SELECT ${pair.key
        .map((_k, i) => quoteIdent(`k${i}`))
        .join(', ')} FROM ${baseline})`
    : `SELECT coalesce(sum(greatest(o.n - coalesce(b.n, 0), 0)), 0) AS n
         FROM (SELECT h, count(*) AS n FROM ${TEMP.old_rows} GROUP BY h) o LEFT JOIN ${baseline} b USING (h)`;
  const [row] = await db.all<{ n: bigint }>(sql);
  return Number(row?.n ?? 0);
}

async function maxValue(db: Database, table: string, column: string): Promise<string | null> {
  const [row] = await db.all<{ m: string | null }>(`SELECT CAST(max(${quoteIdent(column)}) AS VARCHAR) AS m FROM ${table}`);
  return row?.m ?? null;
}
