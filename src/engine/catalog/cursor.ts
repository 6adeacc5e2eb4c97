import { quoteIdent } from '../../duckdb/quote.js';
import { ConfigError } from '../../errors.js';
import type { TablePair } from './tablePair.js';

/** Column names tried, in order, when a table's cursor column is not configured. */
export const CURSOR_CANDIDATES = ['updated_at', 'last_updated', 'modified_at', 'updated', 'created_at'];

/** Seconds re-read before the watermark, so that rows committed late are not missed. */
export const CURSOR_LAG_SECONDS = 300;

export interface CursorState {
  /** Local column name (the column of the rows read into temp tables). */
  column: string;
  remoteColumn: string;
  type: string;
  /** Largest cursor value synced so far, as text; null before the first sync. */
  watermark: string | null;
  /** Last sequence number of the remote change log seen (state/remote/changeLog.ts); null: none yet. */
  logSeq: number | null;
}

const TIME_TYPES = /^(TIMESTAMP|DATE)/;
const NUMBER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL|DOUBLE|FLOAT)/;

/** The pair's cursor column: configured, or the first candidate with a time or number type. */
export function findCursorColumn(pair: TablePair): { column: string; remoteColumn: string; type: string } | undefined {
  const usable = (type: string): boolean => TIME_TYPES.test(type) || NUMBER_TYPES.test(type);
  if (pair.settings.cursor) {
    const c = pair.columns.find((x) => x.local === pair.settings.cursor);
    if (!c) throw new ConfigError(`tables.${pair.name}.cursor names column "${pair.settings.cursor}", which the table does not have`, 'name a timestamp or number column');
    if (!usable(c.type)) throw new ConfigError(`tables.${pair.name}.cursor: column "${c.local}" has type ${c.type}`, 'a cursor column must be a timestamp, date or number');
    return { column: c.local, remoteColumn: c.remote, type: c.type };
  }
  for (const name of CURSOR_CANDIDATES) {
    const c = pair.columns.find((x) => x.local === name && usable(x.type));
    if (c) return { column: c.local, remoteColumn: c.remote, type: c.type };
  }
  return undefined;
}

/**
 * The pair's cursor with what the last sync recorded of it (`recorded`: the table's metadata),
 * undefined without a cursor column. A cursor column other than the recorded one starts afresh.
 */
export function cursorState(pair: TablePair, recorded: { cursorColumn: string | null; watermark: string | null; logSeq: number | null } | undefined): CursorState | undefined {
  const found = findCursorColumn(pair);
  if (!found) return undefined;
  const same = recorded?.cursorColumn === found.column;
  return { ...found, watermark: same ? (recorded?.watermark ?? null) : null, logSeq: same ? (recorded?.logSeq ?? null) : null };
}

/**
 * WHERE condition reading remote rows (alias `alias`, remote column names) at or after the
 * watermark minus the lag window, plus rows whose cursor is NULL. The watermark is parameter
 * `param` ($1 unless given).
 */
export function cursorFilter(cursor: CursorState, alias: string, param = '$1'): { sql: string; params: string[] } {
  const col = `${alias}.${quoteIdent(cursor.remoteColumn)}`;
  if (cursor.watermark === null) return { sql: 'true', params: [] };
  return { sql: `(${col} >= ${windowStart(cursor, `CAST(${param} AS ${cursor.type})`)} OR ${col} IS NULL)`, params: [cursor.watermark] };
}

/**
 * The probe's view of a cursor (remoteProbe.ts), as two WHERE conditions on remote rows (alias
 * `alias`), the watermark being parameter `param`: `past`, rows whose cursor moved beyond the
 * watermark (any such row means the table may have changed: counted, never read); `window`, the rows
 * an incremental sync re-reads though they may be unchanged (the lag window up to the watermark, and
 * NULL cursors), whose fingerprints are compared with the baseline. Both keep the cursor's range
 * pushed into the scan. Null without a watermark (the sync reads everything).
 */
export function cursorProbe(cursor: CursorState, alias: string, param: string): { past: string; window: string } | null {
  if (cursor.watermark === null) return null;
  const col = `${alias}.${quoteIdent(cursor.remoteColumn)}`;
  const watermark = `CAST(${param} AS ${cursor.type})`;
  return { past: `${col} > ${watermark}`, window: `((${col} >= ${windowStart(cursor, watermark)} AND ${col} <= ${watermark}) OR ${col} IS NULL)` };
}

/**
 * WHERE condition on remote rows (alias `alias`) whose cursor says they did not move since the last
 * sync: before the window a sync re-reads. The watermark is parameter `param`. Null without a
 * watermark. A hint only (a cursor can be left alone by a writer): for choosing rows likely to be
 * unchanged, never for deciding what changed.
 */
export function cursorBefore(cursor: CursorState, alias: string, param: string): string | null {
  if (cursor.watermark === null) return null;
  return `${alias}.${quoteIdent(cursor.remoteColumn)} < ${windowStart(cursor, `CAST(${param} AS ${cursor.type})`)}`;
}

/** Where re-reading starts: the watermark minus the lag window for times, the watermark itself for numbers. */
function windowStart(cursor: CursorState, watermark: string): string {
  return TIME_TYPES.test(cursor.type) ? `${watermark} - INTERVAL ${CURSOR_LAG_SECONDS} SECOND` : watermark;
}
