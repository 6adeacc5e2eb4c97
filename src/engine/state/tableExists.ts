import type { Database } from '../../db/database.js';

/**
 * Whether a table exists: in the local database (`catalog` omitted), or in the given catalog (the
 * remote's). The one place that asks DuckDB's catalog about duckdb-sync's own tables.
 */
export async function tableExists(db: Database, schema: string, table: string, catalog?: string): Promise<boolean> {
  const [row] = await db.all<{ n: bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = ${catalog === undefined ? 'current_database()' : '$3'} AND schema_name = $1 AND table_name = $2`,
    catalog === undefined ? [schema, table] : [schema, table, catalog],
  );
  return row !== undefined && row.n > 0n;
}
