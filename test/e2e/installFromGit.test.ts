// remote kinds: file only — packaging and installing do not depend on the remote.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { gitClone, installGlobally, npm, packed } from '../helpers/install.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * The README's first install line, run as written (issue 27) with this repository's git URL:
 *   npm pack <git URL> && npm install -g ./duckdb-sync-*.tgz
 * (`npm install -g <git URL>` in one step fails for any package that builds itself: npm/cli#8440.)
 * A bare clone plays the hosted repository (its committed HEAD): npm builds a `git+file:` URL of a
 * working tree in that tree itself.
 */
test('from the git repository: npm pack <git URL> && npm install -g ./duckdb-sync-*.tgz', () => {
  const dir = tempDir();
  const repository = join(dir, 'duckdb-sync.git');
  gitClone(['--bare'], repository);
  npm(['pack', '--prefer-offline', `git+${pathToFileURL(repository).href}`], dir);
  installGlobally(packed(dir).tarball, dir);
});
