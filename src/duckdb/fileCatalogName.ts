import { basename } from 'node:path';

/**
 * The catalog name DuckDB gives a database file attached without an alias: its base name up to
 * the first dot (`/data/analytics.duckdb` → `analytics`).
 */
export function fileCatalogName(path: string): string {
  return basename(path).split('.')[0] || 'local';
}
