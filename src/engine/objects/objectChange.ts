import type { ObjectAction, ObjectKind, ObjectSide } from '../api.js';

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

