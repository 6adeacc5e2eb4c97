// The second step of `npm run build`: bundles the CLI (dist/cli/main.js, which tsc wrote, and every module
// it imports, @duckdb/node-api included) into one file, dist/bin/duckdb-sync.js, the package's `bin`.
// Why: a process that loads ~340 small modules spends 0.15–0.2 s more resolving and reading them before it does
// anything, and every cron run and `exec` is a new process. Left outside: DuckDB's native binding
// (@duckdb/node-bindings and its platform package, a .node file found at run time), the SQL parser
// (@polyglot-sql/sdk, which reads its .wasm file next to its own module), and the modules loaded lazily with
// require() (yaml, zod, cli-progress).
// The library (dist/index.js) is not bundled: an application's own bundler or Node loads it as modules.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** duckdbApi.ts loads @duckdb/node-api with require() (see there); in the bundle it is a static import, so esbuild takes it in. */
const nodeApiInside = {
  name: 'node-api-inside',
  setup(b) {
    b.onLoad({ filter: /[\\/]duckdb[\\/]duckdbApi\.js$/ }, () => ({
      contents: "import * as api from '@duckdb/node-api';\nexport const duckdb = api;\n",
      loader: 'js',
      resolveDir: root,
    }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/bin/duckdb-sync.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@duckdb/node-bindings', '@polyglot-sql/sdk'],
  plugins: [nodeApiInside],
  // CommonJS modules inside (node-api) and lazy require()s (yaml, cli-progress) need a require of their own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
