import type { Row } from '../db/database.js';
import type { StatementEffect } from '../sql/statementEffect.js';

/** The outcome of one statement: its rows (queries) and the number of rows it changed (writes). */
export interface StatementResult {
  /** read, write, or a transaction statement (begin, commit, rollback). */
  kind: StatementEffect['kind'];
  columns: string[];
  rows: Row[];
  rowsChanged: number;
  /** Display names of the tables marked dirty by this statement (`*`: all tables). */
  marked: string[];
}
