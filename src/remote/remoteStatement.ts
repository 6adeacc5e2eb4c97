import { quoteIdent } from '../duckdb/quote.js';

/**
 * What one SQL text that duckdb-sync sends does to the remote, read from the text. duckdb-sync
 * quotes every identifier (duckdb/quote.ts) and names temp tables `temp.sync_*`, so a table read is
 * what follows FROM, JOIN or USING: remote when its quoted name starts with the remote's catalog,
 * local otherwise (a temp table, or `"schema"."table"` of the local catalog).
 * - `append`: INSERT, or CREATE TABLE … AS: adds rows (MotherDuck documents reading local data here: an upload);
 * - `modify`: DELETE, UPDATE, MERGE: changes rows the server holds; or a `nextval(…)` of a remote
 *   sequence, in any statement (a SELECT too): it advances the sequence;
 * - `ddl`: CREATE, ALTER, DROP, COMMENT, TRUNCATE of remote objects.
 */
export interface RemoteStatement {
  sql: string;
  /** How it writes the remote; undefined when it only reads it. */
  write: 'append' | 'modify' | 'ddl' | undefined;
  /** It reads a local table: a temp table, or a table of the local catalog. */
  readsLocal: boolean;
}

const NAME = '"(?:[^"]|"")*"';
const CHAIN = new RegExp(`${NAME}(?:\\s*\\.\\s*${NAME})*`, 'g');
/** A table read: after FROM, JOIN or USING, a quoted name chain or an unquoted `temp.x`. */
const READ = new RegExp(`\\b(?:FROM|JOIN|USING)\\s+(${NAME}(?:\\s*\\.\\s*${NAME})*|temp\\s*\\.\\s*\\w+)`, 'gi');
const WRITE = new RegExp(
  '^\\s*(?:(INSERT\\s+(?:OR\\s+\\w+\\s+)?INTO)|(DELETE\\s+FROM|UPDATE|MERGE\\s+INTO)|' +
    '(CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TABLE|SCHEMA|VIEW|SEQUENCE|MACRO|TYPE)|ALTER\\s+TABLE|DROP\\s+(?:TABLE|SCHEMA|VIEW|SEQUENCE|MACRO|TYPE)|COMMENT\\s+ON\\s+\\w+|TRUNCATE(?:\\s+TABLE)?))' +
    `(?:\\s+IF\\s+(?:NOT\\s+)?EXISTS)?\\s+(${NAME})`,
  'i',
);

/** The statement as it touches the remote whose catalog is `catalog`; undefined when it does not reach it. */
export function readRemoteStatement(sql: string, catalog: string, params?: unknown): RemoteStatement | undefined {
  const quoted = quoteIdent(catalog);
  const chains = [...sql.matchAll(CHAIN)].map((m) => m[0]);
  const remoteChain = (c: string): boolean => c.startsWith(quoted) && c.length > quoted.length;
  const onDatabase = /^\s*(ATTACH|DETACH)\b/i.test(sql) || (/^\s*(FORCE\s+)?CHECKPOINT|^\s*USE\b/i.test(sql) && sql.includes(quoted));
  const mentionsCatalog = onDatabase || chains.some(remoteChain) || paramsName(params, catalog);
  if (!mentionsCatalog) return undefined;
  // A view's or macro's query is bound in its own catalog (the remote's), whatever it names.
  const definesQuery = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:VIEW|MACRO)\b/i.test(sql);
  const readsLocal = !definesQuery && [...sql.matchAll(READ)].some((m) => !(m[1] ?? '').startsWith(quoted));
  const m = WRITE.exec(sql);
  let write: RemoteStatement['write'];
  if (m && m[4] === quoted) {
    if (m[1]) write = 'append';
    else if (m[2]) write = 'modify';
    else write = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\b[\s\S]*\bAS\s*(?:SELECT|FROM|WITH|\()/i.test(sql) ? 'append' : 'ddl';
  }
  // `nextval('"<catalog>"….')` advances a remote sequence, whatever statement calls it.
  if (!write && new RegExp(`\\bnextval\\s*\\(\\s*'${escapeRegExp(quoted)}\\.`, 'i').test(sql)) write = 'modify';
  return { sql, write, readsLocal };
}

function paramsName(params: unknown, catalog: string): boolean {
  if (Array.isArray(params)) return params.includes(catalog);
  if (params && typeof params === 'object') return Object.values(params).includes(catalog);
  return false;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
