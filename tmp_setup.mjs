import { DuckDBInstance } from '@duckdb/node-api';
const [path, ...sqls] = process.argv.slice(2);
const inst = await DuckDBInstance.create(path); const c = await inst.connect();
for (const s of sqls) await c.run(s);
c.closeSync(); inst.closeSync();
