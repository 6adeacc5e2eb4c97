import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import type { TableInfo } from '../catalog/catalog.js';
import { canonicalRowFingerprint, engineRowHash } from '../rows/fingerprint.js';
import { kMatch, kSelect } from '../rows/keySql.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import { replacesByDifference } from './replaceByDifference.js';
import { type TablePair, localRef, remoteRows } from '../catalog/tablePair.js';
import { type TableResult, emptyTableResult } from '../api.js';

/** What a full pull of one table would do, without changing anything (the remote must be attached). */
export async function planFullTable(db: Database, pair: TablePair, localInfo: TableInfo | undefined, scheme: FingerprintScheme): Promise<TableResult> {
  if (localInfo && replacesByDifference(pair, localInfo, scheme)) {
    // Written as the difference (replaceByDifference.ts): the keys whose rows differ.
    const hashes = (side: 'local' | 'remote', from: string): string =>
      `SELECT ${kSelect(pair, side, 't')}, ${engineRowHash(
        pair.columns.map((c) => (side === 'local' ? c.local : c.remote)),
        't',
      )} AS h FROM ${from} t`;
    const [d] = await db.all<{ pulled: bigint; deleted: bigint }>(
      `SELECT count(*) FILTER (WHERE r.h IS NOT NULL AND l.h IS DISTINCT FROM r.h) AS pulled, count(*) FILTER (WHERE r.h IS NULL) AS deleted
         FROM (${hashes('local', localRef(db, pair))}) l FULL JOIN (${hashes('remote', remoteRows(db, pair))}) r ON ${kMatch(pair, 'l', 'r')}`,
    );
    return { ...emptyTableResult(pair.name, 'planned'), rowsPulled: Number(d?.pulled ?? 0), rowsDeleted: Number(d?.deleted ?? 0), warnings: ['replaces the local content'] };
  }
  const [count] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${remoteRows(db, pair)}`);
  return {
    ...emptyTableResult(pair.name, 'planned'),
    rowsPulled: Number(count?.n ?? 0),
    rowsDeleted: localInfo ? await countLocalRowsNotOnRemote(db, pair, localInfo) : 0,
    warnings: [localInfo ? 'replaces the local content' : 'creates the local table'],
  };
}

/** Local rows with no equal on the remote: by key, or by canonical fingerprint as a multiset. */
async function countLocalRowsNotOnRemote(db: Database, pair: TablePair, localInfo: TableInfo): Promise<number> {
  // Columns the remote has and the local table lacks are added (empty) by the sync: count as if they were NULL.
  const localCols = new Set(localInfo.columns.map((c) => c.name));
  const added = pair.columns.filter((c) => !localCols.has(c.local)).map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.local)}`);
  const table = localRef(db, pair);
  const local = added.length ? `(SELECT *, ${added.join(', ')} FROM ${table})` : table;
  const remote = remoteRows(db, pair);
  let sql: string;
  if (pair.key.length) {
    const remoteOf = new Map(pair.columns.map((c) => [c.local, c.remote]));
    const match = pair.key.map((k) => `r.${quoteIdent(remoteOf.get(k) ?? k)} = l.${quoteIdent(k)}`).join(' AND ');
    sql = `SELECT count(*) AS n FROM ${local} l WHERE NOT EXISTS (SELECT 1 FROM ${remote} r WHERE ${match})`;
  } else {
    const fp = (side: 'local' | 'remote'): string =>
      canonicalRowFingerprint(pair.columns.map((c) => ({ name: side === 'local' ? c.local : c.remote, type: c.type })));
    sql = `SELECT coalesce(sum(greatest(l.n - coalesce(r.n, 0), 0)), 0) AS n
             FROM (SELECT ${fp('local')} AS f, count(*) AS n FROM ${local} GROUP BY f) l
             LEFT JOIN (SELECT ${fp('remote')} AS f, count(*) AS n FROM ${remote} GROUP BY f) r USING (f)`;
  }
  const [row] = await db.all<{ n: bigint }>(sql);
  return Number(row?.n ?? 0);
}
