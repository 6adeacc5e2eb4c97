import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

/**
 * Opens a DuckDB file (as another client would), runs `body`, and closes it again so the file is
 * free for the code under test.
 */
export async function withDuck<T>(path: string, body: (q: DuckHandle) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  const handle: DuckHandle = {
    run: async (sql, params) => {
      await connection.run(sql, params);
    },
    all: async (sql, params) => (await connection.runAndReadAll(sql, params)).getRowObjectsJS() as Array<Record<string, unknown>>,
    json: async (sql, params) => (await connection.runAndReadAll(sql, params)).getRowObjectsJson() as Array<Record<string, unknown>>,
  };
  try {
    return await body(handle);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export interface DuckHandle {
  run(sql: string, params?: DuckDBValue[]): Promise<void>;
  /** Rows with JS values (BIGINT as bigint). */
  all(sql: string, params?: DuckDBValue[]): Promise<Array<Record<string, unknown>>>;
  /** Rows with JSON-safe values (for deep comparisons across files). */
  json(sql: string, params?: DuckDBValue[]): Promise<Array<Record<string, unknown>>>;
}

/** Runs statements on a file and closes it. */
export async function exec(path: string, ...statements: string[]): Promise<void> {
  await withDuck(path, async (q) => {
    for (const s of statements) await q.run(s);
  });
}

/** Query rows (JSON-safe) from a file and close it. */
export async function query(path: string, sql: string): Promise<Array<Record<string, unknown>>> {
  return withDuck(path, (q) => q.json(sql));
}
