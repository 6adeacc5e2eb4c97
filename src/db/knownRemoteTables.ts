/**
 * The remote's tables as the last discovery listed them, plus those this process created there
 * since: lets steps skip catalog look-ups and `CREATE … IF NOT EXISTS` round trips. Forgotten
 * (every answer "unknown": ask the remote, create if missing) when a remote transaction rolls back
 * or the remote is attached anew, since a creation may not have committed.
 */
export class KnownRemoteTables {
  private tables: Set<string> | undefined;
  private schemas = new Set<string>();

  /** Replaces what is known with a fresh listing of every table (and schema, when listed) of the remote's catalog. */
  listed(tables: ReadonlyArray<{ schema: string; table: string }>, schemas: readonly string[] = []): void {
    this.tables = new Set(tables.map((t) => id(t.schema, t.table)));
    this.schemas = new Set([...schemas, ...tables.map((t) => t.schema)]);
  }

  /** Whether the table exists: true, false, or undefined when unknown. */
  has(schema: string, table: string): boolean | undefined {
    return this.tables?.has(id(schema, table));
  }

  /** Whether the schema exists (listed, holding a known table, or created since); undefined when unknown. */
  hasSchema(schema: string): boolean | undefined {
    return this.tables ? this.schemas.has(schema) : undefined;
  }

  /** This process created the table (its transaction may still roll back: see forget()). */
  created(schema: string, table: string): void {
    if (!this.tables) return;
    this.tables.add(id(schema, table));
    this.schemas.add(schema);
  }

  /** This process created the schema (its transaction may still roll back: see forget()). */
  createdSchema(schema: string): void {
    if (this.tables) this.schemas.add(schema);
  }

  forget(): void {
    this.tables = undefined;
  }
}

function id(schema: string, table: string): string {
  return JSON.stringify([schema, table]);
}
