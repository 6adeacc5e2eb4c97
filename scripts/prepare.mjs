// `npm run prepare`: builds the package wherever npm packs or installs it from source (`npm ci`, `npm pack`,
// `npm pack <git URL>`, `npm install <git URL>`). npm installs the dependencies before it runs `prepare`, except
// for `npm pack` in a fresh clone: then they are installed here first (as `npm ci` would), and the build goes on.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];

function run(args) {
  const [command, ...rest] = [...npm, ...args];
  const result = spawnSync(command, rest, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' && command === 'npm' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(join(root, 'node_modules', 'typescript', 'package.json'))) {
  run(['ci', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
}
run(['run', 'build']);
