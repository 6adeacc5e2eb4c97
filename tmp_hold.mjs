import { DuckDBInstance } from '@duckdb/node-api';
const [path, ms, ...sqls] = process.argv.slice(2);
const inst = await DuckDBInstance.create(path); const c = await inst.connect();
for (const s of sqls) await c.run(s);
await new Promise(r => setTimeout(r, Number(ms)));
c.closeSync(); inst.closeSync(); console.log('closed', new Date().toISOString());
