import { asRecord, tableRefFromAst, type TableRef } from './tableRef.js';
import { readRowWrite, type RowWrite } from './rowWrite.js';
import { keyword, readTokens, type Token } from './sqlTokens.js';
import { updateParts } from './updateParts.js';

/**
 * What the DuckDB-dialect parser reads in one statement. `write`: the statement changes table
 * data or structure; `targets` are the tables it writes, or 'unknown' when the statement is
 * write-shaped but its targets cannot be read from the AST.
 */
export type ParsedStatement =
  | { kind: 'write'; targets: TableRef[] | 'unknown'; row?: RowWrite }
  | { kind: 'begin' | 'commit' | 'rollback' }
  | { kind: 'other' };

/** Parses SQL texts with @polyglot-sql/sdk's DuckDB dialect. */
export interface SqlParser {
  /** One entry per statement, in order; undefined when the text does not parse. */
  parse(sql: string): ParsedStatement[] | undefined;
  /** The text of its statements without trailing comments, blanks and semicolons; undefined when it does not tokenize. */
  trimmed(sql: string): string | undefined;
  /**
   * The table reference (`main.t AS x`) and the condition (after WHERE) of a lone `UPDATE … SET …
   * WHERE …` text, as written; undefined when the text is not so shaped.
   */
  updateParts(sql: string): { table: string; condition: string } | undefined;
}

/** The parts of @polyglot-sql/sdk used here, bound to the DuckDB dialect. */
interface Polyglot {
  parse(sql: string): { success: boolean; ast?: unknown[] | null };
  tokenize(sql: string): { success: boolean; tokens?: unknown[] | null };
}


const OTHER: ParsedStatement = { kind: 'other' };
const UNKNOWN_WRITE: ParsedStatement = { kind: 'write', targets: 'unknown' };
/** Write-shaped nodes whose targets are not read here (none of them is DuckDB's). */
const OPAQUE_WRITES = new Set(['multitable_inserts', 'conditional_insert', 'load_data', 'undrop', 'drop_database']);

let loading: Promise<SqlParser> | undefined;

/**
 * The SQL parser, loaded on first use and cached: importing the SDK compiles a 22 MB WASM
 * module (about 130 ms), which callers that never parse should not pay for.
 */
export function loadSqlParser(): Promise<SqlParser> {
  loading ??= import('@polyglot-sql/sdk').then(
    (sdk): SqlParser => {
      const dialect = sdk.Dialect.DuckDB;
      // A parser fault must not fail the application's statement: it reads as text that does not parse.
      const polyglot: Polyglot = {
        parse: (sql) => attempt(() => sdk.parse(sql, dialect)),
        tokenize: (sql) => attempt(() => sdk.tokenize(sql, dialect)),
      };
      return { parse: (sql) => parseText(polyglot, sql), trimmed: (sql) => trimmedText(polyglot, sql), updateParts: (sql) => updateParts(readTokens(polyglot.tokenize(sql)), sql) };
    },
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

function attempt<T extends { success: boolean }>(run: () => T): T | { success: false } {
  try {
    return run();
  } catch {
    return { success: false };
  }
}

/**
 * Parses the whole text; when that fails, parses it statement by statement so that statements
 * the parser does not know but DuckDB does (`END TRANSACTION`, `EXPLAIN ANALYZE INSERT …`) can
 * be read by their keywords. Any other statement that does not parse fails the whole text.
 */
function parseText(polyglot: Polyglot, sql: string): ParsedStatement[] | undefined {
  const whole = polyglot.parse(sql);
  if (whole.success && whole.ast) return whole.ast.map(classify);
  const tokens = readTokens(polyglot.tokenize(sql));
  if (!tokens) return undefined;
  const chars = Array.from(sql);
  const out: ParsedStatement[] = [];
  for (const piece of splitStatements(tokens)) {
    const parsed = parseOne(polyglot, piece, chars) ?? byKeywords(polyglot, piece, chars);
    if (!parsed) return undefined;
    out.push(parsed);
  }
  return out;
}

function trimmedText(polyglot: Polyglot, sql: string): string | undefined {
  const last = readTokens(polyglot.tokenize(sql))?.filter((t) => t.type !== 'SEMICOLON').at(-1);
  return last ? Array.from(sql).slice(0, last.end).join('') : undefined;
}


/** The statement spelled by `tokens`, when the parser reads exactly one statement there. */
function parseOne(polyglot: Polyglot, tokens: Token[], chars: string[]): ParsedStatement | undefined {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (!first || !last) return undefined;
  const result = polyglot.parse(chars.slice(first.start, last.end).join(''));
  const [node, ...more] = result.success && result.ast ? result.ast : [];
  return node !== undefined && more.length === 0 ? classify(node) : undefined;
}


/** Token runs between semicolons; empty statements (`;;`) are skipped, as DuckDB does. */
function splitStatements(tokens: Token[]): Token[][] {
  const pieces: Token[][] = [[]];
  for (const t of tokens) {
    if (t.type === 'SEMICOLON') pieces.push([]);
    else pieces[pieces.length - 1]?.push(t);
  }
  return pieces.filter((p) => p.length > 0);
}


/** Reads, by their keywords, the DuckDB statements the parser rejects. */
function byKeywords(polyglot: Polyglot, tokens: Token[], chars: string[]): ParsedStatement | undefined {
  const words = tokens.map(keyword);
  const [first, second] = words;
  if (tokens.length <= 2 && (tokens.length === 1 || second === 'TRANSACTION' || second === 'WORK')) {
    const kind = transactionKeyword(first);
    if (kind) return { kind };
  }
  if (first === 'EXPLAIN') return explainAnalyze(polyglot, tokens, words, chars);
  if (first === 'DROP') {
    // DROP MACRO [TABLE], DROP [TEMPORARY|PERSISTENT] SECRET, DROP FUNCTION: no table data.
    const object = second === 'TEMP' || second === 'TEMPORARY' || second === 'PERSISTENT' ? words[2] : second;
    if (object === 'MACRO' || object === 'SECRET' || object === 'FUNCTION') return OTHER;
  }
  return undefined;
}

function transactionKeyword(word: string | undefined): 'commit' | 'rollback' | undefined {
  if (word === 'END' || word === 'COMMIT') return 'commit';
  if (word === 'ABORT' || word === 'ROLLBACK') return 'rollback';
  return undefined;
}

/**
 * `EXPLAIN ANALYZE <statement>` (or `EXPLAIN (ANALYZE, …) <statement>`) runs the statement, so
 * it writes what the statement writes; plain EXPLAIN runs nothing.
 */
function explainAnalyze(polyglot: Polyglot, tokens: Token[], words: (string | undefined)[], chars: string[]): ParsedStatement | undefined {
  let rest = 1;
  let analyze = false;
  if (words[1] === 'ANALYZE') {
    analyze = true;
    rest = 2;
  } else if (tokens[1]?.type === 'L_PAREN') {
    const close = tokens.findIndex((t, i) => i > 1 && t.type === 'R_PAREN');
    if (close < 0) return undefined;
    analyze = words.slice(2, close).includes('ANALYZE');
    rest = close + 1;
  }
  if (!analyze) return OTHER;
  const inner = parseOne(polyglot, tokens.slice(rest), chars);
  if (!inner) return UNKNOWN_WRITE;
  return inner.kind === 'write' ? inner : OTHER;
}

/** Classifies one statement node of the polyglot-sql AST (`{ <kind>: body }`). */
function classify(node: unknown): ParsedStatement {
  const entries = Object.entries(asRecord(node) ?? {});
  const [entry] = entries;
  if (!entry || entries.length !== 1) return OTHER;
  const [kind, value] = entry;
  const body = asRecord(value) ?? {};
  switch (kind) {
    case 'insert':
    case 'update':
    case 'delete':
    {
      const parsed = write([body.table]);
      const row = parsed.kind === 'write' ? readRowWrite(kind, body) : undefined;
      return parsed.kind === 'write' && row ? { ...parsed, row } : parsed;
    }
    case 'merge':
      return write([tableOf(body.this)]);
    case 'copy':
      // `kind` is true for COPY … FROM (loads the table), false for COPY … TO (reads it).
      return body.kind === true ? write([tableOf(body.this)]) : OTHER;
    case 'create_table':
      return createTable(body);
    case 'alter_table':
      return alterTable(body);
    case 'drop_table':
      return write(Array.isArray(body.names) ? body.names : []);
    case 'truncate': {
      const extra = Array.isArray(body.extra_tables) ? body.extra_tables.map((e) => asRecord(e)?.table) : [];
      return write([body.table, ...extra]);
    }
    case 'truncate_table':
      return write(Array.isArray(body.expressions) ? body.expressions.map(tableOf) : []);
    case 'drop_schema':
      // CASCADE drops the schema's tables, which the AST does not name.
      return body.cascade === true ? UNKNOWN_WRITE : OTHER;
    case 'transaction':
      return { kind: 'begin' };
    case 'commit':
      return { kind: 'commit' };
    case 'rollback':
      return { kind: 'rollback' };
    case 'command':
      // `END` parses as a command; `END TRANSACTION` does not parse (see byKeywords).
      return typeof body.this === 'string' && /^\s*END\s*$/i.test(body.this) ? { kind: 'commit' } : OTHER;
    case 'column':
      // `ABORT` parses as a bare column reference, `ABORT WORK` as that column aliased WORK.
      return bareWord(node) === 'ABORT' ? { kind: 'rollback' } : OTHER;
    case 'alias': {
      const alias = asRecord(body.alias);
      const work = alias?.quoted !== true && typeof alias?.name === 'string' && alias.name.toUpperCase() === 'WORK';
      return work && bareWord(body.this) === 'ABORT' ? { kind: 'rollback' } : OTHER;
    }
    case 'describe': {
      // EXPLAIN ANALYZE runs its statement.
      const inner = typeof body.style === 'string' && body.style.toUpperCase() === 'ANALYZE' ? classify(body.target) : OTHER;
      return inner.kind === 'write' ? inner : OTHER;
    }
    case 'raw':
      // Statements the parser passes through unread: macros and secrets hold no table data.
      return typeof body.sql === 'string' && /^\s*CREATE\s+(OR\s+REPLACE\s+)?((TEMP|TEMPORARY|PERSISTENT)\s+)?(MACRO|FUNCTION|SECRET)\b/i.test(body.sql)
        ? OTHER
        : UNKNOWN_WRITE;
    default:
      return OPAQUE_WRITES.has(kind) ? UNKNOWN_WRITE : OTHER;
  }
}

/** The upper-cased name of an unquoted, unqualified column reference node. */
function bareWord(node: unknown): string | undefined {
  const column = asRecord(asRecord(node)?.column);
  const name = asRecord(column?.name);
  if (!column || column.table != null || name?.quoted === true || typeof name?.name !== 'string') return undefined;
  return name.name.toUpperCase();
}

/** A write of the given table reference nodes; 'unknown' when any of them cannot be read. */
function write(nodes: unknown[]): ParsedStatement {
  const targets: TableRef[] = [];
  for (const node of nodes) {
    const ref = tableRefFromAst(node);
    if (!ref) return UNKNOWN_WRITE;
    targets.push(ref);
  }
  return targets.length ? { kind: 'write', targets } : UNKNOWN_WRITE;
}

/** The table reference node inside a FROM-like expression: `t`, `t AS x`, `t(a, b)`. */
function tableOf(expr: unknown): unknown {
  const e = asRecord(expr);
  if (!e) return undefined;
  if (e.table !== undefined) return e.table;
  const wrapper = asRecord(e.alias) ?? asRecord(e.schema);
  return wrapper ? tableOf(wrapper.this) : undefined;
}

function createTable(body: Record<string, unknown>): ParsedStatement {
  const ref = tableRefFromAst(body.name);
  if (!ref) return UNKNOWN_WRITE;
  return { kind: 'write', targets: [body.temporary === true ? { ...ref, temporary: true } : ref] };
}

/** ALTER TABLE writes its table; RENAME TO also writes the new name, in the same schema. */
function alterTable(body: Record<string, unknown>): ParsedStatement {
  const ref = tableRefFromAst(body.name);
  if (!ref) return UNKNOWN_WRITE;
  const targets = [ref];
  for (const action of Array.isArray(body.actions) ? body.actions : []) {
    const renamed = asRecord(action)?.RenameTable;
    if (renamed === undefined) continue;
    const to = tableRefFromAst(renamed);
    if (!to) return UNKNOWN_WRITE;
    targets.push(to.schema === undefined ? { ...ref, name: to.name } : to);
  }
  return { kind: 'write', targets };
}
