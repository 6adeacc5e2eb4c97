// Baseline for the benchmarks: DuckDB's own COPY FROM DATABASE, as a whole `node` process like the
// CLI it is compared with. Plain JavaScript so that no TypeScript loader start-up is counted.
//
//   node bench/lib/copyFromDatabase.mjs <new local file> <remote file>
//
// Opens (creates) the local file, attaches the remote READ_ONLY, copies every schema, table and
// row into the local catalog, and closes.
import { DuckDBInstance } from '@duckdb/node-api';

const [local, remote] = process.argv.slice(2);
if (!local || !remote) {
  process.stderr.write('usage: copyFromDatabase.mjs <local file> <remote file>\n');
  process.exit(2);
}

const quoteIdent = (s) => `"${s.replaceAll('"', '""')}"`;
const quoteLiteral = (s) => `'${s.replaceAll("'", "''")}'`;

const instance = await DuckDBInstance.create(local);
const connection = await instance.connect();
try {
  const reader = await connection.runAndReadAll('SELECT current_database() AS name');
  const [row] = reader.getRowObjectsJS();
  await connection.run(`ATTACH ${quoteLiteral(remote)} AS bench_remote (READ_ONLY)`);
  await connection.run(`COPY FROM DATABASE bench_remote TO ${quoteIdent(String(row.name))}`);
  await connection.run('DETACH bench_remote');
} finally {
  connection.closeSync();
  instance.closeSync();
}
