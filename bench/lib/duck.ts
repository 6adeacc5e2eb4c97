import { DuckDBInstance, version as duckdbLibraryVersion } from '@duckdb/node-api';

/** Opens a DuckDB file in this (the runner's) process, runs `body`, and closes it again. */
export async function withDuckDB<T>(
  path: string,
  body: (q: { run(sql: string): Promise<void>; all<R = Record<string, unknown>>(sql: string): Promise<R[]> }) => Promise<T>,
  options: { readOnly?: boolean } = {},
): Promise<T> {
  const instance = await DuckDBInstance.create(path, options.readOnly ? { access_mode: 'READ_ONLY' } : {});
  const connection = await instance.connect();
  try {
    return await body({
      run: async (sql) => {
        await connection.run(sql);
      },
      all: async <R>(sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as R[],
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The DuckDB library version this repository's @duckdb/node-api links (e.g. v1.5.0). */
export function duckdbVersion(): string {
  return duckdbLibraryVersion();
}
