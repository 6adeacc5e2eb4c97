import { createRequire } from 'node:module';
import type * as DuckDBApi from '@duckdb/node-api';

/**
 * @duckdb/node-api, loaded with require(). The package is CommonJS: an ESM `import` of it makes Node
 * scan its ~60 modules for named exports first (cjs-module-lexer follows every re-export), which
 * added ~60 ms to the start of every process. Types are imported from the package as usual.
 */
export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDBApi;
