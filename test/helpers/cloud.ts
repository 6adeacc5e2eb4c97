import { join } from 'node:path';
import { quoteIdent } from '../../src/duckdb/quote.js';
import { withDuck } from './duck.js';
import { liveDatabase, remoteUri, testRemoteKind } from './remoteKinds.js';

/**
 * The cloud side of a test, whatever the remote kind: SQL run on it as another client would (a DuckDB
 * file opened by its own instance, or the live scratch database through MotherDuck), and the URI
 * duckdb-sync is given. Live, every test works in a schema of its own, so tests never see each
 * other's tables; `name()` qualifies a table with it.
 */
export interface Cloud {
  uri: string;
  /** `"schema"."table"` in this test's schema. */
  name(table: string): string;
  /** The table names duckdb-sync reports for this test's tables (`schema.table`, or `table` in main). */
  tableName(table: string): string;
  exec(...statements: string[]): Promise<void>;
  query(sql: string): Promise<Array<Record<string, unknown>>>;
}

let counter = 0;

export async function newCloud(dir: string): Promise<Cloud> {
  const kind = testRemoteKind();
  const live = kind === 'motherduck';
  const schema = live ? `t${process.pid}_${++counter}` : 'main';
  const path = join(dir, 'cloud.duckdb');
  const target = live ? `md:${liveDatabase()}` : path;
  const run = <T>(body: (all: (sql: string) => Promise<Array<Record<string, unknown>>>) => Promise<T>): Promise<T> => withDuck(target, (q) => body((sql) => q.json(sql)));
  if (live) await run((all) => all(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`));
  else await run(async () => undefined);
  return {
    uri: remoteUri(path, kind),
    name: (table) => `${quoteIdent(schema)}.${quoteIdent(table)}`,
    tableName: (table) => (schema === 'main' ? table : `${schema}.${table}`),
    exec: (...statements) =>
      run(async (all) => {
        for (const s of statements) await all(s);
      }),
    query: (sql) => run((all) => all(sql)),
  };
}
