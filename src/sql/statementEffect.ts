import type { StatementType } from '@duckdb/node-api';
import { duckdb } from '../duckdb/duckdbApi.js';
import type { ParsedStatement } from './sqlParser.js';
import type { TableRef } from './tableRef.js';

/** DuckDB's statement types (values; the type is imported above). */
const Statement = duckdb.StatementType;

/**
 * What running one statement does to the local database: reads only, writes some tables ('all'
 * when they cannot be told), or opens / ends an explicit transaction.
 */
export type StatementEffect = { kind: 'read' } | { kind: 'write'; tables: TableRef[] | 'all' } | { kind: 'begin' | 'commit' | 'rollback' };

const READ: StatementEffect = { kind: 'read' };
const WRITE_ALL: StatementEffect = { kind: 'write', tables: 'all' };

/** Statement types that always write, with targets the parser may name. */
const DML = new Set<StatementType>([Statement.INSERT, Statement.UPDATE, Statement.DELETE, Statement.MERGE_INTO]);
/** Statement types that write or read depending on the statement: the parse decides. */
const DDL = new Set<StatementType>([Statement.CREATE, Statement.ALTER, Statement.DROP]);
/** Statement types whose targets can never be told: a prepared statement, an import, a plan. */
const OPAQUE = new Set<StatementType>([Statement.EXECUTE, Statement.COPY_DATABASE, Statement.MULTI, Statement.LOGICAL_PLAN, Statement.INVALID]);

/**
 * Combines DuckDB's statement type (the authority on whether a statement writes) with the parse
 * of the statement (for the tables it writes). `parsed` is undefined when the text did not parse
 * or the parser and DuckDB count its statements differently; writes then mark 'all' tables.
 *
 * TRUNCATE is typed DELETE; `IMPORT DATABASE` is typed TRANSACTION (a write of 'all'); EXPLAIN
 * is a read except `EXPLAIN ANALYZE` of a write, which runs it.
 */
export function statementEffect(type: StatementType, parsed: ParsedStatement | undefined): StatementEffect {
  const write = parsed?.kind === 'write' ? parsed : undefined;
  const targets: StatementEffect = write && write.targets !== 'unknown' ? { kind: 'write', tables: write.targets } : WRITE_ALL;
  if (DML.has(type)) return targets;
  if (OPAQUE.has(type)) return WRITE_ALL;
  if (type === Statement.COPY || DDL.has(type)) {
    // COPY … FROM writes, COPY … TO reads; CREATE VIEW / SCHEMA / SEQUENCE / MACRO… write no table.
    if (!parsed) return WRITE_ALL;
    return write ? targets : READ;
  }
  if (type === Statement.TRANSACTION) {
    const kind = parsed?.kind;
    return kind === 'begin' || kind === 'commit' || kind === 'rollback' ? { kind } : WRITE_ALL;
  }
  if (type === Statement.EXPLAIN) return write ? targets : READ;
  return READ;
}
