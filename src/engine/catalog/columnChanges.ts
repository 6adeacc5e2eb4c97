import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../duckdb/quote.js';
import type { TableInfo } from './catalog.js';
import { kMatchUser, kSelect } from '../rows/keySql.js';
import { type ColumnPair, type TablePair, localRef, remoteRows, remoteTable } from './tablePair.js';
import { TEMP } from '../rows/tempTables.js';
import { withPushStage } from '../state/remote/pushStage.js';

/** How a pair's columns changed since the baseline was written (ARCHITECTURE.md decision 8). */
export interface ColumnChanges {
  /** The pair narrowed to the columns the baseline was computed over, when only additions happened. */
  narrowed: TablePair | undefined;
  /** Columns the remote added (local name), to add locally and fill from the remote. */
  addedRemote: ColumnPair[];
  /** Columns the local side added, to add on the remote and fill from the local side. */
  addedLocal: ColumnPair[];
  /** Columns both sides added since: filled from the remote. */
  addedBoth: ColumnPair[];
  /** Changes that are not applied: dropped columns, type changes, a different key. */
  destructive: string[];
}

interface Signature {
  columns: Array<[string, string]>;
  key: string[];
}

/** Compares the pair (remote columns) and the local table with the baseline's column signature. */
export function analyzeColumns(pair: TablePair, localInfo: TableInfo, signatureJson: string): ColumnChanges {
  const signature = JSON.parse(signatureJson) as Signature;
  const before = new Map(signature.columns);
  const remote = new Map(pair.columns.map((c) => [c.local, c]));
  const local = new Map(localInfo.columns.map((c) => [c.name, c]));
  const destructive: string[] = [];
  for (const [name, type] of before) {
    if (!remote.has(name)) destructive.push(`column ${name} was dropped on the remote`);
    else if (remote.get(name)?.type !== type) destructive.push(`column ${name} changed type on the remote (${type} → ${remote.get(name)?.type})`);
    if (!local.has(name)) destructive.push(`column ${name} was dropped locally`);
    else if (local.get(name)?.type !== type) destructive.push(`column ${name} changed type locally (${type} → ${local.get(name)?.type})`);
  }
  if (JSON.stringify(signature.key) !== JSON.stringify(pair.key)) destructive.push(`the key changed (${signature.key.join(', ')} → ${pair.key.join(', ')})`);
  const added = pair.columns.filter((c) => !before.has(c.local));
  const remoteToLocal = new Map(Object.entries(pair.settings.columns ?? {}));
  const addedLocal = localInfo.columns
    .filter((c) => !before.has(c.name) && !remote.has(c.name))
    .map((c) => ({ local: c.name, remote: remoteToLocal.get(c.name) ?? c.name, type: c.type, notNull: false }));
  const narrowedColumns = signature.columns.map(([name]) => remote.get(name)).filter((c): c is ColumnPair => c !== undefined);
  return {
    narrowed: destructive.length ? undefined : { ...pair, columns: narrowedColumns },
    addedRemote: added.filter((c) => !local.has(c.local)),
    addedLocal,
    addedBoth: added.filter((c) => local.has(c.local)),
    destructive,
  };
}

/**
 * True when a column the baseline was computed over is missing locally (dropped), or, for tables
 * with a key, the local table has a column the baseline does not (added locally; tables without a
 * key do not take added columns incrementally). The pair describes the remote's columns, so
 * without this check a local-only schema change would never reach analyzeColumns.
 */
export function localColumnsChanged(localInfo: TableInfo, signatureJson: string | null | undefined, keyed: boolean): boolean {
  if (!signatureJson) return false;
  const before = new Set((JSON.parse(signatureJson) as Signature).columns.map(([name]) => name));
  const local = new Set(localInfo.columns.map((c) => c.name));
  if ([...before].some((name) => !local.has(name))) return true;
  return keyed && [...local].some((name) => !before.has(name));
}

/** The pair with the columns added locally, as they will be on the remote. */
export function widenedPair(pair: TablePair, changes: ColumnChanges): TablePair {
  return { ...pair, columns: [...pair.columns, ...changes.addedLocal] };
}

/** Adds the local side's new columns on the remote and copies their values (a remote transaction). */
export async function addColumnsOnRemote(db: Database, pair: TablePair, columns: ColumnPair[]): Promise<void> {
  if (!columns.length) return;
  const remote = remoteTable(db, pair);
  const local = localRef(db, pair);
  await db.withRemote(false, () =>
    db.transaction(async () => {
      for (const c of columns) await db.run(`ALTER TABLE ${remote} ADD COLUMN ${quoteIdent(c.remote)} ${c.type}`);
      await copyColumns(db, pair, columns, { target: remote, targetSide: 'remote', source: local, sourceSide: 'local' });
    }),
  );
}

/** Adds the remote's new columns locally and copies their values (inside a local transaction). */
export async function addColumnsLocally(db: Database, pair: TablePair, added: ColumnPair[], addedBoth: ColumnPair[]): Promise<void> {
  const local = localRef(db, pair);
  for (const c of added) await db.run(`ALTER TABLE ${local} ADD COLUMN ${quoteIdent(c.local)} ${c.type}`);
  await copyColumns(db, pair, [...added, ...addedBoth], { target: local, targetSide: 'local', source: remoteRows(db, pair), sourceSide: 'remote' });
}

async function copyColumns(
  db: Database,
  pair: TablePair,
  columns: ColumnPair[],
  t: { target: string; targetSide: 'local' | 'remote'; source: string; sourceSide: 'local' | 'remote' },
): Promise<void> {
  if (!columns.length) return;
  const name = (c: ColumnPair, side: 'local' | 'remote'): string => quoteIdent(side === 'local' ? c.local : c.remote);
  const values = `SELECT ${kSelect(pair, t.sourceSide, 's')}, ${columns.map((c, i) => `s.${name(c, t.sourceSide)} AS v${i}`).join(', ')} FROM ${t.source} s`;
  const update = (from: string): Promise<number> =>
    db.run(
      `UPDATE ${t.target} AS x SET ${columns.map((c, i) => `${name(c, t.targetSide)} = n.v${i}`).join(', ')}
         FROM ${from} n WHERE ${kMatchUser(pair, t.targetSide, 'x', 'n')}`,
    );
  // An UPDATE of the remote reads only remote tables: the values go up through a stage first.
  if (t.targetSide === 'remote') {
    await withPushStage(db, values, update);
    return;
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE ${TEMP.newcols} AS ${values}`);
  await update(TEMP.newcols);
}
