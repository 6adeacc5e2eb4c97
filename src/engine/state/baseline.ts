import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { qualify, quoteIdent } from '../../duckdb/quote.js';
import { engineRowHash } from '../rows/fingerprint.js';
import { writeHashProbe } from './hashes/hashProbe.js';
import { baselineRowFp, rowFp } from '../rows/fingerprintScheme.js';
import { TEMP } from '../rows/tempTables.js';
import { localHashesSql } from '../rows/hashedDifference.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import { keyInInternal, keyInUser, kList, kMatch, kMatchUser, kSelect } from '../rows/keySql.js';
import { STATE_SCHEMA, tableExists } from './internalNames.js';
import { dropKeylessJournal } from './keylessPushJournal.js';
import { dropJournal } from './pushJournal.js';
import { dropOwnLogged } from './ownLogged.js';
import { type TablePair, localRef, remoteRows } from '../catalog/tablePair.js';
import { columnSignature } from '../catalog/columnSignature.js';
import type { TableInfo } from '../catalog/catalog.js';
import { localColumnsChanged } from '../catalog/columnChanges.js';
import type { TableMetadata } from '../api.js';

/**
 * The baseline of a table pair: what it looked like at its last successful sync, one fingerprint
 * per row. Tables with a key keep (k0…kn, h); tables without one keep (h, n): each distinct row's
 * hash with its count, so duplicates are compared as a multiset. `h` is DuckDB's hash() of the
 * local row; with a MotherDuck remote the canonical fingerprint `f` is kept too (see
 * fingerprintScheme.ts).
 */

export function baselineTableName(pair: TablePair): string {
  return `baseline_${createHash('sha1').update(pair.name).digest('hex').slice(0, 16)}`;
}

/** The baseline's columns for the rows of a local user table (aliased `t`). */
function baselineSelect(pair: TablePair, scheme: FingerprintScheme, side: 'local' | 'remote' = 'local'): string {
  const h = engineRowHash(
    pair.columns.map((c) => (side === 'local' ? c.local : c.remote)),
    't',
  );
  const f = scheme === 'canonical' ? `, ${rowFp(pair, side, scheme, 't')} AS f` : '';
  return pair.key.length ? `${kSelect(pair, side, 't')}, ${h} AS h${f}` : `${h} AS h${f}, count(*) AS n`;
}

/**
 * The baseline of the rows both sides hold alike (writeBaseline's `common`): the remote's keys and
 * fingerprints are read first, on their own (a statement reaching the server computes only its
 * fingerprints), then matched with the local rows'.
 */
async function writeCommonBaseline(db: Database, pair: TablePair, scheme: FingerprintScheme, name: string): Promise<void> {
  const remote = remoteRows(db, pair);
  const local = localRef(db, pair);
  const rf = rowFp(pair, 'remote', scheme, 'r');
  if (pair.key.length) {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.rfp} AS SELECT ${kSelect(pair, 'remote', 'r')}, ${rf} AS __f FROM ${remote} r`);
    await db.run(
      `CREATE OR REPLACE TABLE ${qualify(STATE_SCHEMA, name)} AS SELECT ${baselineSelect(pair, scheme, 'local')} FROM ${local} t
         SEMI JOIN ${TEMP.rfp} x ON ${kMatchUser(pair, 'local', 't', 'x')} AND ${rowFp(pair, 'local', scheme, 't')} = x.__f`,
    );
  } else {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.rfp} AS SELECT ${rf} AS f, count(*) AS n FROM ${remote} r GROUP BY 1`);
    await db.run(
      `CREATE OR REPLACE TABLE ${qualify(STATE_SCHEMA, name)} AS SELECT l.* EXCLUDE (n), least(l.n, r.n) AS n
         FROM (SELECT ${baselineSelect(pair, scheme, 'local')} FROM ${local} t GROUP BY ALL) l JOIN ${TEMP.rfp} r ON r.f = l.${baselineRowFp(scheme)}`,
    );
  }
  await db.run(`DROP TABLE ${TEMP.rfp}`);
}

/**
 * Rebuilds the baseline from the local table's current content (inside the caller's transaction).
 * `from: 'remote'` reads the same rows from a file remote instead, right after they were copied
 * with identical column types: the same hashes, but DuckDB scans the committed remote table on
 * every thread, while the uncommitted local rows are scanned on one. `from: { hashed }`: a table of
 * the keys and row hashes (k…, h) computed already, for a keyed table under the engine scheme.
 * `from: 'common'` (the remote attached): only the rows both sides hold alike, by the scheme's
 * fingerprint (keyed: same key and fingerprint; keyless: the fewer copies of each row), so that
 * whatever differs is a change to sync, never taken for synced.
 */
export async function writeBaseline(db: Database, pair: TablePair, scheme: FingerprintScheme, from: 'local' | 'remote' | 'common' | { hashed: string } = 'local'): Promise<string> {
  const name = baselineTableName(pair);
  if (from === 'common') {
    await writeCommonBaseline(db, pair, scheme, name);
  } else if (typeof from === 'object' && pair.key.length && scheme === 'engine') {
    // Keys and row hashes computed already (k…, h): the baseline's columns exactly.
    await db.run(`CREATE OR REPLACE TABLE ${qualify(STATE_SCHEMA, name)} AS SELECT ${kList(pair)}, h FROM ${from.hashed}`);
  } else {
    const side = from === 'remote' && scheme === 'engine' ? 'remote' : 'local';
    const source = side === 'remote' ? remoteRows(db, pair) : localRef(db, pair);
    await db.run(
      `CREATE OR REPLACE TABLE ${qualify(STATE_SCHEMA, name)} AS SELECT ${baselineSelect(pair, scheme, side)} FROM ${source} t${pair.key.length ? '' : ' GROUP BY ALL'}`,
    );
  }
  await writeHashProbe(db, pair, name);
  // A new baseline knows every version the local holds: nothing pushed earlier is pending any more.
  await dropJournal(db, name);
  await dropKeylessJournal(db, name);
  await dropOwnLogged(db, name);
  return name;
}

/**
 * Moves the baseline of the keys listed in `keysTable` (an internal table with k0…kn) to their new
 * versions (inside the caller's local transaction): the hashes given, or else the rows of
 * `pushedRows` for the keys found there (the versions a push sent, snapshotted when they were
 * compared: the library may have written them again since) and the local table's rows for the others.
 */
export async function moveBaselineKeys(
  db: Database,
  pair: TablePair,
  scheme: FingerprintScheme,
  baselineTable: string,
  keysTable: string,
  /** SQL over `keysTable` giving each key's new row hash (NULL: deleted), when known without the local table. */
  hashes?: string,
  /** A table of local rows (the user's columns) whose versions the new baseline takes, for the keys it holds. */
  pushedRows?: string,
): Promise<void> {
  const baseline = qualify(STATE_SCHEMA, baselineTable);
  const local = localRef(db, pair);
  await db.run(`DELETE FROM ${baseline} b WHERE ${keyInInternal(pair, 'b', keysTable)}`);
  if (scheme === 'engine' && hashes) {
    // The plan already knows each moved key's new hash: no need to read the local table again.
    await db.run(`INSERT INTO ${baseline} SELECT ${kList(pair)}, ${hashes} FROM ${keysTable} WHERE ${hashes} IS NOT NULL`);
    return;
  }
  const rows = pushedRows
    ? `(SELECT * FROM ${pushedRows} UNION ALL SELECT * FROM ${local} l WHERE NOT EXISTS (SELECT 1 FROM ${pushedRows} p WHERE ${pair.key.map((k) => `p.${quoteIdent(k)} IS NOT DISTINCT FROM l.${quoteIdent(k)}`).join(' AND ')}))`
    : local;
  await db.run(
    `INSERT INTO ${baseline} SELECT ${baselineSelect(pair, scheme)} FROM ${rows} t
      WHERE ${keyInUser(pair, 'local', 't', keysTable)}`,
  );
}

/**
 * The baseline table to compare the local table with, when one exists and was computed over the
 * same columns by this DuckDB release (hash() is only promised stable within a release; a baseline
 * of another release is first adopted by engineUpgrade.ts).
 */
export async function usableBaseline(
  db: Database,
  pair: TablePair,
  scheme: FingerprintScheme,
  meta: TableMetadata | undefined,
  engineVersion: string,
): Promise<string | undefined> {
  if (!meta?.baselineTable || meta.columnSignature !== columnSignature(pair, scheme) || meta.engineVersion !== engineVersion) return undefined;
  return (await baselineExists(db, meta.baselineTable)) ? meta.baselineTable : undefined;
}

/**
 * The baseline a sync of the table compares with: none when the local table lost a column or (with
 * a key) gained one since the baseline was written, else usableBaseline's answer.
 */
export async function comparedBaseline(
  db: Database,
  pair: TablePair,
  localInfo: TableInfo | undefined,
  scheme: FingerprintScheme,
  meta: TableMetadata | undefined,
  engineVersion: string,
): Promise<string | undefined> {
  if (!localInfo || localColumnsChanged(localInfo, meta?.columnSignature, pair.key.length > 0)) return undefined;
  return usableBaseline(db, pair, scheme, meta, engineVersion);
}

/**
 * Keyless tables: sets the baseline to the agreed count of each row the plan (`from.plan`,
 * merge/syncKeylessTable.ts) changed (inside the caller's local transaction). Rows new to the
 * baseline exist locally or among the rows just read from the remote (`from.remoteRows`).
 */
export async function moveKeylessBaseline(db: Database, pair: TablePair, scheme: FingerprintScheme, baselineTable: string, from: { plan: string; remoteRows: string }): Promise<void> {
  const baseline = qualify(STATE_SCHEMA, baselineTable);
  const local = localRef(db, pair);
  const localCols = pair.columns.map((c) => quoteIdent(c.local)).join(', ');
  const lf = rowFp(pair, 'local', scheme, 't');
  const bf = baselineRowFp(scheme);
  await db.run(`UPDATE ${baseline} b SET n = p.new_b FROM ${from.plan} p WHERE b.${bf} = p.f AND p.bn > 0`);
  await db.run(`DELETE FROM ${baseline} WHERE n = 0`);
  const h = engineRowHash(
    pair.columns.map((c) => c.local),
    't',
  );
  const fCol = scheme === 'canonical' ? `, ${lf} AS f` : '';
  const fresh = `(SELECT f FROM ${from.plan} WHERE bn = 0 AND new_b > 0)`;
  await db.run(
    `INSERT INTO ${baseline}
     SELECT x.h${scheme === 'canonical' ? ', x.f' : ''}, p.new_b FROM ${from.plan} p
       JOIN (SELECT ${h} AS h${fCol}, ${lf} AS __f
               FROM (SELECT ${localCols} FROM ${local} t WHERE ${lf} IN ${fresh} UNION ALL SELECT ${localCols} FROM ${from.remoteRows}) t
              QUALIFY row_number() OVER (PARTITION BY __f) = 1) x ON x.__f = p.f
      WHERE p.bn = 0 AND p.new_b > 0`,
  );
}

/** Whether the baseline table exists. */
export async function baselineExists(db: Database, baselineTable: string): Promise<boolean> {
  return tableExists(db, STATE_SCHEMA, baselineTable);
}

/** The baseline table, qualified, for the comparisons that read it. */
export function baselineRef(baselineTable: string): string {
  return qualify(STATE_SCHEMA, baselineTable);
}

/**
 * A partial replica after a push: the local rows outside its scope that the cloud now holds as the
 * baseline does (pushed, and not written again since: an application may keep writing while a push
 * runs) leave the local copy and the baseline together, in one local transaction; the next sync's
 * filtered read of the cloud does not hold them either. Keyless tables: every copy of such a row,
 * when the local table holds as many copies as the baseline. `localFilter` is the scope over the
 * local columns. Returns the rows that left.
 */
export async function dropOutsideScope(db: Database, pair: TablePair, scheme: FingerprintScheme, baselineTable: string, localFilter: string): Promise<number> {
  const local = localRef(db, pair);
  const baseline = qualify(STATE_SCHEMA, baselineTable);
  const outside = `NOT coalesce(${localFilter}, false)`;
  return db.transaction(async () => {
    if (pair.key.length) {
      await db.run(
        `CREATE OR REPLACE TEMP TABLE ${TEMP.outside} AS
           SELECT x.* EXCLUDE (h) FROM (${localHashesSql(db, pair)} WHERE ${outside}) x
             JOIN ${baseline} b ON ${kMatch(pair, 'x', 'b')} AND x.h = b.h`,
      );
      await db.run(`DELETE FROM ${baseline} b WHERE ${keyInInternal(pair, 'b', TEMP.outside)}`);
      return db.run(`DELETE FROM ${local} t WHERE ${keyInUser(pair, 'local', 't', TEMP.outside)}`);
    }
    const lf = rowFp(pair, 'local', scheme, 't');
    const bf = baselineRowFp(scheme);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${TEMP.outside} AS
         SELECT o.f FROM (SELECT ${lf} AS f, count(*) AS n FROM ${local} t WHERE ${outside} GROUP BY 1) o JOIN ${baseline} b ON b.${bf} = o.f AND b.n = o.n`,
    );
    await db.run(`DELETE FROM ${baseline} b WHERE b.${bf} IN (SELECT f FROM ${TEMP.outside})`);
    return db.run(`DELETE FROM ${local} t WHERE ${lf} IN (SELECT f FROM ${TEMP.outside})`);
  });
}
