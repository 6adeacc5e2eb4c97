import type { Database } from '../../db/database.js';
import { qualify, quoteIdent } from '../../db/quote.js';
import { writeBaseline } from '../state/baseline.js';
import type { FingerprintScheme } from '../../remote/remote.js';
import type { TableResult } from '../result.js';
import { type TablePair, localRef } from '../catalog/tablePair.js';
import { tableBodySql } from '../catalog/localSchema.js';
import { recordTableSuccess } from '../state/tableMetadata.js';

/**
 * Creates a table that exists only locally on the remote (same columns, types and key, mapped
 * names) and copies its rows: one remote transaction, then one local transaction for the baseline.
 * A crash in between leaves equal tables on both sides and no baseline: the next sync compares
 * them in full and finds nothing to change.
 */
export async function pushNewTable(db: Database, pair: TablePair, scheme: FingerprintScheme, engineVersion: string): Promise<TableResult> {
  const remote = qualify(db.remote.catalog, pair.remote.schema, pair.remote.table);
  const local = localRef(db, pair);
  let warnings: string[] = [];
  const rowsPushed = await db.withRemote(false, () =>
    db.transaction(async () => {
      // Known once attached: a DuckLake database gets no constraints (tableBodySql).
      const body = tableBodySql(pair, 'remote', db.remote.storage);
      warnings = body.warnings;
      await db.run(`CREATE SCHEMA IF NOT EXISTS ${qualify(db.remote.catalog, pair.remote.schema)}`);
      await db.run(`CREATE TABLE ${remote} ${body.sql}`);
      return db.run(
        `INSERT INTO ${remote} (${pair.columns.map((c) => quoteIdent(c.remote)).join(', ')}) SELECT ${pair.columns.map((c) => quoteIdent(c.local)).join(', ')} FROM ${local}`,
      );
    }),
  );
  await db.transaction(async () => {
    const baselineTable = await writeBaseline(db, pair, scheme);
    await recordTableSuccess(db, pair, scheme, engineVersion, {
      mode: 'full',
      direction: 'push',
      rowsPulled: 0,
      rowsPushed,
      rowsDeleted: 0,
      conflicts: 0,
      rowCount: rowsPushed,
      cursorColumn: null,
      watermark: null,
      baselineTable,
    });
  });
  return { name: pair.name, status: 'ok', rowsPulled: 0, rowsPushed, rowsDeleted: 0, conflicts: 0, warnings: ['created on the remote', ...warnings] };
}
