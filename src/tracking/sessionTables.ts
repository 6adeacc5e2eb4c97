import type { DuckDBConnection } from '@duckdb/node-api';
import { displayName } from '../engine/catalog/catalog.js';
import { ALL_TABLES } from '../engine/state/dirtyMarks.js';
import type { TableRef } from '../sql/tableRef.js';

/**
 * What the table names of one DuckDB session refer to: the local database's tables (with their
 * primary keys), the session's temporary tables, and its current schema. Read again after
 * statements that may change them (schema statements, USE).
 */
export class SessionTables {
  /** Local tables by lower-case display name (DuckDB matches names case-insensitively). */
  private readonly localTables = new Map<string, string>();
  /** Primary key columns of the local tables that have one, by lower-case display name. */
  private readonly primaryKeys = new Map<string, string[]>();
  private readonly tempTables = new Set<string>();
  private currentSchema = 'main';

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly localCatalog: string,
  ) {}

  static async read(connection: DuckDBConnection): Promise<SessionTables> {
    const reader = await connection.runAndReadAll('SELECT current_database() AS c');
    const [row] = reader.getRowObjectsJS() as Array<{ c: string }>;
    const tables = new SessionTables(connection, row?.c ?? 'memory');
    await tables.readCurrentSchema();
    await tables.readTables();
    return tables;
  }

  /**
   * Local display names of the written tables that are tables of the local database (temporary
   * tables, tables of other catalogs, and tables dropped by the statement are not pushed).
   */
  localNames(tables: TableRef[] | 'all'): { names: string[]; unknown: boolean } {
    if (tables === 'all') return { names: [ALL_TABLES], unknown: false };
    const names = new Set<string>();
    let unknown = false;
    for (const t of tables) {
      if (t.temporary) continue;
      const catalog = t.catalog?.toLowerCase();
      if (catalog !== undefined && catalog !== this.localCatalog.toLowerCase()) continue;
      let schema = t.schema ?? this.currentSchema;
      if (catalog === undefined && t.schema !== undefined) {
        const s = t.schema.toLowerCase();
        // `x.t` names schema x of the current catalog, or the default schema of catalog x.
        if (s === 'temp') continue;
        if (s === this.localCatalog.toLowerCase()) schema = 'main';
      }
      // An unqualified name finds a temporary table first.
      if (t.schema === undefined && this.tempTables.has(t.name.toLowerCase())) continue;
      const name = displayName(schema, t.name);
      const found = this.localTables.get(name.toLowerCase());
      if (found === undefined) unknown = true;
      else names.add(found);
    }
    return { names: [...names], unknown };
  }

  /** The primary key columns of the one local table `targets` name, if it has one. */
  primaryKeyOf(targets: TableRef[]): string[] | undefined {
    const [name, ...more] = this.localNames(targets).names;
    return name === undefined || more.length ? undefined : this.primaryKeys.get(name.toLowerCase());
  }

  /** Reads the names of the local database's tables (and their primary keys) and of the session's temporary tables. */
  async readTables(): Promise<void> {
    const reader = await this.connection.runAndReadAll(
      'SELECT database_name AS c, schema_name AS s, table_name AS t, "temporary" AS temp FROM duckdb_tables() WHERE "temporary" OR database_name = current_database()',
    );
    this.localTables.clear();
    this.tempTables.clear();
    for (const r of reader.getRowObjectsJS() as Array<{ s: string; t: string; temp: boolean }>) {
      if (r.temp) this.tempTables.add(r.t.toLowerCase());
      else this.localTables.set(displayName(r.s, r.t).toLowerCase(), displayName(r.s, r.t));
    }
    const keys = await this.connection.runAndReadAll(
      "SELECT schema_name AS s, table_name AS t, constraint_column_names AS k FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()",
    );
    this.primaryKeys.clear();
    for (const r of keys.getRowObjectsJS() as Array<{ s: string; t: string; k: string[] }>) this.primaryKeys.set(displayName(r.s, r.t).toLowerCase(), r.k);
  }

  async readCurrentSchema(): Promise<void> {
    const reader = await this.connection.runAndReadAll('SELECT current_schema() AS s');
    this.currentSchema = String(reader.getRows()[0]?.[0] ?? 'main');
  }
}
