import { qualify, quoteIdent, quoteLiteral } from '../../duckdb/quote.js';
import type { MacroOverload, SchemaObject, SequenceSettings } from './schemaObject.js';

/**
 * The statements that create (or re-create) an object in `catalog`, from its definition in
 * another. The object's own text (a view's query, a macro's body) is DuckDB's rendering of what
 * its author wrote, executed as is, as `COPY FROM DATABASE` does; names are quoted, numbers checked.
 */
export function createObjectSql(catalog: string, o: SchemaObject): string {
  const name = qualify(catalog, o.schema, o.name);
  switch (o.kind) {
    case 'schema':
      return `CREATE SCHEMA IF NOT EXISTS ${qualify(catalog, o.name)}`;
    case 'view':
      return `CREATE OR REPLACE VIEW ${name}${o.definition}`;
    case 'macro':
    case 'table macro': {
      const overloads = JSON.parse(o.definition) as MacroOverload[];
      const table = o.kind === 'table macro' ? 'TABLE ' : '';
      const parts = overloads.map((m) => `(${m.parameters.map((p, i) => `${quoteIdent(p)}${m.types[i] ? ` ${m.types[i]}` : ''}`).join(', ')}) AS ${table}${m.body}`);
      return `CREATE OR REPLACE MACRO ${name}${parts.join(', ')}`;
    }
    case 'sequence': {
      const s = sequenceSettings(o);
      return `CREATE SEQUENCE IF NOT EXISTS ${name} INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} START ${nextValue(o) ?? (BigInt(s.increment) > 0n ? s.min : s.max)} ${s.cycle ? 'CYCLE' : 'NO CYCLE'}`;
    }
  }
}

/** COMMENT ON for an object (schemas take no comment in DuckDB: undefined). */
export function commentObjectSql(catalog: string, o: SchemaObject, comment: string | null): string | undefined {
  const what = { view: 'VIEW', macro: 'MACRO', 'table macro': 'MACRO TABLE', sequence: 'SEQUENCE', schema: undefined }[o.kind];
  if (!what) return undefined;
  return `COMMENT ON ${what} ${qualify(catalog, o.schema, o.name)} IS ${comment === null ? 'NULL' : quoteLiteral(comment)}`;
}

/** COMMENT ON TABLE or COLUMN (`column` given) of a table in `catalog`. */
export function commentTableSql(catalog: string, schema: string, table: string, comment: string | null, column?: string): string {
  const target = column === undefined ? `TABLE ${qualify(catalog, schema, table)}` : `COLUMN ${qualify(catalog, schema, table, column)}`;
  return `COMMENT ON ${target} IS ${comment === null ? 'NULL' : quoteLiteral(comment)}`;
}

/** A sequence's settings, each checked to be an integer before it is written into a statement. */
export function sequenceSettings(o: SchemaObject): SequenceSettings {
  const s = JSON.parse(o.definition) as SequenceSettings;
  for (const v of [s.increment, s.min, s.max]) if (!/^-?\d+$/.test(v)) throw new Error(`sequence ${o.name} has a setting that is not an integer: ${v}`);
  return s;
}

/** The value the sequence's next `nextval` returns; undefined when DuckDB's text did not show it. */
export function nextValue(o: SchemaObject): bigint | undefined {
  return o.next !== null && /^-?\d+$/.test(o.next) ? BigInt(o.next) : undefined;
}
