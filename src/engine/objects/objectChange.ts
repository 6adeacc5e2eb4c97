import type { ObjectKind } from './schemaObject.js';

/** What a sync does to one object, or reports about it. */
export type ObjectAction = 'create' | 'replace' | 'comment' | 'advance' | 'set default' | 'set not null' | 'add primary key' | 'differs';

/** The side an action changes (`differs`: the side that keeps its version). */
export type ObjectSide = 'local' | 'remote';

/**
 * One planned step for one object: a statement for one side, or (`differs`) a difference that is
 * reported and not applied. `before` steps run before the tables (schemas, sequences: a table's
 * DEFAULT may draw from one), the others after (views and macros read the tables).
 */
export interface ObjectChange {
  kind: ObjectKind | 'table';
  /** How users name the object (`reporting.daily`; a table's column as `table.column`). */
  name: string;
  side: ObjectSide;
  action: ObjectAction;
  /** The statement; absent for `differs`. */
  sql?: string | undefined;
  /** Why, or what is not applied, in words. */
  detail: string;
  before: boolean;
  /** The baseline entry (objectKey → definition) the change makes true once applied. */
  settles?: [string, string] | undefined;
}

/** What happened to one object change. The `--json` contract exposes these fields. */
export interface ObjectResult {
  kind: ObjectChange['kind'];
  name: string;
  side: ObjectSide;
  action: ObjectAction;
  /** ok: applied; planned: a dry run's; reported: a difference left as it is; error: it failed (the tables went on). */
  status: 'ok' | 'planned' | 'reported' | 'error';
  detail: string;
  error?: string;
}
