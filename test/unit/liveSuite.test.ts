import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('npm run test:motherduck without MOTHERDUCK_TOKEN: one line saying what it needs, exit 0', () => {
  const env = { ...process.env };
  delete env.MOTHERDUCK_TOKEN;
  delete env.motherduck_token;
  const r = spawnSync(process.execPath, ['test/live/runLive.mjs'], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /MOTHERDUCK_TOKEN/);
});
