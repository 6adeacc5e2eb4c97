import { qualify, quoteLiteral } from '../../duckdb/quote.js';
import { commentObjectSql, createObjectSql, nextValue, sequenceSettings } from './objectDdl.js';
import type { ObjectChange } from './objectChange.js';
import { objectKey, objectName, type SchemaObject } from './schemaObject.js';
import { OBJECT_KINDS, type ObjectSide } from '../api.js';

export interface ObjectRules {
  localCatalog: string;
  remoteCatalog: string;
  /** The sync may write local objects (not a push-only sync). */
  pull: boolean;
  /** The sync may write the remote (not pull-only, not a read-only remote). */
  push: boolean;
  /** Objects created or changed locally that the config pushes (pushObjects). */
  pushes: (name: string) => boolean;
  excluded: (name: string) => boolean;
  /** The remote holds sequences (not a DuckLake database): otherwise a pushed sequence stays local. */
  remoteSequences: boolean;
}

/**
 * The three-way plan for the catalogs' objects, against the definitions both sides had when the
 * last sync ended (`baseline`, objectKey → definition):
 * - on the remote only: created locally; on the local side only: pushed when the config says so,
 *   otherwise left alone (a user's scratch views survive every sync);
 * - changed on the remote only: re-created locally; changed locally only: pushed when the config
 *   says so, otherwise kept; changed on both sides, or different with no baseline: reported, the
 *   local version kept (never overwritten silently);
 * - comments follow the remote where it has one; a sequence is advanced on the side that is
 *   behind, so that neither hands out a value the other already used.
 */
export function planObjects(remote: SchemaObject[], local: SchemaObject[], baseline: ReadonlyMap<string, string>, rules: ObjectRules): ObjectChange[] {
  const localByKey = new Map(local.map((o) => [objectKey(o), o]));
  const remoteByKey = new Map(remote.map((o) => [objectKey(o), o]));
  const changes: ObjectChange[] = [];
  // In a stable order (the catalogs list their objects in no promised order): by kind, then by name.
  remote = inOrder(remote);
  local = inOrder(local);
  const create = (side: ObjectSide, o: SchemaObject, action: 'create' | 'replace', detail: string): void => {
    if (side === 'remote' && o.kind === 'sequence' && !rules.remoteSequences) {
      changes.push({ ...target(o), side: 'local', action: 'differs', detail: 'left local: a DuckLake database holds no sequences (a column drawing from it gets its values locally)' });
      return;
    }
    const catalog = side === 'local' ? rules.localCatalog : rules.remoteCatalog;
    changes.push({ ...target(o), side, action, sql: createObjectSql(catalog, o), detail, settles: [objectKey(o), o.definition] });
    const comment = o.comment === null ? undefined : commentObjectSql(catalog, o, o.comment);
    if (comment) changes.push({ ...target(o), side, action: 'comment', sql: comment, detail: 'comment set' });
  };
  for (const r of remote) {
    const name = objectName(r);
    if (rules.excluded(name)) continue;
    const key = objectKey(r);
    const l = localByKey.get(key);
    const before = baseline.get(key);
    if (!l) {
      if (rules.pull) create('local', r, 'create', 'created locally from the remote');
      continue;
    }
    if (l.kind !== r.kind) {
      changes.push({ ...target(l), side: 'local', action: 'differs', detail: `the remote's ${name} is a ${r.kind}; the local ${l.kind} is kept` });
      continue;
    }
    if (l.definition === r.definition) {
      changes.push(...commentChanges(r, l, rules), ...sequenceSteps(r, l, rules));
      continue;
    }
    if (r.kind === 'sequence') {
      changes.push({ ...target(l), side: 'local', action: 'differs', detail: `settings differ from the remote's (${describeSequence(r)}); a sequence a table draws from cannot be re-created: kept` });
      changes.push(...sequenceSteps(r, l, rules));
    } else if (before === l.definition) {
      if (rules.pull) create('local', r, 'replace', 'its definition changed on the remote: re-created locally');
    } else if (before === r.definition) {
      if (rules.push && rules.pushes(name)) create('remote', l, 'replace', 'its definition changed locally: re-created on the remote');
    } else {
      const why = before === undefined ? 'differs from the remote\'s' : 'changed on both sides';
      changes.push({ ...target(l), side: 'local', action: 'differs', detail: `${why}; the local definition is kept (drop it locally to take the remote's)` });
    }
  }
  for (const l of local) {
    const name = objectName(l);
    if (remoteByKey.has(objectKey(l)) || rules.excluded(name)) continue;
    if (rules.push && rules.pushes(name)) create('remote', l, 'create', 'created on the remote (pushObjects)');
  }
  return changes;
}

/** Schemas, sequences, views, macros, table macros (OBJECT_KINDS), each by schema and name. */
function inOrder(objects: SchemaObject[]): SchemaObject[] {
  const rank = (o: SchemaObject): number => OBJECT_KINDS.indexOf(o.kind);
  return [...objects].sort((a, b) => rank(a) - rank(b) || a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name));
}

function target(o: SchemaObject): Pick<ObjectChange, 'kind' | 'name' | 'before'> {
  return { kind: o.kind, name: objectName(o), before: o.kind === 'schema' || o.kind === 'sequence' };
}

function commentChanges(r: SchemaObject, l: SchemaObject, rules: ObjectRules): ObjectChange[] {
  if (r.comment === l.comment) return [];
  if (r.comment !== null && rules.pull) {
    const sql = commentObjectSql(rules.localCatalog, l, r.comment);
    return sql ? [{ ...target(l), side: 'local', action: 'comment', sql, detail: 'comment taken from the remote' }] : [];
  }
  if (r.comment === null && rules.push && rules.pushes(objectName(l))) {
    const sql = commentObjectSql(rules.remoteCatalog, r, l.comment);
    return sql ? [{ ...target(l), side: 'remote', action: 'comment', sql, detail: 'comment pushed' }] : [];
  }
  return [];
}

/** Advances the sequence of the side that is behind (ascending sequences; nextval, as DuckDB cannot restart one). */
function sequenceSteps(r: SchemaObject, l: SchemaObject, rules: ObjectRules): ObjectChange[] {
  if (r.kind !== 'sequence') return [];
  const increment = BigInt(sequenceSettings(r).increment);
  if (increment <= 0n || BigInt(sequenceSettings(l).increment) !== increment) return [];
  const [rn, ln] = [nextValue(r), nextValue(l)];
  if (rn === undefined || ln === undefined) return [];
  const advance = (side: ObjectSide, o: SchemaObject, to: bigint, from: bigint): ObjectChange => {
    const catalog = side === 'local' ? rules.localCatalog : rules.remoteCatalog;
    const steps = (to - from + increment - 1n) / increment;
    return {
      ...target(o),
      side,
      action: 'advance',
      sql: `SELECT max(nextval(${quoteLiteral(qualify(catalog, o.schema, o.name))})) FROM range(${steps})`,
      detail: `next value ${from} → ${to}, as on the ${side === 'local' ? 'remote' : 'local side'}`,
    };
  };
  if (rn > ln && rules.pull) return [advance('local', l, rn, ln)];
  if (ln > rn && rules.push) return [advance('remote', r, ln, rn)];
  return [];
}

function describeSequence(o: SchemaObject): string {
  const s = sequenceSettings(o);
  return `INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max}${s.cycle ? ' CYCLE' : ''}`;
}
